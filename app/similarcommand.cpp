#include "similarcommand.h"

#include "cliparse.h"
#include "project/similarjob.h"
#include "training/trainer.h"

#include <QCommandLineParser>

#include <cstdio>

namespace aes::cli {

int similar(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The images of DATA most like a query image: the k whose codes under RUN_DIR's model lie\n"
        "nearest to the query's code (Euclidean distance, exact over every image).\n"
        "Writes a table with a header rank, path, label, distance: tab-separated, or\n"
        "comma-separated when FILE ends in .csv. The query may be any image file (any audio clip\n"
        "when DATA holds sound: it gets the run's spectrogram options); one that is an image of\n"
        "DATA comes first, at distance 0."));
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"), QStringLiteral("A run directory (or its checkpoint.pt)."));
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("Image folder or IDX file to search."));
    parser.addOption({QStringLiteral("query"), QStringLiteral("The image (or clip) to find images like."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("k"), QStringLiteral("How many images (default 10)."), QStringLiteral("N"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Table to write (default: print it)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Compute threads (default: every core)."), QStringLiteral("N")});
    addDeviceOption(parser);
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 2)
        return fail(QStringLiteral("similar needs RUN_DIR and DATA (see --help)"));
    if (!parser.isSet(QStringLiteral("query")))
        return fail(QStringLiteral("similar needs --query FILE"));
    bool ok = false;
    const int k = parser.value(QStringLiteral("k")).toInt(&ok);
    if (!ok || k < 1)
        return fail(QStringLiteral("--k needs a number of images (1 or more), not \"%1\"").arg(parser.value(QStringLiteral("k"))));
    SimilarJobOptions options;
    QString error;
    if (!readDevice(parser, &options.device, &error))
        return fail(error);
    setComputeThreads(parser.value(QStringLiteral("threads")).toInt());

    options.runDir = parser.positionalArguments().at(0);
    options.data = parser.positionalArguments().at(1);
    options.query = parser.value(QStringLiteral("query"));
    options.k = k;
    options.out = parser.value(QStringLiteral("out"));
    const SimilarJobResult r = runSimilarJob(options);
    if (!r.ok)
        return fail(r.error);
    printErr(QStringLiteral("%1: %2; searched in %3 ms%4\n")
                 .arg(options.data, r.report.summary())
                 .arg(r.searchMs, 0, 'f', 2)
                 .arg(r.queryRow >= 0 ? QStringLiteral(" (the query is image %1 of the data)").arg(r.queryRow) : QString()));
    if (options.out.isEmpty()) {
        std::printf("rank\tpath\tlabel\tdistance\n");
        for (qsizetype i = 0; i < r.neighbours.size(); ++i)
            std::printf("%lld\t%s\t%s\t%.7g\n", static_cast<long long>(i + 1), qPrintable(r.paths.value(i)),
                        qPrintable(r.labels.value(i)), double(r.neighbours[i].distance));
    } else {
        printErr(QStringLiteral("wrote %1 neighbours to %2\n").arg(r.neighbours.size()).arg(options.out));
    }
    return 0;
}

} // namespace aes::cli
