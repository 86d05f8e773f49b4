// aestudio-cli: the headless front of Autoencoder Studio. Parses the command line
// and runs core jobs; everything it does, the engine does.

#include "training/benchmark.h"
#include "anomalycommands.h"
#include "cachecommand.h"
#include "cliparse.h"
#include "distlauncher.h"
#include "runscommand.h"
#include "similarcommand.h"
#include "export/exportjob.h"
#include "project/latentjobs.h"
#include "project/trainjob.h"
#include "training/distributed.h"
#include "training/trainingcontrol.h"
#include "util/threadpolicy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QThread>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace {

using aes::cli::fail;
using aes::cli::parse;
using aes::cli::printErr;

std::atomic_bool g_interrupted{false};

void onInterrupt(int)
{
    // Async-signal-safe: the trainer's step callback turns this into a clean stop.
    g_interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl+C ends the process at once
}

QString duration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return QStringLiteral("--:--");
    const qint64 s = qint64(seconds + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString number(double v, int precision)
{
    return std::isfinite(v) ? QString::number(v, 'f', precision) : QStringLiteral("-");
}

int train(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Train an autoencoder on a folder of images or an MNIST-format IDX file.\n"
        "Writes history.csv, summary.json, load-report.txt and checkpoint.pt into RUN_DIR."));
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("Image folder (subfolders = classes) or *-images-idx3-ubyte[.gz]."));
    parser.addOption({QStringLiteral("out"), QStringLiteral("Run directory to write (created if missing)."), QStringLiteral("RUN_DIR")});
    parser.addOption({QStringLiteral("resume"), QStringLiteral("Continue the run in RUN_DIR exactly where its checkpoint left off, "
                                                               "up to --epochs in total (DATA and model options come from the run)."),
                      QStringLiteral("RUN_DIR")});
    parser.addOption({QStringLiteral("classes"), QStringLiteral("Train on the images of these classes only (names as the dataset "
                                                                "lists them, comma-separated): the one-class protocol of anomaly detection."),
                      QStringLiteral("CLASS[,CLASS]")});
    parser.addOption({QStringLiteral("overwrite"), QStringLiteral("Replace the run RUN_DIR holds (without it, a run "
                                                                  "directory that holds a run is refused).")});
    aes::cli::addLoadOptions(parser);
    aes::cli::addModelOptions(parser);
    aes::cli::addTrainOptions(parser);
    aes::cli::addDistributedOptions(parser);
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    aes::DistributedOptions distributed;
    int nproc = 1;
    QString distError;
    if (!aes::cli::readDistributedOptions(parser, &distributed, &nproc, &distError))
        return fail(distError);
    if (nproc > 1 || distributed.enabled())
        if (const QString problem = aes::backendProblem(distributed); !problem.isEmpty())
            return fail(problem);
    const bool resume = parser.isSet(QStringLiteral("resume"));
    if (!resume && parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("train needs exactly one DATA argument (see --help)"));
    if (resume && !parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("train --resume takes its data from the run; leave DATA out"));
    if (!resume && !parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("train needs --out RUN_DIR"));

    aes::TrainJobOptions job;
    job.data = resume ? QString() : parser.positionalArguments().first();
    job.runDir = parser.value(QStringLiteral("out"));
    job.overwrite = parser.isSet(QStringLiteral("overwrite"));
    QString error;
    if (!aes::cli::readLoadOptions(parser, &job.load, &error) || !aes::cli::readModelOptions(parser, &job.model, &error)
        || !aes::cli::readTrainOptions(parser, &job.train, &error))
        return fail(error);
    // The options not given follow the data (training/datadefaults.h): set once it is loaded.
    job.automatic.latent = !parser.isSet(QStringLiteral("latent"));
    job.automatic.widths = !parser.isSet(QStringLiteral("widths"));
    job.automatic.batchSize = !parser.isSet(QStringLiteral("batch"));
    job.automatic.epochs = !parser.isSet(QStringLiteral("epochs"));
    job.automatic.schedule = !parser.isSet(QStringLiteral("schedule"));
    if (parser.isSet(QStringLiteral("classes"))) {
        if (resume)
            return fail(QStringLiteral("train --resume keeps the run's classes; leave --classes out"));
        job.classes = parser.value(QStringLiteral("classes")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    }
    if (resume) {
        job.resume = parser.value(QStringLiteral("resume"));
        job.resumeEpochs = parser.isSet(QStringLiteral("epochs")) ? job.train.epochs : 0;
    }
    if (nproc > 1) {
        // Every option was checked above; the processes get the same command line.
        QStringList childArgs{QStringLiteral("train")};
        const QStringList own = args.mid(1);
        for (int i = 0; i < own.size(); ++i) {
            const QString a = own.at(i);
            if (a == QLatin1String("--nproc") || a == QLatin1String("-nproc"))
                ++i;  // and its value
            else if (!a.startsWith(QLatin1String("--nproc=")) && !a.startsWith(QLatin1String("-nproc=")))
                childArgs << a;
        }
        return aes::cli::launchDataParallel(childArgs, nproc, distributed.timeoutSeconds);
    }
    job.distributed = distributed;
    // Rank 0 speaks for a data-parallel run; the other ranks report only their failures.
    const bool quiet = distributed.enabled() && distributed.rank > 0;

    const bool tty = isatty(STDERR_FILENO) && !quiet;
    QElapsedTimer lastPrint;
    lastPrint.start();
    QElapsedTimer runClock;
    runClock.start();
    aes::TrainingControl control;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);  // like Ctrl+C: stop after the batch, keep the checkpoint
    aes::TrainJobCallbacks callbacks;
    int epochs = job.train.epochs;
    qint64 firstStep = -1;  // of this process: a resumed run starts past step 1
    callbacks.onLoadProgress = [&](qint64 done, qint64 total) {
        if (tty && (lastPrint.elapsed() > 100 || done == total)) {
            printErr(QStringLiteral("\rloading %1/%2").arg(done).arg(total));
            lastPrint.restart();
        }
    };
    callbacks.onLoaded = [&](const aes::Dataset &d, const aes::LoadReport &report) {
        runClock.start();
        if (quiet)
            return;
        printErr(QStringLiteral("%1%2: %3 - %4x%5, %6 channel(s), %7\n")
                     .arg(tty ? QStringLiteral("\r\033[K") : QString(), d.source, report.summary())
                     .arg(d.width()).arg(d.height()).arg(d.channels())
                     .arg(!job.classes.isEmpty() ? QStringLiteral("only %1: %2 images").arg(d.classNames.join(QStringLiteral(", ")))
                                                   .arg(d.size())
                          : d.hasLabels() ? QStringLiteral("%1 classes").arg(d.classNames.size())
                                          : QStringLiteral("unlabelled")));
        if (report.audio)
            printErr(QStringLiteral("audio: %1\n").arg(report.audioDetails));
        runClock.start();
    };
    callbacks.onDefaults = [&](const QString &chosen) {
        if (!quiet)
            printErr(QStringLiteral("defaults %1\n").arg(chosen));
    };
    callbacks.onModelReady = [&](const aes::Trainer &t) {
        epochs = t.trainOptions().epochs;
        if (quiet)
            return;
        if (t.epochsCompleted() > 0)
            printErr(QStringLiteral("continuing after epoch %1 (step %2)\n").arg(t.epochsCompleted()).arg(t.globalStep()));
        const bool cuda = t.deviceName().startsWith(QLatin1String("cuda"));
        const int threads = aes::setComputeThreads(t.trainOptions().threads);
        const int processThreads = t.trainOptions().threads > 0 ? t.trainOptions().threads
            : std::max(1, QThread::idealThreadCount() / std::max(1, distributed.localWorldSize));
        printErr(QStringLiteral("model %1, latent %2; training on %3 images, validating on %4, on %5, %6\n")
                     .arg(aes::toString(t.modelOptions().kind)).arg(t.modelOptions().latent)
                     .arg(t.split().train.numel()).arg(t.split().val.numel()).arg(t.deviceName())
                     .arg(distributed.enabled()
                              ? QStringLiteral("%1 processes (%2 backend) x %3 thread(s), batch %4 per process")
                                    .arg(distributed.worldSize).arg(distributed.backend).arg(processThreads)
                                    .arg(t.trainOptions().batchSize)
                          : t.trainOptions().threads == 0 && threads > 1 && !cuda
                              ? QStringLiteral("1 or %1 threads (the faster, chosen each epoch)").arg(threads)
                              : QStringLiteral("%1 thread(s)").arg(threads)));
    };
    callbacks.training.onStep = [&](const aes::StepReport &s) {
        if (g_interrupted.load())
            control.stop();
        if (!tty || (lastPrint.elapsed() < 100 && s.stepInEpoch != s.stepsPerEpoch))
            return;
        lastPrint.restart();
        if (firstStep < 0)
            firstStep = s.globalStep;
        const double remainingSteps = double((epochs - s.epoch) * s.stepsPerEpoch + s.stepsPerEpoch - s.stepInEpoch);
        const double secondsPerStep = runClock.elapsed() / 1000.0 / double(s.globalStep - firstStep + 1);
        printErr(QStringLiteral("\r\033[Kepoch %1/%2  step %3/%4  loss %5  %6 img/s  ETA %7")
                     .arg(s.epoch).arg(epochs).arg(s.stepInEpoch).arg(s.stepsPerEpoch)
                     .arg(number(s.loss, 5)).arg(s.imagesPerSecond, 0, 'f', 0)
                     .arg(duration(remainingSteps * secondsPerStep)));
    };
    callbacks.training.onEpoch = [&](const aes::EpochReport &e) {
        if (quiet)
            return;
        printErr(QStringLiteral("%1epoch %2/%3  train %4  val %5  mse %6  psnr %7 dB  ssim %8  knn %9  %10 img/s  %11 s\n")
                     .arg(tty ? QStringLiteral("\r\033[K") : QString()).arg(e.epoch).arg(epochs)
                     .arg(number(e.trainLoss, 5), number(e.valLoss, 5), number(e.valMse, 5),
                          number(e.valPsnr, 2), number(e.valSsim, 4), number(e.knnAccuracy, 3))
                     .arg(e.imagesPerSecond, 0, 'f', 0).arg(e.seconds, 0, 'f', 1));
    };
    const aes::TrainJobResult result = aes::runTrainJob(job, control, callbacks);
    if (!result.ok && result.summary.isEmpty())
        return fail(result.error);
    if (result.outcome.status == aes::TrainStatus::Failed && distributed.enabled()) {
        // One line naming the rank at fault (training/distributed.h).
        printErr(QStringLiteral("%1aestudio-cli: %2\n").arg(tty ? QStringLiteral("\r\033[K") : QString(), result.outcome.message));
        return 1;
    }
    if (quiet)
        return result.outcome.status == aes::TrainStatus::Finished ? 0 : result.outcome.status == aes::TrainStatus::Stopped ? 130 : 3;
    const double comm = result.summary.value(QStringLiteral("communication_seconds")).toDouble();
    const double trained = result.summary.value(QStringLiteral("step_seconds")).toDouble();
    if (distributed.enabled() && trained > 0)
        printErr(QStringLiteral("communication %1 s of %2 s of training steps (%3%)\n")
                     .arg(comm, 0, 'f', 2).arg(trained, 0, 'f', 2).arg(100.0 * comm / trained, 0, 'f', 1));
    printErr(QStringLiteral("%1%2; results in %3\n")
                 .arg(tty ? QStringLiteral("\r\033[K") : QString(), result.outcome.message,
                      QDir(job.runDir).absolutePath()));
    if (!result.ok)
        return fail(result.error);
    switch (result.outcome.status) {
    case aes::TrainStatus::Finished: return 0;
    case aes::TrainStatus::Stopped: return 130;
    case aes::TrainStatus::Diverged: return 3;
    case aes::TrainStatus::Failed: return 1;
    }
    return 1;
}

int encode(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Encode every image of DATA with the model of RUN_DIR.\n"
        "Writes a TSV: a header path<TAB>label<TAB>z0<TAB>z1..., then one row per image."));
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"), QStringLiteral("A run directory (or its checkpoint.pt)."));
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("Image folder or IDX file."));
    parser.addOption({QStringLiteral("out"), QStringLiteral("TSV file to write."), QStringLiteral("codes.tsv")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Compute threads (default: every core)."), QStringLiteral("N")});
    aes::cli::addDeviceOption(parser);
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 2)
        return fail(QStringLiteral("encode needs RUN_DIR and DATA (see --help)"));
    if (!parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("encode needs --out FILE"));
    QString device, error;
    if (!aes::cli::readDevice(parser, &device, &error))
        return fail(error);
    aes::setComputeThreads(parser.value(QStringLiteral("threads")).toInt());
    const aes::EncodeJobResult r = aes::runEncodeJob(parser.positionalArguments().at(0),
                                                     parser.positionalArguments().at(1),
                                                     parser.value(QStringLiteral("out")), {}, device);
    if (!r.ok)
        return fail(r.error);
    printErr(QStringLiteral("%1; wrote %2 rows to %3\n").arg(r.report.summary()).arg(r.rows).arg(parser.value(QStringLiteral("out"))));
    return 0;
}

int exportRun(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Export the model of RUN_DIR for other tools, and its dataset's codes and reconstructions.\n"
        "Embeddings and images load the run's dataset from where it was trained."));
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"), QStringLiteral("A run directory (or its checkpoint.pt)."));
    parser.addOption({QStringLiteral("torchscript"), QStringLiteral("TorchScript archive to write (encode, decode, forward)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("onnx"), QStringLiteral("Folder for encoder.onnx and decoder.onnx."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("embeddings"), QStringLiteral("Folder for TensorBoard projector files (vectors.tsv, metadata.tsv, sprite.png)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("images"), QStringLiteral("Folder for images beside their reconstructions (PNG)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("clusters"), QStringLiteral("With --embeddings: a k-means cluster column of K clusters in metadata.tsv."), QStringLiteral("K")});
    parser.addOption({QStringLiteral("cluster-seed"), QStringLiteral("The seed of --clusters (default 1)."), QStringLiteral("S"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("image-count"), QStringLiteral("Images for --images, from the start of the dataset; 0 = all (default 64)."), QStringLiteral("N"), QStringLiteral("64")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Compute threads (default: every core)."), QStringLiteral("N")});
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("export needs exactly one RUN_DIR (see --help)"));
    aes::ExportTargets targets;
    targets.torchscriptFile = parser.value(QStringLiteral("torchscript"));
    targets.onnxDir = parser.value(QStringLiteral("onnx"));
    targets.embeddingsDir = parser.value(QStringLiteral("embeddings"));
    targets.imagesDir = parser.value(QStringLiteral("images"));
    bool countOk = false;
    targets.imageCount = parser.value(QStringLiteral("image-count")).toInt(&countOk);
    if (!countOk || targets.imageCount < 0)
        return fail(QStringLiteral("--image-count needs a number of images (0 = all), not \"%1\"")
                        .arg(parser.value(QStringLiteral("image-count"))));
    if (parser.isSet(QStringLiteral("clusters"))) {
        bool ok = false, seedOk = false;
        targets.clusters = parser.value(QStringLiteral("clusters")).toInt(&ok);
        targets.clusterSeed = parser.value(QStringLiteral("cluster-seed")).toULongLong(&seedOk);
        if (!ok || targets.clusters < 1 || !seedOk)
            return fail(QStringLiteral("--clusters needs a number of clusters (1 or more) and --cluster-seed a number"));
    }
    if (targets.isEmpty())
        return fail(QStringLiteral("export needs at least one of --torchscript, --onnx, --embeddings, --images"));
    aes::setComputeThreads(parser.value(QStringLiteral("threads")).toInt());
    // Ctrl+C / SIGTERM end the export between its steps: every file written so far is whole
    // (each is renamed into place when complete) and no temporary file is left behind.
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    const aes::ExportJobResult r = aes::runExportJob(
        parser.positionalArguments().first(), targets,
        [](const QString &step, int done, int total) {
            if (g_interrupted.load()) {
                printErr(QStringLiteral("stopped before %1\n").arg(step));
                std::_Exit(130);
            }
            if (done < total)
                printErr(QStringLiteral("[%1/%2] %3\n").arg(done + 1).arg(total).arg(step));
        });
    for (const QString &line : r.written)
        printErr(QStringLiteral("wrote %1\n").arg(line));
    if (!r.ok)
        return fail(r.error);
    return 0;
}

int project(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Project vectors to 2-D: the codes of a run's whole dataset, or the rows of a TSV.\n"
        "Writes one row per input row, the coordinates as its last two columns:\n"
        "path<TAB>label<TAB>x<TAB>y for a run, x<TAB>y for a TSV."));
    parser.addPositionalArgument(QStringLiteral("INPUT"), QStringLiteral("A run directory (or its checkpoint.pt), or a TSV of vectors (one per row, no header)."));
    parser.addOption({QStringLiteral("method"), QStringLiteral("pca, tsne or umap."), QStringLiteral("METHOD")});
    parser.addOption({QStringLiteral("perplexity"), QStringLiteral("t-SNE perplexity (default 30)."), QStringLiteral("P"), QStringLiteral("30")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("t-SNE and UMAP seed (default 0)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("iterations"), QStringLiteral("t-SNE iterations (default 1000)."), QStringLiteral("N"), QStringLiteral("1000")});
    parser.addOption({QStringLiteral("neighbors"), QStringLiteral("UMAP n_neighbors, the point itself included (default 15)."), QStringLiteral("K"), QStringLiteral("15")});
    parser.addOption({QStringLiteral("min-dist"), QStringLiteral("UMAP min_dist, 0 to 1 (default 0.1)."), QStringLiteral("D"), QStringLiteral("0.1")});
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("UMAP epochs (default: 500 up to 10000 rows, else 200)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("repulsion"), QStringLiteral("UMAP repulsion strength, gamma (default 5; umap-learn's is 1)."), QStringLiteral("G"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("TSV file to write."), QStringLiteral("xy.tsv")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Compute threads (default: every core)."), QStringLiteral("N")});
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("project needs exactly one INPUT (see --help)"));
    if (!parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("project needs --out FILE"));
    const QString methodName = parser.value(QStringLiteral("method"));
    const std::optional<aes::ProjectionMethod> method = aes::projectionMethodFromString(methodName);
    if (!method || (*method != aes::ProjectionMethod::Pca && *method != aes::ProjectionMethod::Tsne
                    && *method != aes::ProjectionMethod::Umap))
        return fail(QStringLiteral("project needs --method pca, tsne or umap, not \"%1\"").arg(methodName));
    aes::ProjectJobOptions job;
    job.input = parser.positionalArguments().first();
    job.outTsv = parser.value(QStringLiteral("out"));
    job.projection.method = *method;
    bool ok = false;
    job.projection.tsne.perplexity = parser.value(QStringLiteral("perplexity")).toDouble(&ok);
    if (!ok || !(job.projection.tsne.perplexity > 0))
        return fail(QStringLiteral("--perplexity needs a positive number, not \"%1\"").arg(parser.value(QStringLiteral("perplexity"))));
    job.projection.tsne.seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return fail(QStringLiteral("--seed needs a non-negative integer, not \"%1\"").arg(parser.value(QStringLiteral("seed"))));
    job.projection.tsne.iterations = parser.value(QStringLiteral("iterations")).toInt(&ok);
    if (!ok || job.projection.tsne.iterations < 1)
        return fail(QStringLiteral("--iterations needs a positive integer, not \"%1\"").arg(parser.value(QStringLiteral("iterations"))));
    job.projection.umap.seed = job.projection.tsne.seed;
    job.projection.umap.neighbours = parser.value(QStringLiteral("neighbors")).toInt(&ok);
    if (!ok || job.projection.umap.neighbours < 2)
        return fail(QStringLiteral("--neighbors needs an integer of at least 2, not \"%1\"").arg(parser.value(QStringLiteral("neighbors"))));
    job.projection.umap.minDist = parser.value(QStringLiteral("min-dist")).toDouble(&ok);
    if (!ok || !(job.projection.umap.minDist >= 0.0 && job.projection.umap.minDist <= 1.0))
        return fail(QStringLiteral("--min-dist needs a number from 0 to 1, not \"%1\"").arg(parser.value(QStringLiteral("min-dist"))));
    job.projection.umap.epochs = parser.value(QStringLiteral("epochs")).toInt(&ok);
    if (!ok || job.projection.umap.epochs < 0)
        return fail(QStringLiteral("--epochs needs a non-negative integer, not \"%1\"").arg(parser.value(QStringLiteral("epochs"))));
    job.projection.umap.repulsionStrength = parser.value(QStringLiteral("repulsion")).toDouble(&ok);
    if (!ok || !(job.projection.umap.repulsionStrength > 0.0))
        return fail(QStringLiteral("--repulsion needs a positive number, not \"%1\"").arg(parser.value(QStringLiteral("repulsion"))));
    aes::setComputeThreads(parser.value(QStringLiteral("threads")).toInt());

    const bool tty = isatty(STDERR_FILENO);
    aes::LayoutControl control;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    const bool umap = *method == aes::ProjectionMethod::Umap;
    control.onLayout = [&](const aes::LayoutSnapshot &s) {
        if (g_interrupted.load())
            control.cancel.store(true);
        if (tty)
            printErr(QStringLiteral("\r\033[K%1 %2/%3  %4 s")
                         .arg(umap ? QStringLiteral("UMAP epoch") : QStringLiteral("t-SNE iteration"))
                         .arg(s.iteration).arg(s.iterations).arg(s.seconds, 0, 'f', 1));
    };
    const aes::ProjectJobResult r = aes::runProjectJob(job, &control);
    if (tty && *method != aes::ProjectionMethod::Pca)
        printErr(QStringLiteral("\r\033[K"));
    if (r.cancelled) {
        printErr(QStringLiteral("stopped; nothing written\n"));
        return 130;
    }
    if (!r.ok)
        return fail(r.error);
    printErr(QStringLiteral("%1%2 rows x %3 dimensions, %4 in %5 s; wrote %6\n")
                 .arg(r.fromRun ? r.report.summary() + QStringLiteral("; ") : QString())
                 .arg(r.rows).arg(r.dims).arg(methodName.toLower()).arg(r.projectSeconds, 0, 'f', 2).arg(job.outTsv));
    return 0;
}

int bench(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measure the engine on this machine: training images/s of every model kind at 28x28 gray and\n"
        "64x64 RGB (default options, synthetic images), encoding images/s, and loading images/s of\n"
        "PNG folders written for the purpose (and of DATA when given)."));
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("Optional: also time loading this folder or IDX file."), QStringLiteral("[DATA]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the table as JSON on standard output.")});
    parser.addOption({QStringLiteral("quick"), QStringLiteral("A few images per row: checks that everything runs, in seconds; the figures mean little.")});
    parser.addOption({QStringLiteral("load-only"), QStringLiteral("Time only loading DATA (its peak memory is then the loader's).")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Compute and decoding threads (default: every core)."), QStringLiteral("N")});
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() > 1)
        return fail(QStringLiteral("bench takes at most one DATA argument (see --help)"));
    aes::BenchmarkOptions options;
    options.quick = parser.isSet(QStringLiteral("quick"));
    options.loadOnly = parser.isSet(QStringLiteral("load-only"));
    options.loadPath = parser.positionalArguments().value(0);
    if (options.loadOnly && options.loadPath.isEmpty())
        return fail(QStringLiteral("bench --load-only needs DATA"));
    bool ok = true;
    if (parser.isSet(QStringLiteral("threads")))
        options.threads = parser.value(QStringLiteral("threads")).toInt(&ok);
    if (!ok || options.threads < 0)
        return fail(QStringLiteral("--threads needs a number of threads (0 = every core), not \"%1\"").arg(parser.value(QStringLiteral("threads"))));
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool tty = isatty(STDERR_FILENO);
    const aes::BenchmarkResult r = aes::runBenchmark(options, [&](const QString &line) {
        if (tty)
            printErr(QStringLiteral("\r\033[K%1").arg(line));
    });
    if (tty)
        printErr(QStringLiteral("\r\033[K"));
    if (json) {
        std::fputs(QJsonDocument(aes::toJson(r)).toJson(QJsonDocument::Indented).constData(), stdout);
    } else {
        std::printf("aestudio-cli bench: %d thread(s)%s\n\n", r.threads, options.quick ? ", quick (smoke run)" : "");
        std::printf("%-8s %-12s %-10s %8s %9s %11s\n", "what", "model/data", "input", "images", "seconds", "images/s");
        for (const aes::BenchmarkRow &row : r.rows)
            std::printf("%-8s %-12s %-10s %8lld %9.3f %11.0f\n", qPrintable(row.section), qPrintable(row.name),
                        qPrintable(row.input), static_cast<long long>(row.images), row.seconds, row.imagesPerSecond);
        std::printf("\ntotal %.1f s, peak memory %.0f MiB\n", r.seconds, r.peakRssMiB);
    }
    for (const QString &e : r.errors)
        printErr(QStringLiteral("aestudio-cli: bench: %1\n").arg(e));
    return r.errors.isEmpty() ? 0 : 1;
}

void usage(FILE *to)
{
    std::fputs("Usage: aestudio-cli COMMAND [options]\n\n"
               "Commands:\n"
               "  train DATA --out RUN_DIR     train an autoencoder, write a run directory\n"
               "  encode RUN_DIR DATA --out F  write the codes of DATA's images as TSV\n"
               "  export RUN_DIR [--torchscript FILE] [--onnx DIR] [--embeddings DIR] [--images DIR]\n"
               "                               export the model and its dataset's codes and reconstructions\n"
               "  project INPUT --method pca|tsne|umap --out F\n"
               "                               map a run's codes (or a TSV of vectors) to 2-D\n"
               "  similar RUN_DIR DATA --query FILE [--k 10] --out F\n"
               "                               the images of DATA nearest to FILE in latent space\n"
               "  runs [DIR] [--json]          the table of the runs in DIR\n"
               "  runs compare RUN_A RUN_B --out DIR\n"
               "                               both runs' reconstructions of A's validation images\n"
               "  score RUN_DIR DATA --out scores.csv [--maps DIR] [--score mse|ssim|max-smoothed]\n"
               "                               anomaly score of every image; AUROC etc. with labels\n"
               "  apply RUN_DIR DATA --out DIR  write every image's reconstruction (denoised) as PNG\n"
               "  bench [DATA] [--json] [--quick]\n"
               "                               this machine's training, encoding and loading speed\n"
               "  cache DATA [--size WxH --channels C]\n"
               "                               build or refresh DATA's dataset cache; print its path and size\n"
               "                               (cache --info, cache --clear: the cache folder)\n\n"
               "Every command opens folders through the dataset cache (decoded once, then mapped);\n"
               "--no-cache loads into memory instead, --cache-dir DIR puts the cache elsewhere.\n"
               "aestudio-cli COMMAND --help shows a command's options.\n",
               to);
}

} // namespace

int main(int argc, char *argv[])
{
    aes::selectBlasKernels();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("aestudio-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(AES_VERSION));
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        usage(stderr);
        return 2;
    }
    const QString command = args.at(1);
    QStringList rest = args.mid(2);
    rest.prepend(args.at(0) + QLatin1Char(' ') + command);
    if (QString error; !aes::cli::takeCacheOptions(&rest, &error))
        return fail(error);
    if (command == QLatin1String("train"))
        return train(rest);
    if (command == QLatin1String("encode"))
        return encode(rest);
    if (command == QLatin1String("export"))
        return exportRun(rest);
    if (command == QLatin1String("project"))
        return project(rest);
    if (command == QLatin1String("similar"))
        return aes::cli::similar(rest);
    if (command == QLatin1String("runs"))
        return aes::cli::runs(rest);
    if (command == QLatin1String("score"))
        return aes::cli::score(rest);
    if (command == QLatin1String("apply"))
        return aes::cli::apply(rest);
    if (command == QLatin1String("bench"))
        return bench(rest);
    if (command == QLatin1String("cache"))
        return aes::cli::cache(rest);
    if (command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("help")) {
        usage(stdout);
        return 0;
    }
    if (command == QLatin1String("--version")) {
        std::printf("aestudio-cli %s\n", AES_VERSION);
        return 0;
    }
    usage(stderr);
    return fail(QStringLiteral("unknown command \"%1\"").arg(command));
}
