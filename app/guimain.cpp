// aestudio: the desktop application of Autoencoder Studio. main() only: parse the command
// line, build the window, show it. Everything the window does, core/ and ui/ do.

#include "mainwindow.h"
#include "modeloptions.h"
#include "trainoptions.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <climits>
#include <cstdlib>
#include <unistd.h>

namespace {

const char kDefaultData[] = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

// LibTorch's OpenMP runtime (libgomp) reads OMP_WAIT_POLICY once, when the library is loaded,
// which is before main() runs. By default its idle threads spin for a while after every
// parallel region; with two compute threads and a busy GUI thread (plots, repaints) on the same
// cores, that spinning steals the time the next batch needs and training gets 2-25x slower.
// PASSIVE makes idle threads sleep. Setting the variable here is too late for this process, so
// it is set and the program executed again, once. A value the user set is respected.
void ensurePassiveOpenMpWait(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY"))
        return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    // The resolved path, not /proc/self/exe itself: the process would be named "exe".
    char self[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
        return;
    self[length] = '\0';
    ::execv(self, argv);
    // execv returns only on failure: run on with the default policy rather than not at all.
}

int fail(const QString &message)
{
    std::fprintf(stderr, "aestudio: %s\n", qPrintable(message));
    return 2;
}

bool positiveInt(const QString &text, int *value)
{
    bool ok = false;
    *value = text.toInt(&ok);
    return ok && *value > 0;
}

// Saves the window as shown: the Loss tab to path, the other tabs beside it
// (NAME-reconstructions.png, NAME-latent.png).
bool saveScreenshots(MainWindow &window, const QString &path)
{
    window.showTab(MainWindow::LossTab);
    bool ok = window.grab().save(path);
    const QFileInfo info(path);
    const auto besides = [&info](const char *suffix) {
        return info.dir().filePath(info.completeBaseName() + QLatin1String(suffix));
    };
    window.showTab(MainWindow::ReconstructionsTab);
    ok = window.grab().save(besides("-reconstructions.png")) && ok;
    window.showTab(MainWindow::LatentTab);
    ok = window.grab().save(besides("-latent.png")) && ok;
    window.showTab(MainWindow::LossTab);
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    ensurePassiveOpenMpWait(argv);

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("aestudio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Autoencoder Studio"));
    QApplication::setApplicationVersion(QStringLiteral(AES_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("aestudio"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("aestudio")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Train an autoencoder on a folder of images or an MNIST-format IDX file, and watch it learn."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("DATA"),
                                 QStringLiteral("Image folder (subfolders = classes) or *-images-idx3-ubyte[.gz]. "
                                                "Default: Fashion-MNIST's test set, when installed."),
                                 QStringLiteral("[DATA]"));
    const QCommandLineOption trainOption(QStringLiteral("train"), QStringLiteral("Start training once the data is loaded."));
    const QCommandLineOption modelOption(QStringLiteral("model"),
                                         QStringLiteral("Model kind: %1.").arg(aes::modelKindNames().join(QStringLiteral(", "))),
                                         QStringLiteral("KIND"));
    const QCommandLineOption latentOption(QStringLiteral("latent"), QStringLiteral("Latent size."), QStringLiteral("N"));
    const QCommandLineOption epochsOption(QStringLiteral("epochs"), QStringLiteral("Epochs to train."), QStringLiteral("N"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window to FILE (other tabs beside it) once loaded, or trained with --train, then quit."),
        QStringLiteral("FILE"));
    parser.addOptions({trainOption, modelOption, latentOption, epochsOption, screenshotOption});
    parser.process(app);

    aes::ModelOptions model;
    aes::TrainOptions train;
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

    QString data = parser.positionalArguments().value(0);
    if (data.isEmpty() && QFileInfo::exists(QString::fromLatin1(kDefaultData)))
        data = QString::fromLatin1(kDefaultData);

    MainWindow window;
    window.setOptions(model, train);
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
                             [shoot](const aes::TrainOutcome &outcome) {
                                 shoot(outcome.status == aes::TrainStatus::Failed ? 1 : 0);
                             });
        else
            QObject::connect(controller, &aes::TrainingController::datasetLoaded, &window, [shoot] { shoot(0); });
        if (data.isEmpty())
            shoot(0);
    }
    return app.exec();
}
