#include "runscommand.h"

#include "cliparse.h"
#include "project/runcompare.h"
#include "project/runlist.h"
#include "util/atomicfile.h"

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

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    return QLatin1Char('"') + QString(text).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

// runs compare A B --out DIR: comparison.csv (every compared image) and comparison.png (the
// images where the runs differ most, then a few at random: input | A | B | difference).
int compare(const QString &runA, const QString &runB, const QString &out, int largest, int random)
{
    if (out.isEmpty())
        return fail(QStringLiteral("runs compare needs --out DIR"));
    CompareRequest request;
    request.runA = runA;
    request.runB = runB;
    request.largest = largest;
    request.random = random;
    const RunComparison c = compareRuns(request);
    if (!c.ok())
        return fail(QStringLiteral("cannot compare %1 and %2: %3").arg(runA, runB, c.error));
    if (!QDir().mkpath(out))
        return fail(QStringLiteral("cannot create %1").arg(out));
    const QDir dir(out);
    QByteArray csv = "index,path,mse_a,mse_b,a_minus_b\n";
    for (int i = 0; i < c.indices.size(); ++i)
        csv += QStringLiteral("%1,%2,%3,%4,%5\n")
                   .arg(c.indices[i])
                   .arg(csvField(c.paths.value(i)), QString::number(c.mseA[i], 'g', 9), QString::number(c.mseB[i], 'g', 9),
                        QString::number(c.mseA[i] - c.mseB[i], 'g', 9))
                   .toUtf8();
    if (QString e = writeFileAtomically(dir.filePath(QStringLiteral("comparison.csv")), csv); !e.isEmpty())
        return fail(e);
    if (QString e = writeImageAtomically(dir.filePath(QStringLiteral("comparison.png")), comparisonGrid(c)); !e.isEmpty())
        return fail(e);
    std::printf("A %s: mean MSE %.6f\nB %s: mean MSE %.6f\nover %lld %s images: A better on %lld, B on %lld\n",
                qPrintable(runA), c.meanMseA, qPrintable(runB), c.meanMseB, static_cast<long long>(c.compared),
                c.validation ? "validation" : "training", static_cast<long long>(c.aBetter),
                static_cast<long long>(c.bBetter));
    if (!c.notes.isEmpty())
        printErr(c.notes + QLatin1Char('\n'));
    return 0;
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
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("A folder of runs or a run (default: .); "
                                 "or compare RUN_A RUN_B --out DIR."), QStringLiteral("[DIR | compare RUN_A RUN_B]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the runs as JSON (every option and figure).")});
    parser.addOption({QStringLiteral("out"),
                      QStringLiteral("runs compare A B --out DIR: reconstruct run A's validation images with both runs; "
                                     "writes DIR/comparison.csv (every image's MSE under A and B) and DIR/comparison.png "
                                     "(rows input | A | B | difference: green where A is closer, red where B is)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("largest"), QStringLiteral("runs compare: images shown where A and B differ most (default 8)."),
                      QStringLiteral("N"), QStringLiteral("8")});
    parser.addOption({QStringLiteral("random"), QStringLiteral("runs compare: more images shown, drawn at random (default 4)."),
                      QStringLiteral("N"), QStringLiteral("4")});
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.value(0) == QLatin1String("compare") && positional.size() != 1) {
        if (positional.size() != 3)
            return fail(QStringLiteral("runs compare takes two runs: runs compare RUN_A RUN_B --out DIR"));
        bool okLargest = false, okRandom = false;
        const int largest = parser.value(QStringLiteral("largest")).toInt(&okLargest);
        const int random = parser.value(QStringLiteral("random")).toInt(&okRandom);
        if (!okLargest || !okRandom || largest < 0 || random < 0 || largest + random == 0)
            return fail(QStringLiteral("--largest and --random need whole numbers >= 0, not both 0"));
        return compare(positional[1], positional[2], parser.value(QStringLiteral("out")), largest, random);
    }
    if (parser.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("--out is for runs compare RUN_A RUN_B --out DIR"));
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
