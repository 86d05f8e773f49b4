// IDX (MNIST format) files: round trips, labels found beside the images, and the errors a
// user sees for a wrong or cut-off file.

#include "data/dataset.h"
#include "data/idxfile.h"
#include "testutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>
#include <zlib.h>

using namespace aes;
using aes::test::be32;

namespace {

at::Tensor randomBytes(at::IntArrayRef shape, int high = 256)
{
    return torch::randint(0, high, shape, torch::TensorOptions().dtype(torch::kByte));
}

bool writeGzip(const QString &path, const QByteArray &bytes)
{
    gzFile f = gzopen(QFile::encodeName(path).constData(), "wb");
    if (!f)
        return false;
    const bool ok = gzwrite(f, bytes.constData(), unsigned(bytes.size())) == bytes.size();
    return gzclose(f) == Z_OK && ok;
}

QStringList fashionNames()
{
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

} // namespace

class TestIdxFile final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTripWithLabels_data();
    void roundTripWithLabels();
    void fashionNamesFromPath();
    void labelsWithWrongCountAreReported();
    void withoutLabelsFileIsUnlabelled();
    void wrongMagicIsExplained_data();
    void wrongMagicIsExplained();
    void declaredSizeLargerThanFile_data();
    void declaredSizeLargerThanFile();
    void forgedHugeHeaderIsRefused();
    void corruptGzipIsReported();
    void optionsResizeAndExpand();
    void debianFashionMnist();

private:
    QTemporaryDir m_dir;
};

void TestIdxFile::initTestCase()
{
    QVERIFY(m_dir.isValid());
    torch::manual_seed(7);
}

void TestIdxFile::roundTripWithLabels_data()
{
    QTest::addColumn<QString>("imagesName");
    QTest::addColumn<QString>("labelsName");
    QTest::newRow("gz + gz") << "a/t10k-images-idx3-ubyte.gz" << "a/t10k-labels-idx1-ubyte.gz";
    QTest::newRow("plain + plain") << "b/train-images-idx3-ubyte" << "b/train-labels-idx1-ubyte";
    QTest::newRow("gz + plain") << "c/train-images-idx3-ubyte.gz" << "c/train-labels-idx1-ubyte";
    QTest::newRow("plain + gz") << "d/t10k-images-idx3-ubyte" << "d/t10k-labels-idx1-ubyte.gz";
    QTest::newRow("dotted names") << "e/t10k-images.idx3-ubyte" << "e/t10k-labels.idx1-ubyte";
}

void TestIdxFile::roundTripWithLabels()
{
    QFETCH(QString, imagesName);
    QFETCH(QString, labelsName);
    const QString imagesPath = m_dir.filePath(imagesName);
    const QString labelsPath = m_dir.filePath(labelsName);
    QVERIFY(QDir().mkpath(QFileInfo(imagesPath).absolutePath()));

    const at::Tensor images = randomBytes({6, 5, 4});
    const at::Tensor labels = torch::tensor({0, 3, 1, 3, 2, 0}, torch::kByte);
    QString error;
    QVERIFY2(writeIdx(imagesPath, images, &error), qPrintable(error));
    QVERIFY2(writeIdx(labelsPath, labels, &error), qPrintable(error));
    // A .gz name really is compressed (gzip magic), a plain one really is not.
    QFile written(imagesPath);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.read(2) == QByteArray("\x1f\x8b", 2), imagesName.endsWith(".gz"));

    QCOMPARE(idxLabelsPathFor(imagesPath), QFileInfo(labelsPath).absoluteFilePath());
    QPair<qint64, qint64> lastProgress{-1, -1};
    const LoadControl control([&](qint64 done, qint64 total) { lastProgress = {done, total}; });
    const LoadResult result = loadDataset(imagesPath, {}, &control);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(lastProgress, (QPair<qint64, qint64>(6 * 5 * 4, 6 * 5 * 4)));  // the bar ends full
    const Dataset &d = *result.dataset;
    QCOMPARE(d.images.sizes().vec(), (std::vector<int64_t>{6, 1, 5, 4}));
    QCOMPARE(d.images.scalar_type(), torch::kByte);
    QVERIFY(torch::equal(d.images.squeeze(1), images));
    QVERIFY(torch::equal(d.labels, labels.to(torch::kLong)));
    QCOMPARE(d.classNames, QStringList({"0", "1", "2", "3"}));
    QCOMPARE(d.paths.size(), 6);
    QCOMPARE(d.paths[4], QFileInfo(imagesPath).absoluteFilePath() + "#4");
    QCOMPARE(result.report.loaded, 6);
    QVERIFY(result.report.skipped.isEmpty());
}

void TestIdxFile::fashionNamesFromPath()
{
    const QString folder = m_dir.filePath("Fashion-MNIST-copy");
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeIdx(folder + "/t10k-images-idx3-ubyte.gz", randomBytes({4, 3, 3})));
    QVERIFY(writeIdx(folder + "/t10k-labels-idx1-ubyte.gz", torch::tensor({9, 0, 5, 1}, torch::kByte)));
    const LoadResult result = loadDataset(folder + "/t10k-images-idx3-ubyte.gz");
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->classNames, fashionNames());
    QCOMPARE(result.dataset->classNames.at(int(result.dataset->labels[0].item<int64_t>())),
             QStringLiteral("Ankle boot"));
}

void TestIdxFile::labelsWithWrongCountAreReported()
{
    const QString folder = m_dir.filePath("wrongcount");
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeIdx(folder + "/train-images-idx3-ubyte", randomBytes({5, 2, 2})));
    const QString labelsPath = folder + "/train-labels-idx1-ubyte";
    QVERIFY(writeIdx(labelsPath, torch::tensor({1, 2, 3}, torch::kByte)));
    const LoadResult result = loadDataset(folder + "/train-images-idx3-ubyte");
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY(!result.dataset->hasLabels());
    QVERIFY(torch::equal(result.dataset->labels, torch::full({5}, -1, torch::kLong)));
    QCOMPARE(result.report.skipped.size(), 1);
    QCOMPARE(result.report.skipped[0].path, QFileInfo(labelsPath).absoluteFilePath());
    QVERIFY2(result.report.skipped[0].reason.contains("3 labels for 5 images"),
             qPrintable(result.report.skipped[0].reason));
}

void TestIdxFile::withoutLabelsFileIsUnlabelled()
{
    const QString path = m_dir.filePath("lonely-images-idx3-ubyte");
    QVERIFY(writeIdx(path, randomBytes({3, 2, 2})));
    const LoadResult result = loadDataset(path);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY(!result.dataset->hasLabels());
    QVERIFY(result.report.skipped.isEmpty());
}

void TestIdxFile::wrongMagicIsExplained_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("readIdxError");      // from readIdx
    QTest::addColumn<QString>("loadDatasetError");  // from loadDataset
    QTest::newRow("png bytes") << QByteArray("\x89PNG\r\n\x1a\n....") << "not an IDX file (magic 0x89504e47)"
                               << "neither a folder of images nor an IDX images file";
    QTest::newRow("int32 data") << be32(0x00000c03) + be32(1) + be32(1) + be32(1) + be32(0)
                                << "unsupported IDX data type 0x0c" << "neither a folder";
    QTest::newRow("labels file") << be32(0x00000801) + be32(2) + QByteArray("\x01\x02", 2) << QString()
                                 << "is an IDX labels file";
}

void TestIdxFile::wrongMagicIsExplained()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, readIdxError);
    QFETCH(QString, loadDatasetError);
    const QString path = m_dir.filePath(QStringLiteral("magic-%1").arg(QTest::currentDataTag()).replace(' ', '_'));
    QVERIFY(aes::test::writeFile(path, bytes));
    const IdxArray array = readIdx(path);
    if (readIdxError.isEmpty()) {
        QVERIFY2(array.ok(), qPrintable(array.error));
    } else {
        QVERIFY(!array.ok());
        QVERIFY2(array.error.contains(readIdxError), qPrintable(array.error));
    }
    const LoadResult result = loadDataset(path);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(loadDatasetError), qPrintable(result.error));
    QVERIFY2(result.error.contains(QFileInfo(path).absoluteFilePath()), qPrintable(result.error));
}

void TestIdxFile::declaredSizeLargerThanFile_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestIdxFile::declaredSizeLargerThanFile()
{
    QFETCH(bool, gzip);
    // A header saying 100 images of 28x28 over the data of 10: an intact file (or gzip
    // stream) whose header lies, as after an interrupted download that was re-packed.
    const at::Tensor images = randomBytes({10, 28, 28});
    const QByteArray bytes = be32(0x00000803) + be32(100) + be32(28) + be32(28)
                             + QByteArray(reinterpret_cast<const char *>(images.data_ptr<uint8_t>()), 10 * 28 * 28);
    const QString path = m_dir.filePath(gzip ? "lying-images-idx3-ubyte.gz" : "lying-images-idx3-ubyte");
    QVERIFY(gzip ? writeGzip(path, bytes) : aes::test::writeFile(path, bytes));

    const IdxArray array = readIdx(path);
    QVERIFY(!array.ok());
    QVERIFY2(array.error.contains("truncated: header says 100 images of 28x28 but the file holds fewer (10 complete)"),
             qPrintable(array.error));
    const LoadResult result = loadDataset(path);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains("truncated"), qPrintable(result.error));
    QVERIFY2(result.error.contains(QFileInfo(path).fileName()), qPrintable(result.error));
}

void TestIdxFile::forgedHugeHeaderIsRefused()
{
    // 1,000,000 images of 10000x10000 in a file of 16 bytes: refused by the header check.
    const QString path = m_dir.filePath("forged-images-idx3-ubyte");
    QVERIFY(aes::test::writeFile(path, be32(0x00000803) + be32(1000000) + be32(10000) + be32(10000)));
    const LoadResult result = loadDataset(path);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains("more than the 4 GiB"), qPrintable(result.error));

    // Sizes whose product does not fit in 64 bits (found by fuzz/fuzz_idx): refused the same way.
    QVERIFY(aes::test::writeFile(path, be32(0x00000803) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF)));
    const IdxArray overflow = readIdx(path);
    QVERIFY(!overflow.ok());
    QVERIFY2(overflow.error.contains("more than the 4 GiB"), qPrintable(overflow.error));

    // Plausible total but no data: fails as truncated without needing the declared memory.
    QVERIFY(aes::test::writeFile(path, be32(0x00000803) + be32(60000) + be32(100) + be32(100)));
    const IdxArray array = readIdx(path);
    QVERIFY(!array.ok());
    QVERIFY2(array.error.contains("(0 complete)"), qPrintable(array.error));
}

void TestIdxFile::corruptGzipIsReported()
{
    const QString good = m_dir.filePath("good-images-idx3-ubyte.gz");
    QVERIFY(writeIdx(good, randomBytes({50, 28, 28})));
    QFile file(good);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray bytes = file.readAll();
    file.close();

    // Garbage in the middle of the deflate stream.
    QByteArray corrupt = bytes;
    for (int i = 100; i < 400; ++i)
        corrupt[i] = char(0xA5 ^ i);
    const QString corruptPath = m_dir.filePath("corrupt-images-idx3-ubyte.gz");
    QVERIFY(aes::test::writeFile(corruptPath, corrupt));
    const IdxArray broken = readIdx(corruptPath);
    QVERIFY(!broken.ok());
    QVERIFY2(broken.error.startsWith("corrupt-images-idx3-ubyte.gz: corrupt data"), qPrintable(broken.error));
    const LoadResult result = loadDataset(corruptPath);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains("corrupt data"), qPrintable(result.error));

    // The gzip stream itself cut off: the header is complete, the data is not.
    const QString cutPath = m_dir.filePath("cut-images-idx3-ubyte.gz");
    QVERIFY(aes::test::writeFile(cutPath, bytes.left(bytes.size() / 2)));
    const IdxArray cut = readIdx(cutPath);
    QVERIFY(!cut.ok());
    QVERIFY2(cut.error.contains("truncated: header says 50 images of 28x28"), qPrintable(cut.error));
}

void TestIdxFile::optionsResizeAndExpand()
{
    const QString path = m_dir.filePath("opts-images-idx3-ubyte");
    const at::Tensor images = randomBytes({3, 8, 8});
    QVERIFY(writeIdx(path, images));

    LoadOptions rgb;
    rgb.channels = 3;
    LoadResult result = loadDataset(path, rgb);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->images.sizes().vec(), (std::vector<int64_t>{3, 3, 8, 8}));
    QVERIFY(torch::equal(result.dataset->images.select(1, 2), images));

    LoadOptions small;
    small.width = 4;
    small.height = 4;
    result = loadDataset(path, small);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->images.sizes().vec(), (std::vector<int64_t>{3, 1, 4, 4}));
    // INTER_AREA halving = mean of each 2x2 block.
    const int expected = int(std::lround(images[1].slice(0, 2, 4).slice(1, 4, 6).to(torch::kDouble).mean().item<double>()));
    QVERIFY(std::abs(result.dataset->images[1][0][1][2].item<int>() - expected) <= 1);
}

void TestIdxFile::debianFashionMnist()
{
    const QString path = QStringLiteral("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
    if (!QFileInfo::exists(path))
        QSKIP("Fashion-MNIST is not installed (Debian package fashion-mnist)");
    const LoadResult result = loadDataset(path);
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    QCOMPARE(d.size(), qint64(10000));
    QCOMPARE(d.channels(), 1);
    QCOMPARE(d.height(), 28);
    QCOMPARE(d.width(), 28);
    QCOMPARE(d.classNames, fashionNames());
    // The test set is balanced: 1000 images per class.
    const at::Tensor counts = torch::bincount(d.labels);
    QCOMPARE(counts.size(0), 10);
    QVERIFY(torch::equal(counts, torch::full({10}, 1000, torch::kLong)));
    QCOMPARE(result.report.loaded, 10000);
    QCOMPARE(d.paths.last(), path + "#9999");
    // Real pictures: neither blank nor noise.
    const double mean = d.images.to(torch::kDouble).mean().item<double>();
    QVERIFY2(mean > 40 && mean < 110, qPrintable(QString::number(mean)));
}

QTEST_GUILESS_MAIN(TestIdxFile)
#include "tst_idxfile.moc"
