// The dataset cache as a user meets it: a folder opened through the cache gives exactly what a
// fresh load gives (pixels, labels, paths, report), a changed folder is refreshed by decoding
// only what changed, a damaged or foreign cache file is rebuilt with a message, two programs
// opening a folder at once leave a good cache, and training from the mapped file gives the
// losses of training from memory.

#include "data/cachesettings.h"
#include "data/datasetcache.h"
#include "data/folderloader.h"
#include "model/modeloptions.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"
#include "testdata.h"
#include "testutil.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <sys/stat.h>
#include <sys/time.h>

using namespace aes;

namespace {

using aes::test::writeImage;

cv::Mat noise(int width, int height, int type, int seed)
{
    cv::Mat m(height, width, type);
    cv::RNG rng{static_cast<uint64>(seed)};
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    return m;
}

cv::Mat grayAsColour(int width, int height, int seed)
{
    cv::Mat g = noise(width, height, CV_8UC1, seed), c;
    cv::merge(std::vector<cv::Mat>{g, g, g}, c);
    return c;
}

// A folder with what the loader has to handle: classes, nested folders, a stray root file,
// mixed sizes (12x10 is the most frequent), gray and colour images, bad files.
void writeMixedFolder(const QString &root, bool colour = true)
{
    int seed = 1;
    for (const char *cls : {"ant", "bee", "cat"}) {
        for (int i = 0; i < 6; ++i) {
            const QString name = QStringLiteral("%1/%2/img%3.png").arg(root, QLatin1String(cls)).arg(i);
            const cv::Mat image = colour && i % 2 ? noise(12, 10, CV_8UC3, seed) : grayAsColour(12, 10, seed);
            QVERIFY(writeImage(name, image));
            ++seed;
        }
    }
    QVERIFY(writeImage(root + "/bee/deeper/big.jpg", noise(20, 16, CV_8UC3, 99)));
    QVERIFY(writeImage(root + "/cat/small.bmp", noise(7, 9, CV_8UC1, 98)));
    QVERIFY(writeImage(root + QStringLiteral("/cat/\u00e9t\u00e9 \u732b.PNG"), colour ? noise(12, 10, CV_8UC3, 96) : grayAsColour(12, 10, 96)));
    QVERIFY(writeImage(root + "/stray.png", noise(12, 10, CV_8UC3, 97)));
    QVERIFY(aes::test::writeFile(root + "/ant/broken.png", "not a png at all"));
    QVERIFY(aes::test::writeFile(root + "/cat/empty.jpg", QByteArray()));
    QVERIFY(aes::test::writeFile(root + "/cat/notes.txt", "ignored"));
}

// Sets a file's modification time explicitly: a rewrite within the same clock tick must still
// look modified, as it would a second later.
bool touch(const QString &path, qint64 seconds)
{
    const struct timeval times[2] = {{seconds, 0}, {seconds, 0}};
    return utimes(QFile::encodeName(path).constData(), times) == 0;
}

QString compareResults(const LoadResult &a, const LoadResult &b)
{
    if (a.ok() != b.ok())
        return QStringLiteral("one failed: %1 / %2").arg(a.error, b.error);
    if (!a.ok())
        return a.error == b.error ? QString() : QStringLiteral("errors differ: %1 / %2").arg(a.error, b.error);
    const Dataset &x = *a.dataset, &y = *b.dataset;
    if (x.images.sizes() != y.images.sizes())
        return QStringLiteral("shapes differ");
    if (!x.images.equal(y.images))
        return QStringLiteral("pixels differ");
    if (!x.labels.equal(y.labels))
        return QStringLiteral("labels differ");
    if (x.classNames != y.classNames)
        return QStringLiteral("classes differ: %1 / %2").arg(x.classNames.join(','), y.classNames.join(','));
    if (x.paths != y.paths)
        return QStringLiteral("paths differ");
    if (x.source != y.source)
        return QStringLiteral("sources differ");
    if (a.report.loaded != b.report.loaded || a.report.skipped.size() != b.report.skipped.size())
        return QStringLiteral("report counts differ");
    for (qsizetype i = 0; i < a.report.skipped.size(); ++i)
        if (a.report.skipped[i].path != b.report.skipped[i].path || a.report.skipped[i].reason != b.report.skipped[i].reason)
            return QStringLiteral("skipped differ: %1 %2 / %3 %4")
                .arg(a.report.skipped[i].path, a.report.skipped[i].reason, b.report.skipped[i].path,
                     b.report.skipped[i].reason);
    return {};
}

} // namespace

Q_DECLARE_METATYPE(aes::LoadOptions)

class TestDatasetCache final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripEqualsFreshLoad_data();
    void roundTripEqualsFreshLoad();
    void staleCacheIsRefreshed();
    void channelsFollowAddedImages();
    void damagedCacheIsRebuilt_data();
    void damagedCacheIsRebuilt();
    void noUsableImageIsExplained();
    void loadDatasetFollowsTheSetting();
    void clearRemovesCacheFiles();
    void concurrentProcesses();
    void trainingFromMappedMatchesMemory();
};

void TestDatasetCache::roundTripEqualsFreshLoad_data()
{
    QTest::addColumn<LoadOptions>("options");
    LoadOptions automatic;
    QTest::newRow("automatic") << automatic;
    LoadOptions rgb8;
    rgb8.channels = 3;
    rgb8.width = rgb8.height = 8;
    QTest::newRow("rgb 8x8 crop") << rgb8;
    LoadOptions gray;
    gray.channels = 1;
    gray.width = 16;
    gray.height = 12;
    gray.resize = ResizeMode::Letterbox;
    QTest::newRow("gray 16x12 letterbox") << gray;
}

void TestDatasetCache::roundTripEqualsFreshLoad()
{
    QFETCH(LoadOptions, options);
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    writeMixedFolder(data.path());
    const LoadResult fresh = loadFolder(data.path(), options);
    QVERIFY2(fresh.ok(), qPrintable(fresh.error));

    const LoadResult first = openCachedFolder(data.path(), options, cache.path());
    QVERIFY2(first.ok(), qPrintable(first.error));
    QCOMPARE(compareResults(first, fresh), QString());
    QVERIFY(first.dataset->mapped);
    QCOMPARE(first.report.decoded, qint64(23));  // every file but the stray one (not in a class): 21 images, 2 bad files
    QVERIFY(QFileInfo::exists(first.report.cacheFile));
    QCOMPARE(first.report.cacheBytes, QFileInfo(first.report.cacheFile).size());
    QVERIFY(first.report.cacheNote.isEmpty());

    const LoadResult second = openCachedFolder(data.path(), options, cache.path());
    QVERIFY2(second.ok(), qPrintable(second.error));
    QCOMPARE(compareResults(second, fresh), QString());
    QCOMPARE(second.report.decoded, qint64(0));
    QVERIFY(second.report.summary().endsWith("; from the cache"));
    // The cache folder holds the cache file and its lock's leftovers only: no temporary file.
    for (const QString &f : aes::test::filesUnder(cache.path()))
        QVERIFY2(f.endsWith(".aesdata"), qPrintable(f));
}

void TestDatasetCache::staleCacheIsRefreshed()
{
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    writeMixedFolder(data.path());
    LoadOptions options;
    QVERIFY(openCachedFolder(data.path(), options, cache.path()).ok());

    // Modified (same size, other pixels), added, removed: three files to decode.
    const QString modified = data.filePath("ant/img2.png");
    QVERIFY(writeImage(modified, grayAsColour(12, 10, 555)));
    QVERIFY(touch(modified, 2000000000));
    QVERIFY(writeImage(data.filePath("bee/new.png"), noise(12, 10, CV_8UC3, 556)));
    QVERIFY(writeImage(data.filePath("cat/new2.png"), noise(12, 10, CV_8UC3, 557)));
    QVERIFY(QFile::remove(data.filePath("cat/img3.png")));
    QVERIFY(QFile::remove(data.filePath("ant/broken.png")));

    const LoadResult refreshed = openCachedFolder(data.path(), options, cache.path());
    QVERIFY2(refreshed.ok(), qPrintable(refreshed.error));
    QCOMPARE(refreshed.report.decoded, qint64(3));
    QCOMPARE(compareResults(refreshed, loadFolder(data.path(), options)), QString());

    // A new class folder relabels everything; a removed class too.
    QVERIFY(writeImage(data.filePath("dog/d.png"), noise(12, 10, CV_8UC3, 558)));
    const LoadResult relabelled = openCachedFolder(data.path(), options, cache.path());
    QCOMPARE(relabelled.report.decoded, qint64(1));
    QCOMPARE(compareResults(relabelled, loadFolder(data.path(), options)), QString());

    // An unchanged folder is mapped again without decoding.
    QCOMPARE(openCachedFolder(data.path(), options, cache.path()).report.decoded, qint64(0));
}

void TestDatasetCache::channelsFollowAddedImages()
{
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    writeMixedFolder(data.path(), /*colour=*/false);
    QVERIFY(QFile::remove(data.filePath("bee/deeper/big.jpg")));  // the one colour image
    LoadOptions options;
    const LoadResult gray = openCachedFolder(data.path(), options, cache.path());
    QVERIFY2(gray.ok(), qPrintable(gray.error));
    QCOMPARE(gray.dataset->channels(), 1);
    QCOMPARE(compareResults(gray, loadFolder(data.path(), options)), QString());

    // One colour image makes the dataset RGB: the gray images are taken over, not decoded.
    QVERIFY(writeImage(data.filePath("cat/colour.png"), noise(12, 10, CV_8UC3, 3)));
    const LoadResult colour = openCachedFolder(data.path(), options, cache.path());
    QCOMPARE(colour.dataset->channels(), 3);
    QCOMPARE(colour.report.decoded, qint64(1));
    QCOMPARE(compareResults(colour, loadFolder(data.path(), options)), QString());

    // And back to gray when it goes.
    QVERIFY(QFile::remove(data.filePath("cat/colour.png")));
    const LoadResult back = openCachedFolder(data.path(), options, cache.path());
    QCOMPARE(back.dataset->channels(), 1);
    QCOMPARE(back.report.decoded, qint64(0));
    QCOMPARE(compareResults(back, loadFolder(data.path(), options)), QString());
}

void TestDatasetCache::damagedCacheIsRebuilt_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("expected");
    QTest::newRow("truncated") << "truncate" << "truncated";
    QTest::newRow("bit flip in the index") << "index" << "index checksum";
    QTest::newRow("bit flip in the header") << "header" << "header checksum";
    QTest::newRow("foreign file") << "foreign" << "not a dataset cache";
    QTest::newRow("shorter than a header") << "tiny" << "shorter than its header";
}

void TestDatasetCache::damagedCacheIsRebuilt()
{
    QFETCH(QString, damage);
    QFETCH(QString, expected);
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    writeMixedFolder(data.path());
    const LoadOptions options;
    const LoadResult first = openCachedFolder(data.path(), options, cache.path());
    QVERIFY(first.ok());
    const QString file = first.report.cacheFile;
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 size = f.size();
    if (damage == "truncate") {
        QVERIFY(f.resize(size - 100));
    } else if (damage == "tiny") {
        QVERIFY(f.resize(10));
    } else if (damage == "foreign") {
        QVERIFY(f.seek(0));
        QVERIFY(f.write(QByteArray(64, 'x')) == 64);
    } else {
        const qint64 at = damage == "index" ? size - 20 : 40;
        QVERIFY(f.seek(at));
        char byte = 0;
        QVERIFY(f.getChar(&byte));
        QVERIFY(f.seek(at));
        QVERIFY(f.putChar(char(byte ^ 0x10)));
    }
    f.close();

    const LoadResult rebuilt = openCachedFolder(data.path(), options, cache.path());
    QVERIFY2(rebuilt.ok(), qPrintable(rebuilt.error));
    QVERIFY2(rebuilt.report.cacheNote.contains(expected), qPrintable(rebuilt.report.cacheNote));
    QVERIFY(rebuilt.report.cacheNote.contains("rebuilt"));
    QCOMPARE(rebuilt.report.decoded, qint64(23));
    QCOMPARE(compareResults(rebuilt, loadFolder(data.path(), options)), QString());
    // The rebuilt file is trusted again.
    const LoadResult again = openCachedFolder(data.path(), options, cache.path());
    QCOMPARE(again.report.decoded, qint64(0));
    QVERIFY(again.report.cacheNote.isEmpty());
}

void TestDatasetCache::noUsableImageIsExplained()
{
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    QVERIFY(aes::test::writeFile(data.filePath("cat.png"), "not a png"));
    QVERIFY(aes::test::writeFile(data.filePath("cut.jpg"), QByteArray("\xff\xd8\xff", 3)));
    const LoadResult cached = openCachedFolder(data.path(), {}, cache.path());
    QVERIFY(!cached.ok());
    QCOMPARE(compareResults(cached, loadFolder(data.path())), QString());
    QCOMPARE(cached.report.skipped.size(), 2);
    QVERIFY2(cached.error.contains("not an image"), qPrintable(cached.error));
}

void TestDatasetCache::loadDatasetFollowsTheSetting()
{
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    writeMixedFolder(data.path());
    const DatasetCacheSettings saved = datasetCacheSettings();
    setDatasetCacheSettings({true, cache.path()});
    const LoadResult cached = loadDataset(data.path());
    setDatasetCacheSettings({false, cache.path()});
    const LoadResult plain = loadDataset(data.path());
    setDatasetCacheSettings(saved);
    QVERIFY(cached.ok() && plain.ok());
    QVERIFY(cached.dataset->mapped);
    QVERIFY(!plain.dataset->mapped);
    QVERIFY(plain.report.cacheFile.isEmpty());
    QCOMPARE(QFileInfo(cached.report.cacheFile).absolutePath(), QFileInfo(cache.path()).absoluteFilePath());
    QCOMPARE(compareResults(cached, plain), QString());
    QCOMPARE(datasetCacheUsage(cache.path()).files, 1);
}

void TestDatasetCache::clearRemovesCacheFiles()
{
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    writeMixedFolder(data.path());
    LoadOptions small;
    small.width = small.height = 4;
    const LoadResult a = openCachedFolder(data.path(), {}, cache.path());
    QVERIFY(openCachedFolder(data.path(), small, cache.path()).ok());
    const DatasetCacheUsage usage = datasetCacheUsage(cache.path());
    QCOMPARE(usage.files, 2);
    QVERIFY(usage.bytes > a.report.cacheBytes);
    QCOMPARE(clearDatasetCache(cache.path()), 2);
    QCOMPARE(datasetCacheUsage(cache.path()).files, 0);
    // A dataset mapped before the clear still reads (the file lives on until unmapped).
    QCOMPARE(compareResults(a, loadFolder(data.path())), QString());
    QCOMPARE(openCachedFolder(data.path(), {}, cache.path()).report.decoded, qint64(23));
}

void TestDatasetCache::concurrentProcesses()
{
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    for (int i = 0; i < 300; ++i)
        QVERIFY(writeImage(data.filePath(QStringLiteral("img%1.png").arg(i)), noise(32, 32, CV_8UC3, i)));
    // Two programs open the same new folder at the same moment: one builds, the other waits
    // for the lock and maps what the first wrote (or, having read the folder first, finds the
    // finished file). Both succeed and the cache is whole.
    QProcess a, b;
    const QStringList args = {"cache", data.path(), "--cache-dir", cache.path()};
    a.start(QStringLiteral(AES_CLI_PATH), args);
    b.start(QStringLiteral(AES_CLI_PATH), args);
    QVERIFY(a.waitForFinished(60000) && b.waitForFinished(60000));
    QCOMPARE(a.exitCode(), 0);
    QCOMPARE(b.exitCode(), 0);
    const QString errors = QString::fromUtf8(a.readAllStandardError() + b.readAllStandardError());
    QVERIFY2(errors.contains("decoded 300 file(s)"), qPrintable(errors));
    QVERIFY2(errors.contains("decoded 0 file(s)"), qPrintable(errors));
    const QString outA = QString::fromUtf8(a.readAllStandardOutput()).section('\t', 0, 0);
    QCOMPARE(QString::fromUtf8(b.readAllStandardOutput()).section('\t', 0, 0), outA);
    const LoadResult opened = openCachedFolder(data.path(), {}, cache.path());
    QCOMPARE(opened.report.decoded, qint64(0));
    QVERIFY(opened.report.cacheNote.isEmpty());
    QCOMPARE(compareResults(opened, loadFolder(data.path())), QString());
    QCOMPARE(aes::test::filesUnder(cache.path()).size(), 1);
}

void TestDatasetCache::trainingFromMappedMatchesMemory()
{
    QTemporaryDir data, cache;
    QVERIFY(data.isValid() && cache.isValid());
    for (int i = 0; i < 96; ++i)
        QVERIFY(writeImage(data.filePath(QStringLiteral("%1/img%2.png").arg(i % 3).arg(i)),
                           noise(16, 16, CV_8UC3, 1000 + i)));
    const LoadResult mapped = openCachedFolder(data.path(), {}, cache.path());
    const LoadResult memory = loadFolder(data.path());
    QVERIFY(mapped.ok() && memory.ok());
    QVERIFY(mapped.dataset->mapped && !memory.dataset->mapped);
    const auto losses = [](const Dataset &d) {
        ModelOptions model;
        model.kind = ModelKind::Conv;
        model.latent = 8;
        model.widths = {4, 8};
        TrainOptions train;
        train.epochs = 2;
        train.batchSize = 16;
        train.threads = 1;
        train.seed = 5;
        QString error;
        auto trainer = Trainer::create(d, splitIndices(d.size(), 0.25, 5), model, train, &error);
        TrainingControl control;
        QVector<double> out;
        if (!trainer)
            return out;
        trainer->run(control, {[&](const StepReport &s) { out << s.loss; }, {}, {}});
        for (const EpochReport &e : trainer->history())
            out << e.valLoss << e.valSsim << e.knnAccuracy;
        return out;
    };
    const QVector<double> fromMapped = losses(*mapped.dataset);
    QCOMPARE(fromMapped.size(), 2 * 5 + 2 * 3);  // 72 training images in batches of 16
    QCOMPARE(fromMapped, losses(*memory.dataset));

    // A class subset (train --classes) of the mapped dataset stays in the mapping: its images
    // lie inside the mapped file's pixels, no resident copy. Adjacent classes too; two classes
    // apart are copied. The losses are those of the subset taken from memory.
    const at::Tensor &all = mapped.dataset->images;
    const auto *begin = static_cast<const char *>(all.data_ptr());
    for (const QStringList &classes : {QStringList{"1"}, QStringList{"0", "1"}, QStringList{"0", "2"}}) {
        QString error;
        const std::optional<Dataset> view = selectClasses(*mapped.dataset, classes, &error);
        const std::optional<Dataset> copy = selectClasses(*memory.dataset, classes, &error);
        QVERIFY2(view && copy, qPrintable(error));
        QCOMPARE(view->size(), qint64(32 * classes.size()));
        QVERIFY(view->images.is_contiguous() && view->images.equal(copy->images) && view->labels.equal(copy->labels));
        const auto *first = static_cast<const char *>(view->images.data_ptr());
        const bool inMapping = first >= begin && first + view->images.nbytes() <= begin + all.nbytes();
        const bool adjacent = classes != QStringList{"0", "2"};
        QCOMPARE(view->mapped, adjacent);
        QCOMPARE(inMapping, adjacent);
        QCOMPARE(losses(*view), losses(*copy));
    }
}

QTEST_GUILESS_MAIN(TestDatasetCache)
#include "tst_datasetcache.moc"
