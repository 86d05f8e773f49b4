// aestudio: the desktop application of Autoencoder Studio. main() only: parse the command
// line, build the window, show it. Everything the window does, core/ and ui/ do; closing by
// signal is terminatesignal.*, --screenshots is screenshotdriver.*.

#include "appicon.h"
#include "anomalyexplorer.h"
#include "mainwindow.h"
#include "runspanel.h"
#include "model/modeloptions.h"
#include "screenshotdriver.h"
#include "terminatesignal.h"
#include "trainingpanel.h"
#include "training/trainoptions.h"
#include "util/threadpolicy.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>

#include <cstdio>
#include <cstring>

namespace {

const char kDefaultData[] = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

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

void setApplicationInfo()
{
    QCoreApplication::setApplicationName(QStringLiteral("aestudio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(AES_VERSION));
    QCoreApplication::setOrganizationName(QStringLiteral("aestudio"));
}

// The command line, the same for the help text and for the run.
struct CommandLine {
    QCommandLineParser parser;
    const QCommandLineOption train{QStringLiteral("train"), QStringLiteral("Start training once the data is loaded.")};
    const QCommandLineOption model{QStringLiteral("model"),
                                   QStringLiteral("Model kind: %1.").arg(aes::modelKindNames().join(QStringLiteral(", "))),
                                   QStringLiteral("KIND")};
    const QCommandLineOption latent{QStringLiteral("latent"), QStringLiteral("Latent size."), QStringLiteral("N")};
    const QCommandLineOption epochs{QStringLiteral("epochs"), QStringLiteral("Epochs to train."), QStringLiteral("N")};
    const QCommandLineOption screenshots{
        QStringLiteral("screenshots"),
        QStringLiteral("Save every tab of the window to DIR/<tab>.png once loaded, or trained with --train, then quit."),
        QStringLiteral("DIR")};
    const QCommandLineOption fresh{QStringLiteral("default-options"),
                                   QStringLiteral("Ignore the options saved by the last session.")};
    // For demonstrations and screenshots: the learning-rate field is changed at a step, as a user would.
    QCommandLineOption lrChange{QStringLiteral("lr-change"),
                                QStringLiteral("Set the learning rate to LR once training reaches STEP."),
                                QStringLiteral("STEP:LR")};
    // For demonstrations and screenshots: what the Anomalies tab scores instead of the loaded dataset.
    QCommandLineOption scoreData{QStringLiteral("score-data"),
                                 QStringLiteral("The Anomalies tab scores DATA (a folder or an IDX file) instead of the loaded dataset."),
                                 QStringLiteral("DATA")};

    // For demonstrations and screenshots: the folder the Runs tab shows.
    QCommandLineOption runsFolder{QStringLiteral("runs-folder"), QStringLiteral("The Runs tab shows the runs of DIR."),
                                  QStringLiteral("DIR")};

    CommandLine()
    {
        parser.setApplicationDescription(QStringLiteral(
            "Train an autoencoder on a folder of images or an MNIST-format IDX file, and watch it learn."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument(QStringLiteral("DATA"),
                                     QStringLiteral("Image folder (subfolders = classes) or *-images-idx3-ubyte[.gz]. "
                                                    "Default: the dataset used last, else Fashion-MNIST's test set when installed."),
                                     QStringLiteral("[DATA]"));
        lrChange.setFlags(QCommandLineOption::HiddenFromHelp);
        scoreData.setFlags(QCommandLineOption::HiddenFromHelp);
        runsFolder.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOptions({train, model, latent, epochs, screenshots, fresh, lrChange, scoreData, runsFolder});
    }
};

// --help and --version need no display: they are answered before QApplication exists (which
// aborts without a display platform).
bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (std::strcmp(arg, "--") == 0)
            return false;
        for (const char *flag : {"-h", "--help", "-?", "--help-all", "-v", "--version"})
            if (std::strcmp(arg, flag) == 0)
                return true;
    }
    return false;
}

// --lr-change STEP:LR: the learning-rate field changes once training reaches STEP.
bool changeLearningRateAt(MainWindow &window, const QString &value)
{
    const QStringList parts = value.split(QLatin1Char(':'));
    const qint64 step = parts.value(0).toLongLong();
    const double lr = parts.value(1).toDouble();
    if (parts.size() != 2 || step <= 0 || lr <= 0)
        return false;
    QObject::connect(window.controller(), &aes::TrainingController::stepsReported, &window,
                     [&window, step, lr, done = false](const QVector<QPointF> &, const aes::StepReport &latest) mutable {
                         if (!done && latest.globalStep >= step) {
                             done = true;
                             window.trainingPanel()->setLearningRate(lr);
                         }
                     });
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationInfo();
        CommandLine commandLine;
        commandLine.parser.process(app);  // prints the text and exits
        return 0;
    }
    aes::ensurePassiveOpenMpWait(argv);
    aes::selectBlasKernels();
    if (!installTerminateHandler())
        std::fprintf(stderr, "aestudio: cannot watch for SIGTERM; closing by signal will not save settings\n");

    QApplication app(argc, argv);
    setApplicationInfo();
    QApplication::setApplicationDisplayName(QStringLiteral("Autoencoder Studio"));
    QApplication::setDesktopFileName(QStringLiteral("aestudio"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("aestudio"), appIcon()));

    CommandLine commandLine;
    const QCommandLineParser &parser = commandLine.parser;
    commandLine.parser.process(app);

    MainWindow window;
    closeOnTerminateSignal(&window);
    // The options of the last session, unless asked for the defaults; the command line wins.
    const bool fresh = parser.isSet(commandLine.fresh);
    aes::AutoOptions automatic = fresh ? aes::AutoOptions() : window.trainingPanel()->automatic();
    aes::ModelOptions model = fresh ? aes::ModelOptions() : window.trainingPanel()->modelOptions();
    aes::TrainOptions train = fresh ? aes::TrainOptions() : window.trainingPanel()->trainOptions();
    if (parser.isSet(commandLine.model)) {
        const auto kind = aes::modelKindFromString(parser.value(commandLine.model));
        if (!kind)
            return fail(QStringLiteral("unknown model kind \"%1\" (choose one of %2)")
                            .arg(parser.value(commandLine.model), aes::modelKindNames().join(QStringLiteral(", "))));
        model.kind = *kind;
    }
    if (parser.isSet(commandLine.latent) && !positiveInt(parser.value(commandLine.latent), &model.latent))
        return fail(QStringLiteral("--latent needs a positive whole number, not \"%1\"").arg(parser.value(commandLine.latent)));
    if (parser.isSet(commandLine.epochs) && !positiveInt(parser.value(commandLine.epochs), &train.epochs))
        return fail(QStringLiteral("--epochs needs a positive whole number, not \"%1\"").arg(parser.value(commandLine.epochs)));
    automatic.latent = automatic.latent && !parser.isSet(commandLine.latent);
    automatic.epochs = automatic.epochs && !parser.isSet(commandLine.epochs);
    if (fresh)
        window.setOptions(model, train);
    else
        window.trainingPanel()->setOptions(model, train);  // keeps the saved validation fraction
    window.trainingPanel()->setAutomatic(automatic);

    // With nothing given: the dataset used last, else the Fashion-MNIST sample.
    QString data = parser.positionalArguments().value(0);
    if (data.isEmpty()) {
        const QString last = QSettings().value(QStringLiteral("dataset/last")).toString();
        if (!last.isEmpty() && QFileInfo::exists(last))
            data = last;
        else if (QFileInfo::exists(QString::fromLatin1(kDefaultData)))
            data = QString::fromLatin1(kDefaultData);
    }
    if (parser.isSet(commandLine.lrChange) && !changeLearningRateAt(window, parser.value(commandLine.lrChange)))
        return fail(QStringLiteral("--lr-change needs STEP:LR, e.g. 300:5e-4"));

    if (parser.isSet(commandLine.scoreData))
        window.anomalyExplorer()->setDataPath(parser.value(commandLine.scoreData));
    if (parser.isSet(commandLine.runsFolder))
        window.runsPanel()->setFolder(parser.value(commandLine.runsFolder));
    window.setStartWhenLoaded(parser.isSet(commandLine.train));
    window.show();
    if (!data.isEmpty())
        window.openDataset(data);
    if (parser.isSet(commandLine.screenshots))
        takeScreenshotsWhenReady(window, parser.value(commandLine.screenshots), parser.isSet(commandLine.train),
                                 data.isEmpty());
    return app.exec();
}
