#include "anomalycommands.h"

#include "anomaly/applyjob.h"
#include "anomaly/scorejob.h"
#include "cliparse.h"
#include "training/trainer.h"

#include <QCommandLineParser>

#include <cmath>
#include <unistd.h>

namespace aes::cli {

namespace {

QString figure(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("-");
}

// --threads N: false and a message when N is not a count.
bool setThreads(const QCommandLineParser &parser, QString *error)
{
    bool ok = true;
    const int threads = parser.isSet(QStringLiteral("threads")) ? parser.value(QStringLiteral("threads")).toInt(&ok) : 0;
    if (!ok || threads < 0) {
        *error = QStringLiteral("--threads needs a number of threads (0 = every core), not \"%1\"").arg(parser.value(QStringLiteral("threads")));
        return false;
    }
    setComputeThreads(threads);
    return true;
}

void printLoadReport(const LoadReport &report, const QString &data)
{
    printErr(QStringLiteral("%1: %2%3\n").arg(data, report.summary(),
                                              report.skipped.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(report.reasonCounts())));
    for (const SkippedFile &s : report.skipped)
        printErr(QStringLiteral("  skipped %1: %2\n").arg(s.path, s.reason));
}

} // namespace

int score(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Score every image of DATA for anomaly with the model of RUN_DIR (higher = more anomalous).\n"
        "Writes scores.csv (path,label,score). With labels, also the evaluation beside it (scores.json:\n"
        "AUROC, AUPR, the F1-best threshold with its precision and recall, the normal classes);\n"
        "with RUN_DIR/anomaly.json, the verdicts at that saved threshold."));
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"), QStringLiteral("A run directory (or its checkpoint.pt)."));
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("Image folder or IDX file, loaded as in training."));
    parser.addOption({QStringLiteral("out"), QStringLiteral("CSV file to write."), QStringLiteral("scores.csv")});
    parser.addOption({QStringLiteral("score"), QStringLiteral("mse (default), ssim (1 - SSIM) or max-smoothed (the largest "
                                                              "Gaussian-blurred squared error: small defects)."), QStringLiteral("KIND")});
    parser.addOption({QStringLiteral("sigma"), QStringLiteral("Blur of the error maps in pixels (max-smoothed, heatmaps; default 2)."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("maps"), QStringLiteral("Folder for each image's heatmap (PNG, the input's relative path and size; "
                                                             "<index>.png for IDX)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("normal"), QStringLiteral("The normal classes (default: good/normal/ok when present, else the "
                                                               "classes the run was trained on)."), QStringLiteral("CLASS[,CLASS]")});
    parser.addOption({QStringLiteral("masks"), QStringLiteral("MVTec AD ground truth (DIR/<defect>/<name>_mask.png): adds the pixel AUROC, "
                                                              "masks fitted to the model's input size."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Compute threads (default: every core)."), QStringLiteral("N")});
    addDeviceOption(parser);
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 2)
        return fail(QStringLiteral("score needs RUN_DIR and DATA (see --help)"));
    if (!parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("score needs --out FILE"));
    ScoreJobOptions job;
    job.runDir = parser.positionalArguments().at(0);
    job.data = parser.positionalArguments().at(1);
    job.outCsv = parser.value(QStringLiteral("out"));
    job.mapsDir = parser.value(QStringLiteral("maps"));
    job.masksDir = parser.value(QStringLiteral("masks"));
    job.normal = parser.value(QStringLiteral("normal")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parser.isSet(QStringLiteral("score"))) {
        const std::optional<ScoreKind> kind = scoreKindFromString(parser.value(QStringLiteral("score")));
        if (!kind)
            return fail(QStringLiteral("--score must be one of %1, not \"%2\"")
                            .arg(scoreKindNames().join(QStringLiteral(", ")), parser.value(QStringLiteral("score"))));
        job.score.kind = *kind;
        job.scoreGiven = true;
    }
    if (parser.isSet(QStringLiteral("sigma"))) {
        bool ok = false;
        job.score.sigma = parser.value(QStringLiteral("sigma")).toDouble(&ok);
        if (!ok || !(job.score.sigma >= 0) || job.score.sigma > 100)
            return fail(QStringLiteral("--sigma needs a blur in pixels from 0 to 100, not \"%1\"").arg(parser.value(QStringLiteral("sigma"))));
        job.scoreGiven = true;
    }
    QString error;
    if (!setThreads(parser, &error) || !readDevice(parser, &job.device, &error))
        return fail(error);
    const bool tty = isatty(STDERR_FILENO);
    const ScoreJobResult r = runScoreJob(job, {}, [tty](qint64 done, qint64 total) {
        if (tty)
            printErr(QStringLiteral("\r\033[Kscoring %1/%2").arg(done).arg(total));
    });
    if (tty)
        printErr(QStringLiteral("\r\033[K"));
    if (r.report.loaded > 0 || !r.report.skipped.isEmpty())
        printLoadReport(r.report, job.data);
    if (!r.ok)
        return fail(r.error);
    printErr(QStringLiteral("scored %1 images (%2); wrote %3\n").arg(r.rows).arg(toString(r.score.kind), job.outCsv));
    if (r.mapsWritten > 0)
        printErr(QStringLiteral("wrote %1 heatmaps under %2\n").arg(r.mapsWritten).arg(job.mapsDir));
    if (r.evaluated) {
        const Evaluation &e = r.evaluation;
        printErr(QStringLiteral("normal: %1 (%2 images), anomalous: %3 images\n")
                     .arg(r.normalClasses.join(QStringLiteral(", "))).arg(e.normal).arg(e.anomalous));
        printErr(QStringLiteral("AUROC %1  AUPR %2  best F1 %3 at threshold %4 (precision %5, recall %6)\n")
                     .arg(figure(e.auroc), figure(e.aupr), figure(e.f1))
                     .arg(e.threshold, 0, 'g', 6).arg(figure(e.precision), figure(e.recall)));
        if (r.maskedImages > 0)
            printErr(QStringLiteral("pixel AUROC %1 over %2 images (masks fitted to the model's input size)\n")
                         .arg(figure(r.pixelAuroc)).arg(r.maskedImages));
        printErr(QStringLiteral("wrote %1\n").arg(r.jsonPath));
    }
    if (r.threshold) {
        printErr(QStringLiteral("saved threshold %1: %2 of %3 images flagged").arg(r.threshold->threshold, 0, 'g', 6)
                     .arg(r.flagged).arg(r.rows));
        const Verdicts &v = r.verdicts;
        if (r.evaluated)
            printErr(QStringLiteral(" (true positives %1, false positives %2, true negatives %3, false negatives %4)")
                         .arg(v.truePositives).arg(v.falsePositives).arg(v.trueNegatives).arg(v.falseNegatives));
        printErr(QStringLiteral("\n"));
    }
    if (!r.note.isEmpty())
        printErr(QStringLiteral("note: %1\n").arg(r.note));
    return 0;
}

int apply(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Run every image of DATA through the model of RUN_DIR and write each reconstruction as PNG\n"
        "under DIR with the image's relative path (<index>.png for IDX); a denoising model's output is\n"
        "the cleaned image. For a folder of audio clips each reconstructed spectrogram is turned back\n"
        "into sound (Griffin-Lim) and written as a WAV of the clip's duration (<name>-<n>.wav for\n"
        "window n). Refuses a DIR that is DATA or inside it; never overwrites an input."));
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"), QStringLiteral("A run directory (or its checkpoint.pt)."));
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("Image folder or IDX file, loaded as in training."));
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder to write (created if missing)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Compute threads (default: every core)."), QStringLiteral("N")});
    addDeviceOption(parser);
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 2)
        return fail(QStringLiteral("apply needs RUN_DIR and DATA (see --help)"));
    if (!parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("apply needs --out DIR"));
    QString error;
    QString device;
    if (!setThreads(parser, &error) || !readDevice(parser, &device, &error))
        return fail(error);
    const QString data = parser.positionalArguments().at(1);
    const QString out = parser.value(QStringLiteral("out"));
    const ApplyJobResult r = runApplyJob(parser.positionalArguments().at(0), data, out, {}, {}, device);
    if (r.report.loaded > 0 || !r.report.skipped.isEmpty())
        printLoadReport(r.report, data);
    if (r.refused)
        return fail(r.error);
    if (!r.ok) {
        printErr(QStringLiteral("aestudio-cli: %1\n").arg(r.error));
        return 1;
    }
    printErr(QStringLiteral("wrote %1 %2 under %3\n").arg(r.written)
                 .arg(r.report.audio ? QStringLiteral("clips") : QStringLiteral("images")).arg(out));
    return 0;
}

} // namespace aes::cli
