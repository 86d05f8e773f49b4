// Loading folders of images as a user would hand them over: classes from subfolders, mixed
// sizes and colour types, odd names, and the bad files that must be named in the report.

#include "data/dataset.h"
#include "testdata.h"

#include <QSize>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <sys/stat.h>
#include <sys/types.h>

#include <future>

using namespace aes;

Q_DECLARE_METATYPE(aes::ResizeMode)

namespace {

using aes::test::indexOfName;
using aes::test::reasonFor;
using aes::test::writeImage;

QByteArray encode(const cv::Mat &image, const QString &ext) { return aes::test::encodeImage(image, ext); }

cv::Mat solid(int width, int height, const cv::Scalar &bgr, int type = CV_8UC3)
{
    return aes::test::solidImage(width, height, bgr, type);
}

int px(const Dataset &d, int i, int c, int y, int x) { return aes::test::pixel(d, i, c, y, x); }

std::vector<int64_t> toVector(const at::Tensor &t)
{
    const at::Tensor c = t.contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

} // namespace

class TestDatasetLoading final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void labelledFolder();
    void flatFolderIsUnlabelled();
    void targetSize_data();
    void targetSize();
    void resizeModes_data();
    void resizeModes();
    void channels_data();
    void channels();
    void colourIsStoredAsRgb();
    void alphaIsCompositedOnWhite();
    void sixteenBitIsScaled();
    void namesAndExtensions();
    void badFilesAreNamedInReport();
    void fifoIsSkippedWithoutHanging();
    void noUsableImageIsAnError();
    void missingPathIsNamed();
    void tooLarge_data();
    void tooLarge();
    void symlinkLoopTerminates();
    void sameResultOnAnyThreadCount();
    void progressAndCancel();
    void floatBatchScalesToUnit();
    void split_data();
    void split();
    void splitIsPinned();
};

void TestDatasetLoading::labelledFolder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeImage(dir.filePath("zebra/z1.png"), solid(4, 4, cv::Scalar::all(30))));
    QVERIFY(writeImage(dir.filePath("ant/a1.png"), solid(4, 4, cv::Scalar::all(10))));
    QVERIFY(writeImage(dir.filePath("ant/a2.jpg"), solid(4, 4, cv::Scalar::all(10))));
    QVERIFY(writeImage(dir.filePath("cat/c1.bmp"), solid(4, 4, cv::Scalar::all(20))));
    QVERIFY(writeImage(dir.filePath("cat/kittens/deep.png"), solid(4, 4, cv::Scalar::all(20))));
    QVERIFY(writeImage(dir.filePath("stray.png"), solid(4, 4, cv::Scalar::all(99))));
    QVERIFY(writeImage(dir.filePath("ant/.hidden.png"), solid(4, 4, cv::Scalar::all(0))));
    QVERIFY(aes::test::writeFile(dir.filePath("cat/notes.txt"), "not an image"));
    QVERIFY(QDir(dir.path()).mkpath("empty_class"));

    const LoadResult result = loadDataset(dir.path());
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    // Sorted by name like torchvision's ImageFolder; a folder without images is no class.
    QCOMPARE(d.classNames, QStringList({"ant", "cat", "zebra"}));
    QCOMPARE(d.size(), qint64(5));
    QCOMPARE(d.labels[indexOfName(d, "a2.jpg")].item<int64_t>(), 0);
    QCOMPARE(d.labels[indexOfName(d, "c1.bmp")].item<int64_t>(), 1);
    QCOMPARE(d.labels[indexOfName(d, "deep.png")].item<int64_t>(), 1);  // nested: still "cat"
    QCOMPARE(d.labels[indexOfName(d, "z1.png")].item<int64_t>(), 2);
    QCOMPARE(px(d, indexOfName(d, "z1.png"), 0, 0, 0), 30);
    // The root-level image is named; the hidden file and the text file are not counted.
    QCOMPARE(result.report.skipped.size(), 1);
    QCOMPARE(reasonFor(result.report, "stray.png"), QStringLiteral("not in a class folder"));
    QCOMPARE(indexOfName(d, ".hidden.png"), -1);
    QCOMPARE(result.report.summary(), QStringLiteral("loaded 5 images, skipped 1 (1 not in a class folder)"));
}

void TestDatasetLoading::flatFolderIsUnlabelled()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const char *name : {"c.png", "a.png", "b.png"})
        QVERIFY(writeImage(dir.filePath(name), solid(3, 2, cv::Scalar::all(name[0]))));
    const LoadResult result = loadDataset(dir.path() + "/");
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    QVERIFY(!d.hasLabels());
    QVERIFY(d.classNames.isEmpty());
    QVERIFY(torch::equal(d.labels, torch::full({3}, -1, torch::kLong)));
    const QString root = QFileInfo(dir.path()).absoluteFilePath();
    QCOMPARE(d.paths, QStringList({root + "/a.png", root + "/b.png", root + "/c.png"}));
    // Images in path order: image 1 is b.png.
    QCOMPARE(px(d, 1, 0, 1, 2), int('b'));
    QCOMPARE(d.images.sizes().vec(), (std::vector<int64_t>{3, 1, 2, 3}));
    QVERIFY(d.images.is_contiguous());
    QCOMPARE(result.report.loaded, 3);
}

void TestDatasetLoading::targetSize_data()
{
    QTest::addColumn<QList<QSize>>("sizes");
    QTest::addColumn<QSize>("option");
    QTest::addColumn<QSize>("expected");
    QTest::newRow("all equal") << QList<QSize>{{5, 7}, {5, 7}, {5, 7}} << QSize(0, 0) << QSize(5, 7);
    QTest::newRow("most frequent") << QList<QSize>{{16, 16}, {8, 6}, {8, 6}, {8, 6}} << QSize(0, 0) << QSize(8, 6);
    QTest::newRow("tie: larger area") << QList<QSize>{{4, 4}, {4, 4}, {6, 5}, {6, 5}} << QSize(0, 0) << QSize(6, 5);
    QTest::newRow("tie reversed") << QList<QSize>{{6, 5}, {6, 5}, {4, 4}, {4, 4}} << QSize(0, 0) << QSize(6, 5);
    QTest::newRow("option") << QList<QSize>{{8, 6}, {16, 16}} << QSize(10, 12) << QSize(10, 12);
    QTest::newRow("option width only") << QList<QSize>{{8, 6}} << QSize(9, 0) << QSize(9, 9);
}

void TestDatasetLoading::targetSize()
{
    QFETCH(QList<QSize>, sizes);
    QFETCH(QSize, option);
    QFETCH(QSize, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int i = 0; i < sizes.size(); ++i)
        QVERIFY(writeImage(dir.filePath(QStringLiteral("img%1.png").arg(i)),
                           solid(sizes[i].width(), sizes[i].height(), cv::Scalar(0, 128, 255))));
    LoadOptions options;
    options.width = option.width();
    options.height = option.height();
    const LoadResult result = loadDataset(dir.path(), options);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->width(), expected.width());
    QCOMPARE(result.dataset->height(), expected.height());
    QCOMPARE(result.dataset->size(), qint64(sizes.size()));
    // Every image, resized or not, keeps its colour (RGB 255,128,0).
    const at::Tensor mean = result.dataset->images.to(torch::kDouble).mean({0, 2, 3});
    QVERIFY(std::abs(mean[0].item<double>() - 255) < 1 && std::abs(mean[2].item<double>()) < 1);
}

void TestDatasetLoading::resizeModes_data()
{
    QTest::addColumn<aes::ResizeMode>("mode");
    QTest::addColumn<int>("topLeftRed");  // red value at (row 0, col 1): image or padding
    QTest::newRow("center crop") << ResizeMode::CenterCrop << 255;
    QTest::newRow("letterbox") << ResizeMode::Letterbox << 0;
}

void TestDatasetLoading::resizeModes()
{
    QFETCH(aes::ResizeMode, mode);
    QFETCH(int, topLeftRed);
    // 16x8, left half red, right half blue, into 8x8 beside two 8x8 green images.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    cv::Mat wide = solid(16, 8, cv::Scalar(0, 0, 255));
    wide(cv::Rect(8, 0, 8, 8)).setTo(cv::Scalar(255, 0, 0));
    QVERIFY(writeImage(dir.filePath("wide.png"), wide));
    QVERIFY(writeImage(dir.filePath("g1.png"), solid(8, 8, cv::Scalar(0, 255, 0))));
    QVERIFY(writeImage(dir.filePath("g2.png"), solid(8, 8, cv::Scalar(0, 255, 0))));
    LoadOptions options;
    options.resize = mode;
    const LoadResult result = loadDataset(dir.path(), options);
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    QCOMPARE(d.width(), 8);
    QCOMPARE(d.height(), 8);
    const int i = indexOfName(d, "wide.png");
    // Both keep left red / right blue in the middle rows (crop: centre 8 columns, letterbox:
    // the whole image at half size).
    QCOMPARE(px(d, i, 0, 4, 1), 255);
    QCOMPARE(px(d, i, 2, 4, 1), 0);
    QCOMPARE(px(d, i, 2, 4, 6), 255);
    QCOMPARE(px(d, i, 0, 4, 6), 0);
    // Crop fills the slot; letterbox pads rows 0-1 and 6-7 with black.
    QCOMPARE(px(d, i, 0, 0, 1), topLeftRed);
    QCOMPARE(px(d, i, 0, 7, 1), topLeftRed);
    QCOMPARE(px(d, indexOfName(d, "g1.png"), 1, 0, 0), 255);  // same-size images untouched
}

void TestDatasetLoading::channels_data()
{
    QTest::addColumn<QStringList>("kinds");
    QTest::addColumn<int>("option");
    QTest::addColumn<int>("expected");
    QTest::newRow("all gray") << QStringList{"gray", "gray"} << 0 << 1;
    QTest::newRow("gray and colour") << QStringList{"gray", "colour"} << 0 << 3;
    QTest::newRow("colour file, gray content") << QStringList{"gray3", "gray"} << 0 << 1;
    QTest::newRow("forced 3") << QStringList{"gray"} << 3 << 3;
    QTest::newRow("forced 1") << QStringList{"colour"} << 1 << 1;
}

void TestDatasetLoading::channels()
{
    QFETCH(QStringList, kinds);
    QFETCH(int, option);
    QFETCH(int, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int i = 0; i < kinds.size(); ++i) {
        cv::Mat image;
        if (kinds[i] == "gray")
            image = solid(4, 4, cv::Scalar(77), CV_8UC1);
        else if (kinds[i] == "gray3")  // stored as an RGB PNG, but R == G == B
            image = solid(4, 4, cv::Scalar::all(77));
        else
            image = solid(4, 4, cv::Scalar(0, 0, 255));  // red
        QVERIFY(writeImage(dir.filePath(QStringLiteral("%1_%2.png").arg(i).arg(kinds[i])), image));
    }
    LoadOptions options;
    options.channels = option;
    const LoadResult result = loadDataset(dir.path(), options);
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    QCOMPARE(d.channels(), expected);
    for (int i = 0; i < kinds.size(); ++i) {
        for (int c = 0; c < expected; ++c) {
            int value = 77;
            if (kinds[i] == "colour")
                value = expected == 1 ? 76 : (c == 0 ? 255 : 0);  // luma of pure red: 0.299 * 255
            QCOMPARE(px(d, i, c, 2, 2), value);
        }
    }
}

void TestDatasetLoading::colourIsStoredAsRgb()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeImage(dir.filePath("red.png"), solid(3, 3, cv::Scalar(0, 0, 255))));
    QVERIFY(writeImage(dir.filePath("blue.png"), solid(3, 3, cv::Scalar(255, 0, 0))));
    const LoadResult result = loadDataset(dir.path());
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    const int red = indexOfName(d, "red.png");
    const int blue = indexOfName(d, "blue.png");
    QCOMPARE(px(d, red, 0, 1, 1), 255);
    QCOMPARE(px(d, red, 2, 1, 1), 0);
    QCOMPARE(px(d, blue, 0, 1, 1), 0);
    QCOMPARE(px(d, blue, 2, 1, 1), 255);
}

void TestDatasetLoading::alphaIsCompositedOnWhite()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    cv::Mat rgba(1, 3, CV_8UC4);
    rgba.at<cv::Vec4b>(0, 0) = {0, 0, 0, 0};      // fully transparent black
    rgba.at<cv::Vec4b>(0, 1) = {255, 0, 0, 255};  // opaque blue
    rgba.at<cv::Vec4b>(0, 2) = {0, 0, 0, 128};    // half-transparent black
    QVERIFY(writeImage(dir.filePath("alpha.png"), rgba));
    const LoadResult result = loadDataset(dir.path());
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    QCOMPARE(d.channels(), 3);
    for (int c = 0; c < 3; ++c)
        QCOMPARE(px(d, 0, c, 0, 0), 255);
    QCOMPARE(px(d, 0, 0, 0, 1), 0);
    QCOMPARE(px(d, 0, 2, 0, 1), 255);
    QVERIFY(std::abs(px(d, 0, 1, 0, 2) - 127) <= 1);
}

void TestDatasetLoading::sixteenBitIsScaled()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    cv::Mat deep(1, 3, CV_16UC1);
    deep.at<quint16>(0, 0) = 65535;
    deep.at<quint16>(0, 1) = 100 * 257;
    deep.at<quint16>(0, 2) = 0;
    QVERIFY(writeImage(dir.filePath("deep.png"), deep));
    const LoadResult result = loadDataset(dir.path());
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;
    QCOMPARE(d.channels(), 1);
    QCOMPARE(px(d, 0, 0, 0, 0), 255);
    QCOMPARE(px(d, 0, 0, 0, 1), 100);
    QCOMPARE(px(d, 0, 0, 0, 2), 0);
}

void TestDatasetLoading::namesAndExtensions()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList names = {QStringLiteral("größe_画像.png"), "UPPER.PNG", "photo.JPEG", "scan.TiF", "old.Bmp"};
    if (cv::haveImageWriter(".webp"))
        names << "modern.webp";
    for (const QString &name : names)
        QVERIFY2(writeImage(dir.filePath(name), solid(6, 6, cv::Scalar::all(200))), qPrintable(name));
    const LoadResult result = loadDataset(dir.path());
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY2(result.report.skipped.isEmpty(), qPrintable(result.report.summary()));
    for (const QString &name : names) {
        const int i = indexOfName(*result.dataset, name);
        QVERIFY2(i >= 0, qPrintable(name));
        QVERIFY(std::abs(px(*result.dataset, i, 0, 3, 3) - 200) <= 2);  // JPEG/WebP are lossy
        QVERIFY(QFileInfo::exists(result.dataset->paths[i]));  // the stored path opens the file
    }
}

void TestDatasetLoading::badFilesAreNamedInReport()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray png = encode(solid(32, 32, cv::Scalar(1, 2, 3)), "png");
    cv::Mat noise(64, 64, CV_8UC3);
    cv::randu(noise, 0, 255);
    const QByteArray jpeg = encode(noise, "jpg");
    QVERIFY(writeImage(dir.filePath("good.png"), solid(32, 32, cv::Scalar(1, 2, 3))));
    QVERIFY(aes::test::writeFile(dir.filePath("x.png"), "I am a text file with an image name\n"));
    QVERIFY(aes::test::writeFile(dir.filePath("cut.png"), png.left(png.size() / 2)));
    QVERIFY(aes::test::writeFile(dir.filePath("cut.jpg"), jpeg.left(jpeg.size() / 2)));
    QVERIFY(aes::test::writeFile(dir.filePath("empty.png"), QByteArray()));
    QVERIFY(aes::test::writeFile(dir.filePath("readme.txt"), "ignored silently"));

    const LoadResult result = loadDataset(dir.path());
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->size(), qint64(1));
    QCOMPARE(result.report.skipped.size(), 4);
    QCOMPARE(reasonFor(result.report, "x.png"), QStringLiteral("not an image"));
    QCOMPARE(reasonFor(result.report, "cut.png"), QStringLiteral("truncated"));
    QCOMPARE(reasonFor(result.report, "cut.jpg"), QStringLiteral("truncated"));
    QCOMPARE(reasonFor(result.report, "empty.png"), QStringLiteral("empty file"));
    QCOMPARE(reasonFor(result.report, "readme.txt"), QStringLiteral("<not in report>"));
    QVERIFY2(result.report.summary().startsWith("loaded 1 image, skipped 4 (2 truncated, "),
             qPrintable(result.report.summary()));
}

void TestDatasetLoading::fifoIsSkippedWithoutHanging()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeImage(dir.filePath("a.png"), solid(4, 4, cv::Scalar::all(9))));
    const QString fifo = dir.filePath("f.png");
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    auto future = std::async(std::launch::async, [&] { return loadDataset(dir.path()); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        QFile writer(fifo);  // a blocked reader returns once a writer opens and closes
        writer.open(QIODevice::WriteOnly);
        writer.close();
        future.wait();
        QFAIL("loading blocked on a FIFO named f.png");
    }
    const LoadResult result = future.get();
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->size(), qint64(1));
    QCOMPARE(reasonFor(result.report, "f.png"), QStringLiteral("not a regular file"));
}

void TestDatasetLoading::noUsableImageIsAnError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString root = QFileInfo(dir.path()).absoluteFilePath();
    LoadResult result = loadDataset(dir.path());
    QVERIFY(!result.ok());
    QCOMPARE(result.error, "No image or audio files found in " + root);
    QCOMPARE(result.report.source, root);

    QVERIFY(aes::test::writeFile(dir.filePath("a.png"), "text"));
    QVERIFY(aes::test::writeFile(dir.filePath("b.jpg"), "more text"));
    QVERIFY(aes::test::writeFile(dir.filePath("c.tif"), QByteArray("II*\0", 4)));
    result = loadDataset(dir.path());
    QVERIFY(!result.ok());
    QCOMPARE(result.error, "No usable image in " + root + ": 3 files skipped (2 not an image, 1 truncated)");
    QCOMPARE(result.report.skipped.size(), 3);
}

void TestDatasetLoading::missingPathIsNamed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath("no/such/folder");
    const LoadResult result = loadDataset(missing);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains("not found") && result.error.contains(missing), qPrintable(result.error));
    QVERIFY(!loadDataset(QString()).ok());
}

void TestDatasetLoading::tooLarge_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("maxPixels");
    QTest::addColumn<qint64>("maxFileBytes");
    // A tiny PNG whose header claims 100000 x 100000: refused by the header alone.
    const QByteArray bomb = QByteArray::fromHex(
        "89504e470d0a1a0a0000000d49484452000186a0000186a00802000000f0a3e9c0"
        "0000000849444154789c03000000000152a4b5d70000000049454e44ae426082");
    QTest::newRow("dimension bomb") << bomb << (qint64(1) << 27) << (qint64(1) << 30);
    const QByteArray real = encode(solid(20, 20, cv::Scalar::all(5)), "png");
    QTest::newRow("over maxPixels") << real << qint64(399) << (qint64(1) << 30);
    QTest::newRow("over maxFileBytes") << real << (qint64(1) << 27) << qint64(real.size() - 1);
}

void TestDatasetLoading::tooLarge()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, maxPixels);
    QFETCH(qint64, maxFileBytes);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(aes::test::writeFile(dir.filePath("big.png"), bytes));
    QVERIFY(writeImage(dir.filePath("small.png"), solid(2, 2, cv::Scalar::all(1))));
    LoadOptions options;
    options.maxPixels = maxPixels;
    options.maxFileBytes = maxFileBytes;
    const LoadResult result = loadDataset(dir.path(), options);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->size(), qint64(1));
    QCOMPARE(reasonFor(result.report, "big.png"), QStringLiteral("too large"));
}

void TestDatasetLoading::symlinkLoopTerminates()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeImage(dir.filePath("a/img.png"), solid(2, 2, cv::Scalar::all(1))));
    QVERIFY(QFile::link(dir.path(), dir.filePath("a/loop")));  // a -> loop -> root -> a ...
    const LoadResult result = loadDataset(dir.filePath("a"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.dataset->size(), qint64(1));
}

void TestDatasetLoading::sameResultOnAnyThreadCount()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    cv::RNG rng(3);
    for (int i = 0; i < 24; ++i) {
        cv::Mat image(8 + (i % 3) * 4, 10 + (i % 2) * 6, CV_8UC3);
        rng.fill(image, cv::RNG::UNIFORM, 0, 255);
        QVERIFY(writeImage(dir.filePath(QStringLiteral("c%1/i%2.png").arg(i % 4).arg(i, 2, 10, QChar('0'))), image));
    }
    LoadOptions one;
    one.threads = 1;
    LoadOptions many;
    many.threads = 5;
    const LoadResult a = loadDataset(dir.path(), one);
    const LoadResult b = loadDataset(dir.path(), many);
    QVERIFY2(a.ok() && b.ok(), qPrintable(a.error + b.error));
    QCOMPARE(a.dataset->paths, b.dataset->paths);
    QVERIFY(torch::equal(a.dataset->images, b.dataset->images));
    QVERIFY(torch::equal(a.dataset->labels, b.dataset->labels));
    QCOMPARE(a.dataset->classNames, QStringList({"c0", "c1", "c2", "c3"}));
}

void TestDatasetLoading::progressAndCancel()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int i = 0; i < 300; ++i)
        QVERIFY(writeImage(dir.filePath(QStringLiteral("%1.png").arg(i)), solid(2, 2, cv::Scalar::all(i % 256))));

    QVector<QPair<qint64, qint64>> calls;  // serialised by LoadControl: no lock needed here
    LoadOptions options;
    options.threads = 4;
    LoadControl control([&](qint64 done, qint64 total) { calls.push_back({done, total}); });
    const LoadResult result = loadDataset(dir.path(), options, &control);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY(calls.size() >= 2);
    QVERIFY2(calls.size() <= 102, qPrintable(QString::number(calls.size())));  // about once per percent
    QCOMPARE(calls.last(), (QPair<qint64, qint64>(300, 300)));
    for (int i = 1; i < calls.size(); ++i)
        QVERIFY(calls[i].first > calls[i - 1].first);

    // Cancelled from the progress callback, i.e. from a loading thread, mid-load.
    LoadControl *self = nullptr;
    LoadControl cancelOnFirst([&self](qint64 done, qint64) {
        if (done > 0)
            self->cancel();
    });
    self = &cancelOnFirst;
    const LoadResult cancelled = loadDataset(dir.path(), options, &cancelOnFirst);
    QVERIFY(!cancelled.ok());
    QVERIFY2(cancelled.error.contains("cancelled"), qPrintable(cancelled.error));
}

void TestDatasetLoading::floatBatchScalesToUnit()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeImage(dir.filePath("a.png"), solid(2, 2, cv::Scalar(0, 0, 0))));
    QVERIFY(writeImage(dir.filePath("b.png"), solid(2, 2, cv::Scalar(0, 51, 255))));
    const LoadResult result = loadDataset(dir.path());
    QVERIFY2(result.ok(), qPrintable(result.error));
    const at::Tensor batch = result.dataset->floatBatch(torch::tensor({1, 0}, torch::kLong));
    QCOMPARE(batch.scalar_type(), torch::kFloat);
    QCOMPARE(batch.sizes().vec(), (std::vector<int64_t>{2, 3, 2, 2}));
    QCOMPARE(batch[0][0][0][0].item<float>(), 1.0f);   // red 255 of b.png first
    QCOMPARE(batch[0][1][1][1].item<float>(), 0.2f);   // green 51
    QCOMPARE(batch[1].abs().sum().item<float>(), 0.0f);
    QCOMPARE(result.dataset->images.scalar_type(), torch::kByte);  // the dataset stays uint8
}

void TestDatasetLoading::split_data()
{
    QTest::addColumn<qint64>("n");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<qint64>("valCount");
    QTest::newRow("10 at 20%") << 10ll << 0.2 << 2ll;
    QTest::newRow("rounds") << 1000ll << 0.1234 << 123ll;
    QTest::newRow("tiny fraction keeps 1") << 10ll << 0.01 << 1ll;
    QTest::newRow("train keeps 1") << 2ll << 1.0 << 1ll;
    QTest::newRow("one image") << 1ll << 0.5 << 0ll;
    QTest::newRow("no validation") << 50ll << 0.0 << 0ll;
    QTest::newRow("empty") << 0ll << 0.2 << 0ll;
}

void TestDatasetLoading::split()
{
    QFETCH(qint64, n);
    QFETCH(double, fraction);
    QFETCH(qint64, valCount);
    const Split s = splitIndices(n, fraction, 1234);
    QCOMPARE(s.val.numel(), valCount);
    QCOMPARE(s.train.numel(), n - valCount);
    QCOMPARE(s.train.scalar_type(), torch::kLong);
    // Disjoint and together every index once.
    const at::Tensor all = std::get<0>(torch::cat({s.train, s.val}).sort());
    QVERIFY(torch::equal(all, torch::arange(int64_t(n), torch::kLong)));
    // The same inputs give the same split; another seed a different one.
    const Split again = splitIndices(n, fraction, 1234);
    QVERIFY(torch::equal(s.val, again.val) && torch::equal(s.train, again.train));
    if (valCount >= 100)
        QVERIFY(!torch::equal(s.val, splitIndices(n, fraction, 1235).val));
}

void TestDatasetLoading::splitIsPinned()
{
    // Values from an independent implementation (Python) of mt19937_64 + Fisher-Yates with
    // rejection sampling: a change of algorithm would silently change every user's split.
    const Split a = splitIndices(10, 0.3, 42);
    QCOMPARE(toVector(a.val), (std::vector<int64_t>{1, 7, 9}));
    QCOMPARE(toVector(a.train), (std::vector<int64_t>{0, 2, 3, 4, 5, 6, 8}));
    const Split b = splitIndices(20, 0.25, 2024);
    QCOMPARE(toVector(b.val), (std::vector<int64_t>{4, 6, 13, 16, 19}));
}

QTEST_GUILESS_MAIN(TestDatasetLoading)
#include "tst_datasetloading.moc"
