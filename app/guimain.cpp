// aestudio: the desktop application of Autoencoder Studio. main() only: parse the command
// line, build the window, show it. Everything the window does, core/ and ui/ do.

#include "appicon.h"
#include "latentmap.h"
#include "mainwindow.h"
#include "util/threadpolicy.h"
#include "model/modeloptions.h"
#include "reconstructionview.h"
#include "trainingpanel.h"
#include "training/trainoptions.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QMouseEvent>
#include <QSettings>
#include <QSocketNotifier>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <climits>
#include <cstdlib>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace {

const char kDefaultData[] = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

int fail(const QString &message)
{
    std::fprintf(stderr, "aestudio: %s\n", qPrintable(message));
    return 2;
}

// SIGTERM (logout, `kill`, a service manager) and SIGINT close the app as the window's close
// button does: settings saved, the training worker stopped after its batch and waited for.
// The handler only writes a byte to a pipe (async-signal-safe); the GUI thread reads it
// through a QSocketNotifier once its event loop runs, so a signal that arrives during
// start-up is handled too.
int g_terminatePipe[2] = {-1, -1};

void onTerminateSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_terminatePipe[1], &byte, 1);
}

bool installTerminateHandler()
{
    if (::pipe2(g_terminatePipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onTerminateSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGTERM, &action, nullptr) == 0 && ::sigaction(SIGINT, &action, nullptr) == 0;
}

// Reads the pipe in the GUI thread: closes every window (a modal dialog first, so its own
// event loop ends), then leaves the main loop even if a window refused to close.
void closeOnTerminateSignal(QObject *context)
{
    if (g_terminatePipe[0] < 0)
        return;
    auto *notifier = new QSocketNotifier(g_terminatePipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [notifier] {
        char byte = 0;
        while (::read(g_terminatePipe[0], &byte, 1) > 0) {
        }
        notifier->setEnabled(false);
        QApplication::closeAllWindows();
        QCoreApplication::quit();
    });
}

bool positiveInt(const QString &text, int *value)
{
    bool ok = false;
    *value = text.toInt(&ok);
    return ok && *value > 0;
}

// Saves every tab of the window as shown to DIR/<tab>.png (loss, reconstructions, metrics,
// latent), and the reconstructions with the error heatmap as reconstructions-error.png.
bool saveScreenshots(MainWindow &window, const QString &dirPath)
{
    QDir dir(dirPath);
    if (!dir.mkpath(QStringLiteral(".")))
        return false;
    bool ok = true;
    for (int tab = 0; tab < MainWindow::TabCount; ++tab)
        ok = window.renderTab(tab).save(dir.filePath(MainWindow::tabFileName(tab) + QStringLiteral(".png")), "PNG", 0) && ok;
    ReconstructionView *view = window.reconstructionView();
    const bool showed = view->showsError();
    view->setShowError(true);
    ok = window.renderTab(MainWindow::ReconstructionsTab).save(dir.filePath(QStringLiteral("reconstructions-error.png")), "PNG", 0) && ok;
    view->setShowError(showed);
    window.showTab(MainWindow::LossTab);
    return ok;
}

// For the screenshots: hovers a point of the map and decodes a point halfway between the
// centres of the first two classes, then calls done once the answers have arrived.
void showLatentExample(MainWindow &window, const std::function<void()> &done)
{
    window.showTab(MainWindow::LatentTab);
    LatentMap *map = window.latentMap();
    QTimer::singleShot(300, &window, [&window, map, done] {
        const aes::LatentSnapshot &data = map->map();
        double cx[2] = {0, 0}, cy[2] = {0, 0};
        int count[2] = {0, 0};
        for (int i = 0; i < data.x.size(); ++i) {
            const int c = data.labels.value(i, -1);
            if (c == 0 || c == 1) {
                cx[c] += data.x[i];
                cy[c] += data.y[i];
                ++count[c];
            }
        }
        if (count[0] > 0 && count[1] > 0)
            window.controller()->decodeAt((cx[0] / count[0] + cx[1] / count[1]) / 2,
                                          (cy[0] / count[0] + cy[1] / count[1]) / 2);
        if (!data.x.isEmpty()) {
            QWidget *plot = map->plotWidget();
            const QPointF pos = map->pixelOf(data.x.size() / 3);
            QMouseEvent move(QEvent::MouseMove, pos, plot->mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
            QApplication::sendEvent(plot, &move);
        }
        QTimer::singleShot(800, &window, done);
    });
}

} // namespace

int main(int argc, char *argv[])
{
    aes::ensurePassiveOpenMpWait(argv);
    if (!installTerminateHandler())
        std::fprintf(stderr, "aestudio: cannot watch for SIGTERM; closing by signal will not save settings\n");

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("aestudio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Autoencoder Studio"));
    QApplication::setApplicationVersion(QStringLiteral(AES_VERSION));
    QApplication::setOrganizationName(QStringLiteral("aestudio"));
    QApplication::setDesktopFileName(QStringLiteral("aestudio"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("aestudio"), appIcon()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Train an autoencoder on a folder of images or an MNIST-format IDX file, and watch it learn."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("DATA"),
                                 QStringLiteral("Image folder (subfolders = classes) or *-images-idx3-ubyte[.gz]. "
                                                "Default: the dataset used last, else Fashion-MNIST's test set when installed."),
                                 QStringLiteral("[DATA]"));
    const QCommandLineOption trainOption(QStringLiteral("train"), QStringLiteral("Start training once the data is loaded."));
    const QCommandLineOption modelOption(QStringLiteral("model"),
                                         QStringLiteral("Model kind: %1.").arg(aes::modelKindNames().join(QStringLiteral(", "))),
                                         QStringLiteral("KIND"));
    const QCommandLineOption latentOption(QStringLiteral("latent"), QStringLiteral("Latent size."), QStringLiteral("N"));
    const QCommandLineOption epochsOption(QStringLiteral("epochs"), QStringLiteral("Epochs to train."), QStringLiteral("N"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshots"),
        QStringLiteral("Save every tab of the window to DIR/<tab>.png once loaded, or trained with --train, then quit."),
        QStringLiteral("DIR"));
    const QCommandLineOption freshOption(QStringLiteral("default-options"),
                                         QStringLiteral("Ignore the options saved by the last session."));
    // For demonstrations and screenshots: the learning-rate field is changed at a step, as a user would.
    QCommandLineOption lrChangeOption(QStringLiteral("lr-change"),
                                      QStringLiteral("Set the learning rate to LR once training reaches STEP."),
                                      QStringLiteral("STEP:LR"));
    lrChangeOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({trainOption, modelOption, latentOption, epochsOption, screenshotOption, freshOption, lrChangeOption});
    parser.process(app);

    MainWindow window;
    closeOnTerminateSignal(&window);
    // The options of the last session, unless asked for the defaults; the command line wins.
    aes::ModelOptions model = parser.isSet(freshOption) ? aes::ModelOptions() : window.trainingPanel()->modelOptions();
    aes::TrainOptions train = parser.isSet(freshOption) ? aes::TrainOptions() : window.trainingPanel()->trainOptions();
    if (parser.isSet(modelOption)) {
        const auto kind = aes::modelKindFromString(parser.value(modelOption));
        if (!kind)
            return fail(QStringLiteral("unknown model kind \"%1\" (choose one of %2)")
                            .arg(parser.value(modelOption), aes::modelKindNames().join(QStringLiteral(", "))));
        model.kind = *kind;
    }
    if (parser.isSet(latentOption) && !positiveInt(parser.value(latentOption), &model.latent))
        return fail(QStringLiteral("--latent needs a positive whole number, not \"%1\"").arg(parser.value(latentOption)));
    if (parser.isSet(epochsOption) && !positiveInt(parser.value(epochsOption), &train.epochs))
        return fail(QStringLiteral("--epochs needs a positive whole number, not \"%1\"").arg(parser.value(epochsOption)));
    if (parser.isSet(freshOption))
        window.setOptions(model, train);
    else
        window.trainingPanel()->setOptions(model, train);  // keeps the saved validation fraction

    // With nothing given: the dataset used last, else the Fashion-MNIST sample.
    QString data = parser.positionalArguments().value(0);
    if (data.isEmpty()) {
        const QString last = QSettings().value(QStringLiteral("dataset/last")).toString();
        if (!last.isEmpty() && QFileInfo::exists(last))
            data = last;
        else if (QFileInfo::exists(QString::fromLatin1(kDefaultData)))
            data = QString::fromLatin1(kDefaultData);
    }

    if (parser.isSet(lrChangeOption)) {
        const QStringList parts = parser.value(lrChangeOption).split(QLatin1Char(':'));
        const qint64 step = parts.value(0).toLongLong();
        const double lr = parts.value(1).toDouble();
        if (parts.size() != 2 || step <= 0 || lr <= 0)
            return fail(QStringLiteral("--lr-change needs STEP:LR, e.g. 300:5e-4"));
        QObject::connect(window.controller(), &aes::TrainingController::stepsReported, &window,
                         [&window, step, lr, done = false](const QVector<QPointF> &, const aes::StepReport &latest) mutable {
                             if (!done && latest.globalStep >= step) {
                                 done = true;
                                 window.trainingPanel()->setLearningRate(lr);
                             }
                         });
    }
    window.setStartWhenLoaded(parser.isSet(trainOption));
    window.show();
    if (!data.isEmpty())
        window.openDataset(data);

    if (parser.isSet(screenshotOption)) {
        const QString path = parser.value(screenshotOption);
        const bool afterTraining = parser.isSet(trainOption);
        const auto shoot = [&window, path](int exitCode) {
            // A moment for the queued replot and the last repaint.
            QTimer::singleShot(300, &window, [&window, path, exitCode] {
                const bool saved = saveScreenshots(window, path);
                if (!saved)
                    std::fprintf(stderr, "aestudio: cannot write %s\n", qPrintable(path));
                QApplication::exit(saved ? exitCode : 1);
            });
        };
        aes::TrainingController *controller = window.controller();
        QObject::connect(controller, &aes::TrainingController::loadFailed, &window, [shoot] { shoot(1); });
        if (afterTraining)
            QObject::connect(controller, &aes::TrainingController::finished, &window,
                             [shoot, &window, controller](const aes::TrainOutcome &outcome) {
                                 if (outcome.status == aes::TrainStatus::Failed || !controller->requestLatentMap()) {
                                     shoot(outcome.status == aes::TrainStatus::Failed ? 1 : 0);
                                     return;
                                 }
                                 // The final map, then a hover and a decode to show what the tab does.
                                 QObject::connect(controller, &aes::TrainingController::latentMapReady, &window,
                                                  [shoot, &window] { showLatentExample(window, [shoot] { shoot(0); }); },
                                                  Qt::SingleShotConnection);
                                 QObject::connect(controller, &aes::TrainingController::latentMapFailed, &window,
                                                  [shoot] { shoot(1); }, Qt::SingleShotConnection);
                             });
        else
            QObject::connect(controller, &aes::TrainingController::datasetLoaded, &window, [shoot] { shoot(0); });
        if (data.isEmpty())
            shoot(0);
    }
    return app.exec();
}
