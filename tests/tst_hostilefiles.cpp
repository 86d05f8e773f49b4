// The folder a user did not curate: every odd or hostile file of issue 7 in one folder,
// loaded at once. Each valid image must load with its right orientation and colours; each
// invalid one is skipped and named with its reason; nothing hangs; the dimension bomb is
// refused from its header. Then a folder with no image at all, and lying IDX files.
//
// Fixtures are generated here: OpenCV writes the ordinary images; PNG colour types OpenCV
// cannot write (palette, gray + alpha) are assembled chunk by chunk; the CMYK JPEG comes from
// libjpeg (Adobe's inverted CMYK, as Photoshop writes it); the EXIF orientation is an APP1
// segment spliced into an OpenCV JPEG; the GIF is assembled with uncompressed LZW codes.

#include "data/dataset.h"
#include "testdata.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdio>
#include <cstdlib>
#include <future>
#include <jpeglib.h>

using namespace aes;
using aes::test::be32;
using aes::test::indexOfName;
using aes::test::pixel;
using aes::test::reasonFor;
using aes::test::solidImage;
using aes::test::writeFile;
using aes::test::writeImage;

namespace {

QByteArray be16(quint32 v) { return QByteArray(1, char((v >> 8) & 0xFF)) + char(v & 0xFF); }
QByteArray le16(quint32 v) { return QByteArray(1, char(v & 0xFF)) + char((v >> 8) & 0xFF); }

quint32 crc32(const QByteArray &bytes)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char ch : bytes) {
        crc ^= quint8(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const char *type, const QByteArray &data)
{
    const QByteArray typed = QByteArray(type) + data;
    return be32(quint32(data.size())) + typed + be32(crc32(typed));
}

// A PNG of 8-bit samples: `rows` holds height rows of width * samples bytes (no filter bytes).
QByteArray makePng(int width, int height, int colourType, const QByteArray &rows, const QByteArray &palette = {})
{
    const int rowBytes = rows.size() / height;
    QByteArray raw;
    for (int y = 0; y < height; ++y)
        raw += char(0) + rows.mid(y * rowBytes, rowBytes);  // filter "none"
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += pngChunk("IHDR", be32(quint32(width)) + be32(quint32(height)) + char(8) + char(colourType)
                                + QByteArray(3, '\0'));
    if (!palette.isEmpty())
        png += pngChunk("PLTE", palette);
    png += pngChunk("IDAT", qCompress(raw).mid(4));  // qCompress: 4-byte length, then zlib
    png += pngChunk("IEND", {});
    return png;
}

// width x height of one CMYK colour, stored inverted (255 = no ink) with libjpeg's Adobe marker.
QByteArray cmykJpeg(int width, int height, const unsigned char inverted[4])
{
    jpeg_compress_struct cinfo;
    jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    unsigned char *out = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&cinfo, &out, &size);
    cinfo.image_width = JDIMENSION(width);
    cinfo.image_height = JDIMENSION(height);
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 95, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    std::vector<unsigned char> row(size_t(width) * 4);
    for (int x = 0; x < width; ++x)
        std::copy(inverted, inverted + 4, row.begin() + x * 4);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW r = row.data();
        jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    const QByteArray bytes(reinterpret_cast<const char *>(out), int(size));
    std::free(out);
    jpeg_destroy_compress(&cinfo);
    return bytes;
}

// The JPEG with an EXIF APP1 segment holding only the Orientation tag, after its JFIF APP0.
QByteArray withExifOrientation(const QByteArray &jpeg, int orientation)
{
    const QByteArray tiff = QByteArray("MM") + be16(42) + be32(8) + be16(1)             // header, one entry
                            + be16(0x0112) + be16(3) + be32(1) + be16(quint32(orientation)) + be16(0)
                            + be32(0);                                                   // no next IFD
    const QByteArray payload = QByteArray("Exif\0\0", 6) + tiff;
    const QByteArray app1 = QByteArray("\xff\xe1", 2) + be16(quint32(payload.size() + 2)) + payload;
    int pos = 2;
    if (quint8(jpeg.at(2)) == 0xFF && quint8(jpeg.at(3)) == 0xE0)
        pos = 4 + int(quint8(jpeg.at(4)) << 8 | quint8(jpeg.at(5)));
    return jpeg.left(pos) + app1 + jpeg.mid(pos);
}

// A GIF89a of palette indices (0-3) with a 4-colour table (12 bytes RGB). The LZW stream
// sends a clear code every two pixels, so the code size stays 3 bits: valid, uncompressed.
QByteArray makeGif(int width, int height, const std::vector<int> &indices, const QByteArray &palette)
{
    QByteArray gif = QByteArray("GIF89a") + le16(quint32(width)) + le16(quint32(height)) + char(0x81) + char(0)
                     + char(0) + palette;
    gif += char(0x2C) + le16(0) + le16(0) + le16(quint32(width)) + le16(quint32(height)) + char(0);
    gif += char(2);  // minimum code size: codes 0-3 colours, 4 clear, 5 end
    QByteArray data;
    quint32 bits = 0;
    int count = 0;
    const auto put = [&](int code) {
        bits |= quint32(code) << count;
        count += 3;
        while (count >= 8) {
            data += char(bits & 0xFF);
            bits >>= 8;
            count -= 8;
        }
    };
    put(4);
    for (size_t i = 0; i < indices.size(); ++i) {
        put(indices[i]);
        if (i % 2 == 1 && i + 1 < indices.size())
            put(4);
    }
    put(5);
    if (count > 0)
        data += char(bits & 0xFF);
    for (int pos = 0; pos < data.size(); pos += 255) {
        const QByteArray block = data.mid(pos, 255);
        gif += char(block.size()) + block;
    }
    gif += char(0);
    gif += ';';
    return gif;
}

// Loads on another thread: a test that hangs (a FIFO opened for reading) fails instead.
std::optional<LoadResult> loadWithin(const QString &folder, const LoadOptions &options, const QString &fifo,
                                     int seconds)
{
    auto future = std::async(std::launch::async, [&] { return loadDataset(folder, options); });
    if (future.wait_for(std::chrono::seconds(seconds)) != std::future_status::ready) {
        if (!fifo.isEmpty()) {
            QFile writer(fifo);  // a blocked reader returns once a writer opens and closes
            writer.open(QIODevice::WriteOnly);
        }
        future.wait();
        return std::nullopt;
    }
    return future.get();
}

} // namespace

class TestHostileFiles final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void uncuratedFolder();
    void folderWithoutImages();
    void lyingIdxFiles_data();
    void lyingIdxFiles();
};

void TestHostileFiles::uncuratedFolder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString root = dir.filePath(QStringLiteral("photos"));
    const auto at = [&](const QString &name) { return root + QLatin1Char('/') + name; };
    const cv::Scalar red(0, 0, 255), blue(255, 0, 0);  // OpenCV is BGR

    // ---- Valid images: (file, expected RGB at the top-left and bottom-right of the 8x8 slot).
    QVERIFY(writeImage(at("plain.png"), solidImage(8, 8, red)));
    cv::Mat deep(8, 8, CV_16UC1, cv::Scalar(100 * 257));
    QVERIFY(writeImage(at("deep16.png"), deep));
    cv::Mat rgba(8, 8, CV_8UC4, cv::Scalar(0, 0, 0, 0));        // transparent black ...
    rgba(cv::Rect(4, 0, 4, 8)).setTo(cv::Scalar(255, 0, 0, 255));  // ... right half opaque blue
    QVERIFY(writeImage(at("rgba.png"), rgba));
    QByteArray paletteRows, grayAlphaRows;
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) {
            paletteRows += char(x < 4 ? 0 : 1);                   // green | red
            grayAlphaRows += QByteArray(1, '\0') + char(x < 4 ? 0 : 255);  // transparent | black
        }
    QVERIFY(writeFile(at("palette.png"), makePng(8, 8, 3, paletteRows, QByteArray("\x00\xff\x00\xff\x00\x00", 6))));
    QVERIFY(writeFile(at("grayalpha.png"), makePng(8, 8, 4, grayAlphaRows)));
    const unsigned char invertedRed[4] = {255, 0, 0, 255};  // C 0, M 100%, Y 100%, K 0
    QVERIFY(writeFile(at("cmyk.jpg"), cmykJpeg(16, 16, invertedRed)));
    // Stored 32 wide x 16 high, left half red, right half blue; orientation 6 ("rotate 90
    // degrees clockwise to display") makes it 16 x 32 with red on top.
    cv::Mat sideways(16, 32, CV_8UC3, blue);
    sideways(cv::Rect(0, 0, 16, 16)).setTo(red);
    QVERIFY(writeFile(at("phone.jpg"), withExifOrientation(aes::test::encodeImage(sideways, "jpg"), 6)));
    std::vector<int> gifPixels;
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x)
            gifPixels.push_back(y < 4 ? 0 : 1);  // red top, blue bottom
    const QByteArray gif = makeGif(8, 8, gifPixels, QByteArray("\xff\0\0\0\0\xff\0\0\0\0\0\0", 12));
    QVERIFY(writeFile(at("anim.gif"), gif));
    const QString german = QStringLiteral("größe_画像.png");
    const QString french = QStringLiteral("café ☕.jpg");
    QVERIFY(writeImage(at(german), solidImage(8, 8, cv::Scalar::all(200))));
    QVERIFY(writeImage(at(french), solidImage(8, 8, cv::Scalar::all(200))));

    // ---- Invalid files and the reason each must be given.
    QMap<QString, QString> invalid;
    const QByteArray png = aes::test::encodeImage(solidImage(32, 32, red), "png");
    cv::Mat noise(64, 64, CV_8UC3);
    cv::randu(noise, 0, 255);
    const QByteArray jpeg = aes::test::encodeImage(noise, "jpg");
    QVERIFY(writeFile(at("zero.png"), QByteArray()));
    invalid["zero.png"] = "empty file";
    QVERIFY(writeFile(at("cut.png"), png.left(png.size() / 2)));
    invalid["cut.png"] = "truncated";
    QVERIFY(writeFile(at("cut.jpg"), jpeg.left(jpeg.size() / 2)));
    invalid["cut.jpg"] = "truncated";
    QVERIFY(writeFile(at("cut.gif"), gif.left(gif.size() - 1)));
    invalid["cut.gif"] = "truncated";
    QVERIFY(writeFile(at("notes.png"), "Meeting notes, saved with the wrong name.\n"));
    invalid["notes.png"] = "not an image";
    QByteArray random(4096, '\0');
    cv::RNG rng(11);
    for (char &c : random)
        c = char(rng.uniform(0, 256));
    random[0] = 'x';  // not "BM" by chance
    QVERIFY(writeFile(at("random.bmp"), random));
    invalid["random.bmp"] = "not an image";
    // A valid 1x1 PNG whose header claims 100000 x 100000: refused before any decoder runs.
    QVERIFY(writeFile(at("bomb.png"), QByteArray::fromHex("89504e470d0a1a0a0000000d49484452000186a0000186a00802000000f0a3e9c0"
                                                          "0000000849444154789c03000000000152a4b5d70000000049454e44ae426082")));
    invalid["bomb.png"] = "too large";
    const QString fifo = at("pipe.png");
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    invalid["pipe.png"] = "not a regular file";

    // ---- Things that are no image at all: a directory named like one, an empty subfolder,
    // a symlink loop back to the root, a text file.
    QVERIFY(QDir(root).mkpath("x.png"));
    QVERIFY(QDir(root).mkpath("empty"));
    QVERIFY(QFile::link(root, at("loop")));
    QVERIFY(writeFile(at("readme.txt"), "ignored silently"));

    LoadOptions options;
    options.width = 8;
    options.height = 8;
    options.threads = 2;
    const std::optional<LoadResult> loaded = loadWithin(root, options, fifo, 60);
    QVERIFY2(loaded, "loading blocked (on the FIFO?)");
    const LoadResult &result = *loaded;
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Dataset &d = *result.dataset;

    // Skipped: each invalid file named with its reason, nothing else.
    for (auto it = invalid.cbegin(); it != invalid.cend(); ++it)
        QVERIFY2(reasonFor(result.report, it.key()) == it.value(),
                 qPrintable(it.key() + ": " + reasonFor(result.report, it.key())));
    QCOMPARE(result.report.skipped.size(), invalid.size());
    QVERIFY2(result.report.summary().startsWith("loaded 10 images, skipped 8"), qPrintable(result.report.summary()));

    // Loaded: the ten valid images, once each (the loop is not followed), unlabelled (the
    // empty folder and the directory x.png are no classes), in colour.
    QCOMPARE(d.size(), qint64(10));
    QVERIFY(!d.hasLabels());
    QCOMPARE(d.channels(), 3);
    QCOMPARE(QSet<QString>(d.paths.cbegin(), d.paths.cend()).size(), d.paths.size());
    for (const QString &path : d.paths)
        QVERIFY2(!path.contains("/loop/") && !path.contains("/x.png/"), qPrintable(path));

    struct Expect {
        const char *name;
        int top[3];     // RGB at (row 0, col 0)
        int bottom[3];  // RGB at (row 7, col 7)
        int tolerance;
    };
    const Expect expected[] = {
        {"plain.png", {255, 0, 0}, {255, 0, 0}, 0},
        {"deep16.png", {100, 100, 100}, {100, 100, 100}, 0},   // 16 bits scaled to 8
        {"rgba.png", {255, 255, 255}, {0, 0, 255}, 0},         // transparent on white | blue
        {"palette.png", {0, 255, 0}, {255, 0, 0}, 0},          // green | red
        {"grayalpha.png", {255, 255, 255}, {0, 0, 0}, 0},      // transparent on white | black
        {"cmyk.jpg", {255, 0, 0}, {255, 0, 0}, 12},            // CMYK red comes out RGB red
        {"phone.jpg", {255, 0, 0}, {0, 0, 255}, 40},           // rotated: red on top
        {"anim.gif", {255, 0, 0}, {0, 0, 255}, 0},             // first frame, decoded by Qt
    };
    for (const Expect &e : expected) {
        const int i = indexOfName(d, QString::fromLatin1(e.name));
        QVERIFY2(i >= 0, e.name);
        for (int c = 0; c < 3; ++c) {
            QVERIFY2(std::abs(pixel(d, i, c, 0, 0) - e.top[c]) <= e.tolerance,
                     qPrintable(QStringLiteral("%1 top channel %2: %3").arg(e.name).arg(c).arg(pixel(d, i, c, 0, 0))));
            QVERIFY2(std::abs(pixel(d, i, c, 7, 7) - e.bottom[c]) <= e.tolerance,
                     qPrintable(QStringLiteral("%1 bottom channel %2: %3").arg(e.name).arg(c).arg(pixel(d, i, c, 7, 7))));
        }
    }
    // The rotated photo: the left column is red at the top and blue at the bottom too (without
    // the rotation the top-left and bottom-left pixels would both be red).
    const int phone = indexOfName(d, "phone.jpg");
    QVERIFY(pixel(d, phone, 2, 7, 0) > 200 && pixel(d, phone, 0, 7, 0) < 60);
    for (const QString &name : {german, french}) {
        const int i = indexOfName(d, name);
        QVERIFY2(i >= 0, qPrintable(name));
        QVERIFY(std::abs(pixel(d, i, 1, 4, 4) - 200) <= 2);
        QVERIFY(QFileInfo::exists(d.paths[i]));  // the stored path opens the file
    }
}

void TestHostileFiles::folderWithoutImages()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString root = QFileInfo(dir.path()).absoluteFilePath();
    QVERIFY(writeFile(dir.filePath("notes.txt"), "no pictures here"));
    QVERIFY(writeFile(dir.filePath("docs/manual.pdf"), "%PDF-1.4"));
    QVERIFY(QDir(root).mkpath("empty"));
    QVERIFY(QDir(root).mkpath("folder.jpg"));  // a directory with an image name is not an image
    const std::optional<LoadResult> result = loadWithin(root, LoadOptions{}, QString(), 60);
    QVERIFY(result);
    QVERIFY(!result->ok());
    QCOMPARE(result->error, "No image or audio files found in " + root);
    QVERIFY(result->report.skipped.isEmpty());
}

void TestHostileFiles::lyingIdxFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error");
    QTest::newRow("wrong magic") << be32(0x00000903) + be32(2) + be32(2) + be32(2) + QByteArray(8, '\1')
                                 << "neither a folder of images nor an IDX images file";
    QTest::newRow("sizes larger than the file") << be32(0x00000803) + be32(1000) + be32(28) + be32(28) + QByteArray(784, '\7')
                                                << "truncated: header says 1000 images of 28x28 but the file holds fewer (1 complete)";
    QTest::newRow("header cut") << be32(0x00000803) + be32(10) << "truncated";
    QTest::newRow("empty") << QByteArray() << "neither a folder of images nor an IDX images file";
    QTest::newRow("forged 4 GiB") << be32(0x00000803) + be32(100000) + be32(1000) + be32(1000) << "more than the 4 GiB";
}

void TestHostileFiles::lyingIdxFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("train-images-idx3-ubyte");
    QVERIFY(writeFile(path, bytes));
    const std::optional<LoadResult> result = loadWithin(path, LoadOptions{}, QString(), 60);
    QVERIFY(result);
    QVERIFY(!result->ok());
    QVERIFY2(result->error.contains(error), qPrintable(result->error));
    QVERIFY2(result->error.contains(QFileInfo(path).fileName()), qPrintable(result->error));
}

QTEST_GUILESS_MAIN(TestHostileFiles)
#include "tst_hostilefiles.moc"
