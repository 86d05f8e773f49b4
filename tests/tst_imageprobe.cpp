// Header probing: format and size must come from the first bytes, for every supported
// format and header variant, and bad headers must give the reason a user will read.

#include "data/imageprobe.h"
#include "testutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <sys/stat.h>
#include <sys/types.h>
#include <zlib.h>

#include <future>
#include <limits>

using namespace aes;
using aes::test::be32;

Q_DECLARE_METATYPE(aes::ImageFormat)

namespace {

QByteArray le32(quint32 v)
{
    QByteArray b;
    for (int s = 0; s <= 24; s += 8)
        b.append(char((v >> s) & 0xFF));
    return b;
}

QByteArray le16(quint32 v) { return le32(v).left(2); }

// A GIF up to its first image descriptor: screen size, optional 4-colour table and comment
// extension, then a frame at (left, top) of width x height.
QByteArray gifHeader(int screenW, int screenH, int left, int top, int width, int height, bool extras)
{
    QByteArray b = QByteArray("GIF89a") + le16(quint32(screenW)) + le16(quint32(screenH));
    b += extras ? char(0x81) : char(0);
    b += QByteArray(2, '\0');
    if (extras) {
        b += QByteArray(12, '\x40');                           // colour table
        b += QByteArray("\x21\xfe\x05hello\x00", 9);           // comment extension
    }
    b += char(0x2C) + le16(quint32(left)) + le16(quint32(top)) + le16(quint32(width)) + le16(quint32(height)) + char(0);
    return b;
}
QByteArray be16(quint32 v) { return be32(v).mid(2); }

// An image encoded by OpenCV: a real file as a user would have it.
QByteArray encoded(const char *ext, int width, int height, int channels = 3,
                   const std::vector<int> &params = {})
{
    cv::Mat image(height, width, CV_8UC(channels));
    cv::randu(image, 0, 255);
    std::vector<uchar> buffer;
    if (!cv::imencode(ext, image, buffer, params))
        return {};
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), int(buffer.size()));
}

QByteArray pngChunk(const char *type, const QByteArray &data)
{
    QByteArray body = QByteArray(type, 4) + data;
    const uLong crc = crc32(0, reinterpret_cast<const Bytef *>(body.constData()), uInt(body.size()));
    return be32(quint32(data.size())) + body + be32(quint32(crc));
}

// A well-formed PNG whose header claims width x height (RGB, 8 bit) and whose data is a
// few bytes: a "dimension bomb" when the size is huge.
QByteArray pngHeader(quint32 width, quint32 height)
{
    const QByteArray ihdr = be32(width) + be32(height) + QByteArray("\x08\x02\x00\x00\x00", 5);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr)
           + pngChunk("IDAT", QByteArray("\x78\x9c\x03\x00\x00\x00\x00\x01", 8))
           + pngChunk("IEND", {});
}

// BITMAPINFOHEADER (40 bytes) version; a negative height means a top-down bitmap.
QByteArray bmpInfoHeader(qint32 width, qint32 height)
{
    return QByteArray("BM", 2) + le32(54) + le32(0) + le32(54) + le32(40) + le32(quint32(width))
           + le32(quint32(height)) + le16(1) + le16(24) + le32(0) + le32(0) + le32(2835)
           + le32(2835) + le32(0) + le32(0);
}

// BITMAPCOREHEADER (12 bytes, OS/2 1.x): 16-bit sizes.
QByteArray bmpCoreHeader(quint16 width, quint16 height)
{
    return QByteArray("BM", 2) + le32(26) + le32(0) + le32(26) + le32(12) + le16(width)
           + le16(height) + le16(1) + le16(24);
}

// A minimal big-endian TIFF: width as LONG, height as SHORT (left-justified in the field).
QByteArray tiffMotorola(quint32 width, quint16 height)
{
    return QByteArray("MM\0*", 4) + be32(8) + be16(2)
           + be16(256) + be16(4) + be32(1) + be32(width)
           + be16(257) + be16(3) + be32(1) + be16(height) + be16(0)
           + be32(0);
}

// Little-endian, both SHORT, with an unrelated tag first and the directory after padding.
QByteArray tiffIntel(quint16 width, quint16 height)
{
    return QByteArray("II*\0", 4) + le32(16) + QByteArray(8, '\0') + le16(3)
           + le16(254) + le16(4) + le32(1) + le32(0)
           + le16(257) + le16(3) + le32(1) + le16(height) + le16(0)
           + le16(256) + le16(3) + le32(1) + le16(width) + le16(0)
           + le32(0);
}

QByteArray riff(const QByteArray &chunk)
{
    return QByteArray("RIFF", 4) + le32(quint32(4 + chunk.size())) + QByteArray("WEBP", 4) + chunk;
}

QByteArray webpVp8x(quint32 width, quint32 height)
{
    const quint32 w = width - 1, h = height - 1;
    QByteArray payload = le32(0);
    payload += QByteArray(1, char(w & 0xFF)) + char((w >> 8) & 0xFF) + char((w >> 16) & 0xFF);
    payload += QByteArray(1, char(h & 0xFF)) + char((h >> 8) & 0xFF) + char((h >> 16) & 0xFF);
    return riff(QByteArray("VP8X", 4) + le32(10) + payload);
}

QByteArray webpVp8l(quint32 width, quint32 height)
{
    const quint32 bits = (width - 1) | (height - 1) << 14;
    return riff(QByteArray("VP8L", 4) + le32(10) + QByteArray(1, '\x2f') + le32(bits)
                + QByteArray(5, '\0'));
}

QByteArray webpVp8(quint16 width, quint16 height)
{
    return riff(QByteArray("VP8 ", 4) + le32(10) + QByteArray("\x50\x01\x00\x9d\x01\x2a", 6)
                + le16(width) + le16(height));
}

// A JPEG whose frame header lies after a 20 KB APP1 segment and some 0xFF fill bytes:
// the probe must walk the markers, not look at a fixed offset.
QByteArray jpegWithMetadata(int width, int height)
{
    const QByteArray jpeg = encoded(".jpg", width, height);
    const QByteArray app1 = QByteArray("\xff\xe1", 2) + be16(20002) + QByteArray(20000, 'x');
    return jpeg.left(2) + app1 + QByteArray("\xff\xff", 2) + jpeg.mid(2);
}

} // namespace

class TestImageProbe final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void probeReadsFormatAndSize_data();
    void probeReadsFormatAndSize();
    void probeExplainsBadHeaders_data();
    void probeExplainsBadHeaders();
    void dimensionBombIsMeasuredNotDecoded_data();
    void dimensionBombIsMeasuredNotDecoded();
    void largestDeclaredSizeDoesNotOverflow();
    void truncatedJpegIsIncomplete();
    void probeFileNeverOpensFifo();
    void probeFileReadsDeepTiffDirectory();
};

void TestImageProbe::probeReadsFormatAndSize_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<aes::ImageFormat>("format");
    QTest::addColumn<qint64>("width");
    QTest::addColumn<qint64>("height");

    QTest::newRow("png rgb (opencv)") << encoded(".png", 37, 21) << ImageFormat::Png << 37ll << 21ll;
    QTest::newRow("png gray (opencv)") << encoded(".png", 5, 300, 1) << ImageFormat::Png << 5ll << 300ll;
    QTest::newRow("jpeg (opencv)") << encoded(".jpg", 64, 48) << ImageFormat::Jpeg << 64ll << 48ll;
    QTest::newRow("jpeg progressive") << encoded(".jpg", 33, 17, 3, {cv::IMWRITE_JPEG_PROGRESSIVE, 1})
                                      << ImageFormat::Jpeg << 33ll << 17ll;
    QTest::newRow("jpeg after metadata") << jpegWithMetadata(50, 40) << ImageFormat::Jpeg << 50ll << 40ll;
    QTest::newRow("bmp (opencv)") << encoded(".bmp", 13, 7) << ImageFormat::Bmp << 13ll << 7ll;
    QTest::newRow("bmp top-down") << bmpInfoHeader(640, -480) << ImageFormat::Bmp << 640ll << 480ll;
    QTest::newRow("bmp core header") << bmpCoreHeader(320, 200) << ImageFormat::Bmp << 320ll << 200ll;
    QTest::newRow("tiff (opencv)") << encoded(".tiff", 19, 23) << ImageFormat::Tiff << 19ll << 23ll;
    QTest::newRow("tiff MM long+short") << tiffMotorola(70000, 300) << ImageFormat::Tiff << 70000ll << 300ll;
    QTest::newRow("tiff II short") << tiffIntel(1024, 768) << ImageFormat::Tiff << 1024ll << 768ll;
    if (cv::haveImageWriter(".webp")) {
        QTest::newRow("webp lossy (opencv)") << encoded(".webp", 30, 20, 3, {cv::IMWRITE_WEBP_QUALITY, 80})
                                             << ImageFormat::WebP << 30ll << 20ll;
        QTest::newRow("webp lossless (opencv)") << encoded(".webp", 31, 9, 3, {cv::IMWRITE_WEBP_QUALITY, 101})
                                                << ImageFormat::WebP << 31ll << 9ll;
    }
    QTest::newRow("webp VP8") << webpVp8(800, 600) << ImageFormat::WebP << 800ll << 600ll;
    QTest::newRow("webp VP8L") << webpVp8l(16384, 3) << ImageFormat::WebP << 16384ll << 3ll;
    QTest::newRow("webp VP8X") << webpVp8x(5000, 70000) << ImageFormat::WebP << 5000ll << 70000ll;
    // GIF: the logical screen, or a first frame reaching beyond it (after a comment extension
    // and a 4-colour table); Qt decodes GIFs, so a forged frame must count.
    QTest::newRow("gif screen") << gifHeader(300, 200, 0, 0, 10, 10, false) << ImageFormat::Gif << 300ll << 200ll;
    QTest::newRow("gif frame beyond screen") << gifHeader(10, 10, 60000, 5, 5000, 40000, true) << ImageFormat::Gif
                                             << 65000ll << 40005ll;
}

void TestImageProbe::probeReadsFormatAndSize()
{
    QFETCH(QByteArray, bytes);
    QFETCH(aes::ImageFormat, format);
    QFETCH(qint64, width);
    QFETCH(qint64, height);
    QVERIFY(!bytes.isEmpty());

    const ImageProbe probe = probeImage(bytes);
    QVERIFY2(probe.ok(), qPrintable(probe.error));
    QCOMPARE(probe.format, format);
    QCOMPARE(probe.width, width);
    QCOMPARE(probe.height, height);
}

void TestImageProbe::probeExplainsBadHeaders_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");

    const QByteArray png = encoded(".png", 10, 10);
    const QByteArray jpeg = encoded(".jpg", 10, 10);
    QTest::newRow("text") << QByteArray("hello, this is not a picture\n") << "not an image";
    QTest::newRow("empty") << QByteArray() << "empty file";
    QTest::newRow("png cut in signature") << png.left(5) << "truncated";
    QTest::newRow("png cut in IHDR") << png.left(18) << "truncated";
    QTest::newRow("png zero width") << pngHeader(0, 10) << "corrupt";
    QTest::newRow("jpeg cut before frame") << jpeg.left(6) << "truncated";
    QTest::newRow("jpeg metadata cut") << jpegWithMetadata(10, 10).left(4000) << "truncated";
    QTest::newRow("bmp cut") << bmpInfoHeader(10, 10).left(20) << "truncated";
    QTest::newRow("bmp unknown header") << QByteArray("BM", 2) + le32(54) + le32(0) + le32(54) + le32(20)
                                               + QByteArray(20, '\0') << "unsupported format";
    QTest::newRow("tiff directory past end") << tiffIntel(5, 5).left(20) << "truncated";
    QTest::newRow("bigtiff") << QByteArray("II+\0\x08\0\0\0", 8) + QByteArray(16, '\0') << "unsupported format";
    QTest::newRow("gif cut in header") << QByteArray("GIF89a\x0a\x00\x0a\x00", 10) << "truncated";
    QTest::newRow("gif cut before frame") << gifHeader(10, 10, 0, 0, 10, 10, true).left(30) << "truncated";
    QTest::newRow("gif87 unknown block") << QByteArray("GIF87a\x0a\x00\x0a\x00\x00\x00\x00\x99", 14) << "corrupt";
    QTest::newRow("jpeg 2000") << QByteArray("\0\0\0\x0cjP  \r\n\x87\n", 12) << "unsupported format";
    QTest::newRow("webp cut") << webpVp8x(10, 10).left(25) << "truncated";
}

void TestImageProbe::probeExplainsBadHeaders()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const ImageProbe probe = probeImage(bytes);
    QVERIFY(!probe.ok());
    QCOMPARE(probe.error, reason);
}

void TestImageProbe::dimensionBombIsMeasuredNotDecoded_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("png") << pngHeader(100000, 100000);
    QTest::newRow("bmp") << bmpInfoHeader(100000, -100000);
}

void TestImageProbe::dimensionBombIsMeasuredNotDecoded()
{
    QFETCH(QByteArray, bytes);
    QVERIFY(bytes.size() < 100);
    const ImageProbe probe = probeImage(bytes);
    QVERIFY2(probe.ok(), qPrintable(probe.error));
    QCOMPARE(probe.width, qint64(100000));
    QCOMPARE(probe.height, qint64(100000));
    // What the loader compares with LoadOptions::maxPixels (2^27 by default).
    QCOMPARE(probe.pixels(), qint64(10000000000));
    QVERIFY(probe.pixels() > (qint64(1) << 27));
}

void TestImageProbe::largestDeclaredSizeDoesNotOverflow()
{
    // 2^32 - 1 on each side: the product does not fit in 64 bits and used to wrap below the
    // loader's limit (found by fuzz/fuzz_image). It must still compare as too large.
    const ImageProbe probe = probeImage(pngHeader(0xFFFFFFFFu, 0xFFFFFFFFu));
    QVERIFY2(probe.ok(), qPrintable(probe.error));
    QCOMPARE(probe.width, qint64(0xFFFFFFFFu));
    QCOMPARE(probe.pixels(), std::numeric_limits<qint64>::max());
    QVERIFY(probe.pixels() > (qint64(1) << 27));
}

void TestImageProbe::truncatedJpegIsIncomplete()
{
    // libjpeg decodes a cut JPEG without error (gray rows), so this check is what catches it.
    const QByteArray jpeg = encoded(".jpg", 64, 64);
    QVERIFY(imageLooksComplete(jpeg, ImageFormat::Jpeg));
    const QByteArray cut = jpeg.left(jpeg.size() * 2 / 3);
    QVERIFY(probeImage(cut).ok());  // the header is intact
    QVERIFY(!imageLooksComplete(cut, ImageFormat::Jpeg));
    // An embedded thumbnail's end marker inside metadata must not count.
    QByteArray withThumb = jpeg.left(2) + QByteArray("\xff\xe1", 2) + be16(6) + QByteArray("\xff\xd9\xff\xd9", 4)
                           + jpeg.mid(2);
    QVERIFY(imageLooksComplete(withThumb, ImageFormat::Jpeg));
    withThumb.chop(withThumb.size() / 3);
    QVERIFY(!imageLooksComplete(withThumb, ImageFormat::Jpeg));
    // A GIF needs its trailer (Qt's reader returns the rows of a cut file); zero padding after
    // it is allowed.
    const QByteArray gif = gifHeader(4, 4, 0, 0, 4, 4, false) + QByteArray("\x02\x02\x44\x01\x00;", 6);
    QVERIFY(imageLooksComplete(gif, ImageFormat::Gif));
    QVERIFY(imageLooksComplete(gif + QByteArray(3, '\0'), ImageFormat::Gif));
    QVERIFY(!imageLooksComplete(gif.chopped(1), ImageFormat::Gif));
}

void TestImageProbe::probeFileNeverOpensFifo()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fifo = dir.filePath(QStringLiteral("f.png"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    // Opening a FIFO for reading blocks until a writer comes: run it aside and give up after 20 s.
    auto future = std::async(std::launch::async, [&] { return probeImageFile(fifo); });
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
        QFile writer(fifo);  // unblock the reader so the test can end
        writer.open(QIODevice::WriteOnly);
        writer.close();
        future.wait();
        QFAIL("probeImageFile blocked on a FIFO");
    }
    const ImageProbe probe = future.get();
    QCOMPARE(probe.error, QStringLiteral("not a regular file"));
}

void TestImageProbe::probeFileReadsDeepTiffDirectory()
{
    // TIFF writers may put the directory at the end of the file, after the pixel data.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const quint32 dirOffset = 8 + 600000;
    const QByteArray tiff = QByteArray("II*\0", 4) + le32(dirOffset) + QByteArray(600000, '\x7f') + le16(2)
                            + le16(256) + le16(4) + le32(1) + le32(1234)
                            + le16(257) + le16(4) + le32(1) + le32(567) + le32(0);
    const QString path = dir.filePath(QStringLiteral("deep.tif"));
    QVERIFY(aes::test::writeFile(path, tiff));
    const ImageProbe probe = probeImageFile(path);
    QVERIFY2(probe.ok(), qPrintable(probe.error));
    QCOMPARE(probe.format, ImageFormat::Tiff);
    QCOMPARE(probe.width, qint64(1234));
    QCOMPARE(probe.height, qint64(567));
    QCOMPARE(probeImageFile(dir.filePath(QStringLiteral("missing.png"))).error, QStringLiteral("unreadable"));
}

QTEST_GUILESS_MAIN(TestImageProbe)
#include "tst_imageprobe.moc"
