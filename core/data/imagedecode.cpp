#include "data/imagedecode.h"

#include "data/imageprobe.h"

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QSet>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace aes {

namespace {

// Brings any depth OpenCV may return to 8 bits. 16-bit uses /257 so that 65535 maps to 255
// exactly (a plain >>8 would make white 255 but scale the rest unevenly); float TIFFs are
// taken to be in [0, 1].
bool toEightBit(const cv::Mat &src, cv::Mat &dst)
{
    switch (src.depth()) {
    case CV_8U: dst = src; return true;
    case CV_16U: src.convertTo(dst, CV_8U, 1.0 / 257.0); return true;
    case CV_32F:
    case CV_64F: src.convertTo(dst, CV_8U, 255.0); return true;  // saturating
    default: return false;
    }
}

// Composites colour over white using the alpha channel: transparent pixels become white,
// which is how image viewers usually show them and keeps transparent margins uniform.
cv::Mat compositeOnWhite(const cv::Mat &src)
{
    const int colour = src.channels() - 1;  // 1 (gray + alpha) or 3 (BGR + alpha)
    cv::Mat out(src.rows, src.cols, CV_8UC(colour));
    for (int y = 0; y < src.rows; ++y) {
        const uchar *s = src.ptr<uchar>(y);
        uchar *d = out.ptr<uchar>(y);
        for (int x = 0; x < src.cols; ++x, s += colour + 1, d += colour) {
            const int a = s[colour];
            for (int c = 0; c < colour; ++c)
                d[c] = uchar((s[c] * a + 255 * (255 - a) + 127) / 255);
        }
    }
    return out;
}

// OpenCV 4.6 has no GIF reader: Qt's (built into Qt Gui or its qgif plugin) decodes the
// first frame. QImageReader's allocation limit (128 MiB by default) bounds what a forged
// frame header can ask for.
DecodedImage decodeGif(const QByteArray &bytes)
{
    DecodedImage result;
    QImage image;
    if (!image.loadFromData(bytes, "GIF") || image.isNull()) {
        result.error = QStringLiteral("unreadable");
        return result;
    }
    image.convertTo(QImage::Format_RGBA8888);
    const cv::Mat rgba(image.height(), image.width(), CV_8UC4, image.bits(), size_t(image.bytesPerLine()));
    result.pixels = compositeOnWhite(rgba);  // RGB out, since RGBA went in; owns its pixels
    return result;
}

bool isJpeg(const QByteArray &bytes)
{
    return bytes.startsWith(QByteArrayLiteral("\xff\xd8\xff"));
}

} // namespace

QByteArray readFileBytes(const QString &path, qint64 maxBytes, QString *error)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        *error = QStringLiteral("unreadable");
        return {};
    }
    if (!info.isFile()) {  // FIFOs, sockets, devices: opening one could block forever
        *error = QStringLiteral("not a regular file");
        return {};
    }
    if (info.size() > maxBytes) {
        *error = QStringLiteral("too large");
        return {};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("unreadable");
        return {};
    }
    QByteArray bytes = file.readAll();
    if (bytes.size() > maxBytes) {  // the file grew after the check
        *error = QStringLiteral("too large");
        return {};
    }
    if (file.error() != QFileDevice::NoError) {
        *error = QStringLiteral("unreadable");
        return {};
    }
    return bytes;
}

DecodedImage decodeImage(const QByteArray &bytes)
{
    DecodedImage result;
    if (bytes.isEmpty()) {
        result.error = QStringLiteral("empty file");
        return result;
    }
    if (bytes.startsWith(QByteArrayLiteral("GIF8")))
        return decodeGif(bytes);
    cv::Mat raw;
    try {
        // Wraps the bytes without copying: imdecode only reads its input.
        const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<char *>(bytes.constData()));
        // IMREAD_UNCHANGED keeps alpha but ignores the EXIF orientation, which cameras and
        // phones use instead of rotating the pixels. JPEG has no alpha, so it is read with
        // flags that apply the orientation (and keep gray as one channel; CMYK comes out RGB).
        const int flags = isJpeg(bytes) ? cv::IMREAD_ANYCOLOR | cv::IMREAD_ANYDEPTH : cv::IMREAD_UNCHANGED;
        raw = cv::imdecode(buffer, flags);
    } catch (const cv::Exception &) {
        raw.release();
    }
    if (raw.empty()) {
        result.error = QStringLiteral("unreadable");
        return result;
    }
    cv::Mat eight;
    if (!toEightBit(raw, eight) || raw.channels() > 4) {
        result.error = QStringLiteral("unsupported format");
        return result;
    }
    switch (eight.channels()) {
    case 1: result.pixels = eight; break;
    case 2: result.pixels = compositeOnWhite(eight); break;
    case 3: cv::cvtColor(eight, result.pixels, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(compositeOnWhite(eight), result.pixels, cv::COLOR_BGR2RGB); break;
    }
    return result;
}

bool isGray(const cv::Mat &image)
{
    if (image.channels() == 1)
        return true;
    if (image.channels() != 3 || image.depth() != CV_8U)
        return false;
    for (int y = 0; y < image.rows; ++y) {
        const uchar *p = image.ptr<uchar>(y);
        for (int x = 0; x < image.cols; ++x, p += 3) {
            if (p[0] != p[1] || p[1] != p[2])
                return false;
        }
    }
    return true;
}

cv::Mat fitImage(const cv::Mat &image, int channels, int width, int height, ResizeMode mode)
{
    cv::Mat converted;
    if (channels == 1 && image.channels() == 3)
        cv::cvtColor(image, converted, cv::COLOR_RGB2GRAY);
    else if (channels == 3 && image.channels() == 1)
        cv::cvtColor(image, converted, cv::COLOR_GRAY2RGB);
    else
        converted = image;

    if (converted.cols == width && converted.rows == height)
        return converted.clone();

    const double sx = double(width) / converted.cols;
    const double sy = double(height) / converted.rows;
    // CenterCrop covers the target (the larger scale), Letterbox fits inside (the smaller).
    const double scale = mode == ResizeMode::CenterCrop ? std::max(sx, sy) : std::min(sx, sy);
    int w = int(std::lround(converted.cols * scale));
    int h = int(std::lround(converted.rows * scale));
    if (mode == ResizeMode::CenterCrop) {
        w = std::max(w, width);  // rounding must never leave a gap to crop
        h = std::max(h, height);
    } else {
        w = std::clamp(w, 1, width);
        h = std::clamp(h, 1, height);
    }
    cv::Mat scaled;
    const int interpolation = scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR;
    cv::resize(converted, scaled, cv::Size(w, h), 0, 0, interpolation);

    if (mode == ResizeMode::CenterCrop)
        return scaled(cv::Rect((w - width) / 2, (h - height) / 2, width, height)).clone();
    cv::Mat out(height, width, scaled.type(), cv::Scalar::all(0));
    scaled.copyTo(out(cv::Rect((width - w) / 2, (height - h) / 2, w, h)));
    return out;
}

void writePlanes(const cv::Mat &image, std::uint8_t *planes)
{
    const int c = image.channels();
    const size_t planeBytes = size_t(image.rows) * size_t(image.cols);
    std::vector<cv::Mat> views;
    views.reserve(size_t(c));
    for (int i = 0; i < c; ++i)
        views.emplace_back(image.rows, image.cols, CV_8U, planes + size_t(i) * planeBytes);
    // split() writes into the views in place because their size and type already match.
    if (c == 1)
        image.copyTo(views[0]);
    else
        cv::split(image, views.data());
}

bool isImageFileName(const QString &fileName)
{
    static const QSet<QString> suffixes = {
        QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("bmp"),
        QStringLiteral("tif"), QStringLiteral("tiff"), QStringLiteral("webp"), QStringLiteral("gif")};
    const qsizetype dot = fileName.lastIndexOf(QLatin1Char('.'));
    return dot >= 0 && suffixes.contains(fileName.mid(dot + 1).toLower());
}

DecodedFile decodeImageFile(const QString &path, const LoadOptions &options, bool needGray)
{
    DecodedFile d;
    try {
        QString error;
        const QByteArray bytes = readFileBytes(path, options.maxFileBytes, &error);
        if (!error.isEmpty()) {
            d.reason = error;
            return d;
        }
        // The header decides before any decoder allocates: a small file may declare a huge image.
        const ImageProbe probe = probeImage(bytes);
        if (!probe.ok()) {
            d.reason = probe.error;
            return d;
        }
        if (probe.pixels() > options.maxPixels) {
            d.reason = QStringLiteral("too large");
            return d;
        }
        if (!imageLooksComplete(bytes, probe.format)) {
            d.reason = QStringLiteral("truncated");
            return d;
        }
        DecodedImage image = decodeImage(bytes);
        if (!image.ok()) {
            // The header was valid, so the decoder failed on the data after it.
            d.reason = image.error == QLatin1String("unreadable") ? QStringLiteral("truncated") : image.error;
            return d;
        }
        d.pixels = std::move(image.pixels);
        d.gray = needGray && isGray(d.pixels);
    } catch (const std::bad_alloc &) {
        d.pixels.release();
        d.reason = QStringLiteral("too large");
    } catch (const std::exception &) {  // cv::Exception from a decoder on hostile data
        d.pixels.release();
        d.reason = QStringLiteral("unreadable");
    }
    return d;
}

cv::Size mostFrequentSize(const SizeCounts &counts)
{
    std::pair<int, int> best{0, 0};
    qint64 bestCount = 0;
    for (const auto &[size, count] : counts) {
        const qint64 area = qint64(size.first) * size.second;
        const qint64 bestArea = qint64(best.first) * best.second;
        if (count > bestCount || (count == bestCount && (area > bestArea || (area == bestArea && size > best)))) {
            best = size;
            bestCount = count;
        }
    }
    return {best.first, best.second};
}

} // namespace aes
