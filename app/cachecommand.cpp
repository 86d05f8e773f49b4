#include "cachecommand.h"

#include "cliparse.h"
#include "data/cachesettings.h"
#include "data/dataset.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>

#include <cstdio>
#include <unistd.h>

namespace aes::cli {

bool takeCacheOptions(QStringList *args, QString *error)
{
    DatasetCacheSettings settings;
    settings.enabled = true;
    const QString dirOption = QStringLiteral("--cache-dir");
    for (qsizetype i = 0; i < args->size();) {
        const QString a = args->at(i);
        if (a == QLatin1String("--")) {
            break;
        } else if (a == QLatin1String("--no-cache")) {
            settings.enabled = false;
            args->removeAt(i);
        } else if (a == dirOption) {
            if (i + 1 >= args->size()) {
                *error = QStringLiteral("--cache-dir needs a folder");
                return false;
            }
            settings.dir = args->at(i + 1);
            args->remove(i, 2);
        } else if (a.startsWith(dirOption + QLatin1Char('='))) {
            settings.dir = a.mid(dirOption.size() + 1);
            args->removeAt(i);
        } else {
            ++i;
        }
    }
    setDatasetCacheSettings(settings);
    return true;
}

int cache(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Build or refresh the dataset cache of an image folder: its decoded images in one file that\n"
        "later opens are mapped from (only added or changed files are decoded again). Prints the\n"
        "cache file and its size. train, encode, export, score and similar use it by themselves;\n"
        "every command takes --no-cache and --cache-dir DIR (default: %1).")
                                         .arg(QDir::toNativeSeparators(defaultDatasetCacheDir())));
    parser.addPositionalArgument(QStringLiteral("DATA"), QStringLiteral("Image folder (subfolders = classes)."));
    parser.addOption({QStringLiteral("info"), QStringLiteral("Show the cache folder, its files and their size.")});
    parser.addOption({QStringLiteral("clear"), QStringLiteral("Delete every dataset cache file.")});
    addLoadOptions(parser);
    int exitCode = 0;
    if (!parse(parser, args, &exitCode))
        return exitCode;
    const DatasetCacheSettings settings = datasetCacheSettings();
    const QString dir = effectiveCacheDir(settings);
    if (parser.isSet(QStringLiteral("clear")) || parser.isSet(QStringLiteral("info"))) {
        if (!parser.positionalArguments().isEmpty())
            return fail(QStringLiteral("cache --clear and --info take no DATA"));
        const DatasetCacheUsage before = datasetCacheUsage(dir);
        if (parser.isSet(QStringLiteral("info"))) {
            std::printf("%s\t%d files\t%s\n", qPrintable(QDir::toNativeSeparators(dir)), before.files,
                        qPrintable(byteSizeText(before.bytes)));
            return 0;
        }
        QString error;
        const int removed = clearDatasetCache(dir, &error);
        std::printf("deleted %d of %d cache files (%s) in %s\n", removed, before.files,
                    qPrintable(byteSizeText(before.bytes)), qPrintable(QDir::toNativeSeparators(dir)));
        if (!error.isEmpty())
            return fail(error);
        return 0;
    }
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("cache needs exactly one DATA folder (see --help)"));
    if (!settings.enabled)
        return fail(QStringLiteral("cache with --no-cache has nothing to do"));
    LoadOptions options;
    QString error;
    if (!readLoadOptions(parser, &options, &error))
        return fail(error);
    const QString data = parser.positionalArguments().first();
    if (!QFileInfo(data).isDir())
        return fail(QStringLiteral("%1 is not a folder: only image folders are cached").arg(data));
    const bool tty = isatty(STDERR_FILENO);
    QElapsedTimer lastPrint;
    lastPrint.start();
    LoadControl control([&](qint64 done, qint64 total) {
        if (tty && (lastPrint.elapsed() > 100 || done == total)) {
            printErr(total > 0 ? QStringLiteral("\r\033[Kdecoding %1/%2").arg(done).arg(total)
                               : QStringLiteral("\r\033[Klisting %1 files").arg(done));
            lastPrint.restart();
        }
    });
    const LoadResult r = loadDataset(data, options, &control);
    if (tty)
        printErr(QStringLiteral("\r\033[K"));
    if (!r.report.cacheNote.isEmpty())
        printErr(QStringLiteral("%1\n").arg(r.report.cacheNote));
    if (!r.ok()) {
        printErr(QStringLiteral("aestudio-cli: %1\n").arg(r.error));
        return 1;
    }
    const Dataset &d = *r.dataset;
    printErr(QStringLiteral("%1: %2 - %3x%4, %5 channel(s), decoded %6 file(s) in %7 s\n")
                 .arg(d.source, r.report.summary())
                 .arg(d.width()).arg(d.height()).arg(d.channels())
                 .arg(r.report.decoded).arg(r.report.seconds, 0, 'f', 2));
    std::printf("%s\t%s\n", qPrintable(QDir::toNativeSeparators(r.report.cacheFile)),
                qPrintable(byteSizeText(r.report.cacheBytes)));
    return 0;
}

} // namespace aes::cli
