// gui_responsiveness: does the desktop app stay responsive while it trains at full speed,
// and does training in it run as fast as headless training?
//
// Trains the default model (conv) on DATA (default: Fashion-MNIST t10k) for --steps steps,
// alternately:
//   headless - aes::Trainer on this thread, as the CLI runs it;
//   gui      - the real MainWindow (offscreen unless QT_QPA_PLATFORM says otherwise), via
//              its controller and worker thread, with the loss chart, reconstructions and
//              progress updating live and the tabs switched every second, while a 5 ms
//              QTimer records the longest gap between its ticks (the event loop's stall).
// Same data, split, model, seed and thread count. Images/s is the trainer's own figure for
// the epoch so far at the last step. Prints each round, the median GUI/headless ratio
// (target >= 0.9) and the longest stall (target < 50 ms); then closes a window mid-training
// and prints how long it took for the worker to stop and the window to go away.

#include "datasetpanel.h"
#include "mainwindow.h"
#include "util/threadpolicy.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSettings>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unistd.h>
#include <vector>

namespace {

const char kDefaultData[] = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

double headlessRun(const aes::Dataset &data, const aes::TrainOptions &train, int steps)
{
    const aes::Split split = aes::splitIndices(data.size(), train.valFraction, train.seed);
    QString error;
    auto trainer = aes::Trainer::create(data, split, aes::ModelOptions(), train, &error);
    if (!trainer) {
        std::fprintf(stderr, "cannot train: %s\n", qPrintable(error));
        std::exit(1);
    }
    aes::TrainingControl control;
    double imagesPerSecond = 0;
    aes::TrainCallbacks callbacks;
    callbacks.onStep = [&](const aes::StepReport &r) {
        if (r.globalStep >= steps && !control.isStopRequested()) {
            imagesPerSecond = r.imagesPerSecond;
            control.stop();
        }
    };
    trainer->run(control, callbacks);
    return imagesPerSecond;
}

struct GuiResult {
    double imagesPerSecond = 0;
    double maxStallMs = 0;
    std::vector<double> stallsMs;  // every tick's delay beyond its interval
};

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, size_t(p * double(values.size())))];
}

GuiResult guiRun(MainWindow &window, int steps)
{
    GuiResult result;
    aes::TrainingController *controller = window.controller();
    QEventLoop loop;
    QElapsedTimer sinceTick;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        // The longest time the event loop could not serve this 5 ms timer, beyond its interval.
        const double stall = sinceTick.nsecsElapsed() * 1e-6 - 5.0;
        result.maxStallMs = std::max(result.maxStallMs, stall);
        result.stallsMs.push_back(stall);
        sinceTick.restart();
    });
    QTimer tabs;
    int tab = 0;
    QObject::connect(&tabs, &QTimer::timeout, &loop, [&] {
        tab = (tab + 1) % MainWindow::TabCount;
        window.showTab(tab);
    });
    const auto stepConnection = QObject::connect(controller, &aes::TrainingController::stepsReported, &loop,
        [&](const QVector<QPointF> &, const aes::StepReport &r) {
            if (r.globalStep >= steps && result.imagesPerSecond == 0) {
                result.imagesPerSecond = r.imagesPerSecond;
                window.stopTraining();
            }
        });
    const auto doneConnection = QObject::connect(controller, &aes::TrainingController::finished, &loop,
                                                 [&] { loop.quit(); });
    window.startTraining();
    sinceTick.start();
    ticker.start();
    tabs.start(1000);
    loop.exec();
    QObject::disconnect(stepConnection);
    QObject::disconnect(doneConnection);
    window.newModel();  // the next round starts from fresh weights, as the headless one does
    return result;
}

} // namespace

int main(int argc, char *argv[])
{
    aes::ensurePassiveOpenMpWait(argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setQuitOnLastWindowClosed(false);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("folder or IDX file (default Fashion-MNIST t10k)"));
    const QCommandLineOption stepsOption(QStringLiteral("steps"), QStringLiteral("steps per run (default 120)"), QStringLiteral("N"), QStringLiteral("120"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"), QStringLiteral("headless + GUI pairs (default 3)"), QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"), QStringLiteral("compute threads (default: every core)"), QStringLiteral("N"), QString::number(QThread::idealThreadCount()));
    parser.addOptions({stepsOption, roundsOption, threadsOption});
    parser.process(app);
    const int steps = parser.value(stepsOption).toInt();
    const int rounds = parser.value(roundsOption).toInt();
    const QString path = parser.positionalArguments().value(0, QString::fromLatin1(kDefaultData));

    // The user's settings stay untouched.
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());

    aes::TrainOptions train;
    train.threads = parser.value(threadsOption).toInt();
    train.epochs = 1;
    const aes::LoadResult loaded = aes::loadDataset(path);
    if (!loaded.ok()) {
        std::fprintf(stderr, "cannot load %s: %s\n", qPrintable(path), qPrintable(loaded.error));
        return 1;
    }
    const qint64 stepsPerEpoch = qint64(loaded.dataset->size() * (1.0 - train.valFraction)) / train.batchSize;
    if (steps >= stepsPerEpoch) {
        std::fprintf(stderr, "--steps must stay within the first epoch (< %lld)\n", static_cast<long long>(stepsPerEpoch));
        return 2;
    }

    auto owned = std::make_unique<MainWindow>();
    MainWindow &window = *owned;
    window.resize(1280, 800);
    window.show();
    {
        QEventLoop loop;
        QObject::connect(window.controller(), &aes::TrainingController::datasetLoaded, &loop, &QEventLoop::quit);
        QObject::connect(window.controller(), &aes::TrainingController::loadFailed, &loop, &QEventLoop::quit);
        window.openDataset(path);
        loop.exec();
    }
    window.setOptions(aes::ModelOptions(), train);

    std::printf("data %s, model conv (defaults), batch %d, %d threads, OMP_WAIT_POLICY=%s, %d steps per run\n",
                qPrintable(path), train.batchSize, train.threads, std::getenv("OMP_WAIT_POLICY"), steps);
    std::vector<double> ratios;
    std::vector<double> stalls;
    double maxStall = 0;
    for (int r = 0; r < rounds; ++r) {
        // Alternate the order so that a drift in machine load hits both sides alike.
        double headless = 0;
        GuiResult gui;
        if (r % 2 == 0) {
            headless = headlessRun(*loaded.dataset, train, steps);
            gui = guiRun(window, steps);
        } else {
            gui = guiRun(window, steps);
            headless = headlessRun(*loaded.dataset, train, steps);
        }
        ratios.push_back(gui.imagesPerSecond / headless);
        maxStall = std::max(maxStall, gui.maxStallMs);
        stalls.insert(stalls.end(), gui.stallsMs.begin(), gui.stallsMs.end());
        std::printf("round %d: headless %.0f images/s, gui %.0f images/s, ratio %.3f, "
                    "gui stall p99 %.1f ms, max %.1f ms\n",
                    r + 1, headless, gui.imagesPerSecond, ratios.back(), percentile(gui.stallsMs, 0.99), gui.maxStallMs);
        std::fflush(stdout);
    }
    std::sort(ratios.begin(), ratios.end());
    const double median = ratios[ratios.size() / 2];
    std::printf("median gui/headless images/s: %.3f (target >= 0.9)\n", median);
    std::printf("event-loop stall while training: max %.1f ms (target < 50), p99 %.1f ms, p99.9 %.1f ms over %zu ticks\n",
                maxStall, percentile(stalls, 0.99), percentile(stalls, 0.999), stalls.size());

    // Close mid-training, as Ctrl+Q does: the worker stops after its batch.
    {
        QEventLoop loop;
        QObject::connect(window.controller(), &aes::TrainingController::stepsReported, &loop, &QEventLoop::quit);
        train.epochs = 100;
        window.setOptions(aes::ModelOptions(), train);
        window.startTraining();
        loop.exec();
    }
    QElapsedTimer closing;
    closing.start();
    window.close();
    owned.reset();  // the window's destructor stops the worker and joins its thread
    std::printf("close mid-training: window closed, worker stopped and joined in %.0f ms (target < 2000)\n",
                closing.nsecsElapsed() * 1e-6);
    return 0;
}
