#include "runscommand.h"

#include "cliparse.h"
#include "project/runlist.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <cstdio>

namespace aes::cli {

namespace {

QString figure(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("-");
}

} // namespace

int runs(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "List the runs in DIR (every run directory directly inside it, or DIR itself when it is a run),\n"
        "newest first: model, latent size, epochs, final validation loss, PSNR, SSIM, kNN accuracy,\n"
        "training time and how the run ended. A run that early stopping ended on an earlier epoch's\n"
        "weights shows that epoch's figures (\"3 of 5\": epoch 3 kept of 5 trained)."));
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("A folder of runs or a run (default: .)."),
                                 QStringLiteral("[DIR]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the runs as JSON (every option and figure).")});
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() > 1)
        return fail(QStringLiteral("runs takes one DIR at most (see --help)"));
    const QString dir = parser.positionalArguments().value(0, QStringLiteral("."));
    if (!QFileInfo(dir).isDir())
        return fail(QStringLiteral("%1 is not a folder").arg(dir));

    const QVector<RunEntry> list = listRuns(dir);
    for (const RunEntry &run : list)
        if (!run.ok())
            printErr(QStringLiteral("skipped %1: %2\n").arg(run.dir, run.problem));
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const RunEntry &run : list)
            array.append(run.toJson());
        std::fputs(QJsonDocument(array).toJson(QJsonDocument::Indented).constData(), stdout);
        return 0;
    }
    if (list.isEmpty()) {
        printErr(QStringLiteral("no runs in %1\n").arg(dir));
        return 0;
    }
    std::printf("%-24s %-10s %6s %8s %10s %8s %7s %6s %8s  %s\n", "run", "model", "latent", "epochs", "val loss",
                "psnr dB", "ssim", "knn", "seconds", "status");
    for (const RunEntry &run : list) {
        if (!run.ok())
            continue;
        // The kept weights' figures: early stopping's best epoch ("3 of 5"), else the last.
        const EpochReport kept = run.kept();
        const QString name = QDir(dir).relativeFilePath(run.dir);
        const QString epochs = run.keptEarlier()
            ? QStringLiteral("%1 of %2").arg(run.keptEpoch).arg(run.history.last().epoch)
            : QString::number(run.history.size());
        QString status = run.status.isEmpty() ? QStringLiteral("-") : run.status;
        if (run.keptEarlier())
            status += QStringLiteral(" (kept %1 of %2)").arg(run.keptEpoch).arg(run.history.last().epoch);
        std::printf("%-24s %-10s %6d %8s %10s %8s %7s %6s %8s  %s\n", qPrintable(name.isEmpty() ? QStringLiteral(".") : name),
                    qPrintable(toString(run.model.kind)), run.model.latent, qPrintable(epochs),
                    qPrintable(figure(kept.valLoss, 5)), qPrintable(figure(kept.valPsnr, 2)),
                    qPrintable(figure(kept.valSsim, 4)), qPrintable(figure(kept.knnAccuracy, 3)),
                    qPrintable(figure(run.trainSeconds, 1)), qPrintable(status));
    }
    return 0;
}

} // namespace aes::cli
