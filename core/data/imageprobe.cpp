#include "data/imageprobe.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstring>
#include <limits>

namespace aes {

namespace {

// Bounds-checked reads: every parser below goes through these, so a short buffer
// becomes "truncated" instead of a read past the end.
class Bytes {
public:
    explicit Bytes(const QByteArray &bytes)
        : m_data(reinterpret_cast<const unsigned char *>(bytes.constData())), m_size(bytes.size()) {}
    qint64 size() const { return m_size; }
    bool has(qint64 offset, qint64 count) const
    {
        return offset >= 0 && count >= 0 && offset <= m_size && count <= m_size - offset;
    }
    unsigned char at(qint64 offset) const { return m_data[offset]; }
    quint32 be16(qint64 o) const { return quint32(at(o)) << 8 | at(o + 1); }
    quint32 le16(qint64 o) const { return quint32(at(o + 1)) << 8 | at(o); }
    quint32 be32(qint64 o) const { return be16(o) << 16 | be16(o + 2); }
    quint32 le32(qint64 o) const { return le16(o + 2) << 16 | le16(o); }
    bool startsWith(qint64 offset, const char *magic, qint64 count) const
    {
        return has(offset, count) && std::memcmp(m_data + offset, magic, size_t(count)) == 0;
    }
    // True when the available bytes are a prefix of `magic` (a file cut inside its signature).
    bool isPrefixOf(const char *magic, qint64 count) const
    {
        return m_size < count && std::memcmp(m_data, magic, size_t(m_size)) == 0;
    }

private:
    const unsigned char *m_data;
    qint64 m_size;
};

ImageProbe failed(ImageFormat format, const char *reason)
{
    ImageProbe p;
    p.format = format;
    p.error = QString::fromLatin1(reason);
    return p;
}

ImageProbe sized(ImageFormat format, qint64 width, qint64 height)
{
    if (width <= 0 || height <= 0)
        return failed(format, "corrupt");
    ImageProbe p;
    p.format = format;
    p.width = width;
    p.height = height;
    return p;
}

const char kPngMagic[] = "\x89PNG\r\n\x1a\n";

ImageProbe probePng(const Bytes &b)
{
    // Signature (8), then the first chunk must be IHDR: length (4), type (4), width, height.
    if (!b.has(0, 24))
        return failed(ImageFormat::Png, "truncated");
    if (!b.startsWith(12, "IHDR", 4))
        return failed(ImageFormat::Png, "corrupt");
    return sized(ImageFormat::Png, b.be32(16), b.be32(20));
}

bool isJpegSof(unsigned marker)
{
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Walks the marker segments from SOI; returns the offset just past the segment whose marker
// satisfies `stop`, or -1 (truncated) / -2 (corrupt). `found` gets the marker.
qint64 walkJpeg(const Bytes &b, bool (*stop)(unsigned), unsigned *found)
{
    qint64 pos = 2;
    for (;;) {
        if (!b.has(pos, 2))
            return -1;
        if (b.at(pos) != 0xFF)
            return -2;
        // Any number of 0xFF fill bytes may precede a marker.
        while (b.has(pos + 1, 1) && b.at(pos + 1) == 0xFF)
            ++pos;
        if (!b.has(pos + 1, 1))
            return -1;
        const unsigned marker = b.at(pos + 1);
        pos += 2;
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue;  // standalone markers carry no length
        if (marker == 0xD9)
            return -2;  // end of image before the wanted segment
        if (!b.has(pos, 2))
            return -1;
        const qint64 length = b.be16(pos);
        if (length < 2)
            return -2;
        if (stop(marker)) {
            *found = marker;
            return pos;
        }
        pos += length;
    }
}

ImageProbe probeJpeg(const Bytes &b)
{
    unsigned marker = 0;
    const qint64 pos = walkJpeg(b, [](unsigned m) { return isJpegSof(m) || m == 0xDA; }, &marker);
    if (pos == -1)
        return failed(ImageFormat::Jpeg, "truncated");
    if (pos < 0 || marker == 0xDA)  // a scan before any frame header
        return failed(ImageFormat::Jpeg, "corrupt");
    // Segment: length (2), precision (1), height (2), width (2), components (1).
    if (!b.has(pos, 8))
        return failed(ImageFormat::Jpeg, "truncated");
    if (b.be16(pos + 3) == 0)  // height given later by a DNL marker: rare, not supported
        return failed(ImageFormat::Jpeg, "unsupported format");
    return sized(ImageFormat::Jpeg, b.be16(pos + 5), b.be16(pos + 3));
}

ImageProbe probeBmp(const Bytes &b)
{
    // File header (14), then the DIB header whose first field is its own size.
    if (!b.has(14, 4))
        return failed(ImageFormat::Bmp, "truncated");
    const quint32 dibSize = b.le32(14);
    if (dibSize == 12) {  // BITMAPCOREHEADER (OS/2 1.x): unsigned 16-bit sizes
        if (!b.has(18, 4))
            return failed(ImageFormat::Bmp, "truncated");
        return sized(ImageFormat::Bmp, b.le16(18), b.le16(20));
    }
    if (dibSize < 40 || dibSize > 1024)
        return failed(ImageFormat::Bmp, "unsupported format");
    if (!b.has(18, 8))
        return failed(ImageFormat::Bmp, "truncated");
    // BITMAPINFOHEADER and later: signed 32-bit; a negative height means top-down rows.
    const qint64 width = qint32(b.le32(18));
    const qint64 height = qint32(b.le32(22));
    return sized(ImageFormat::Bmp, width, height < 0 ? -height : height);
}

ImageProbe probeTiff(const Bytes &b)
{
    const bool little = b.at(0) == 'I';
    auto u16 = [&](qint64 o) { return little ? b.le16(o) : b.be16(o); };
    auto u32 = [&](qint64 o) { return little ? b.le32(o) : b.be32(o); };
    if (!b.has(0, 8))
        return failed(ImageFormat::Tiff, "truncated");
    const qint64 ifd = u32(4);
    if (!b.has(ifd, 2))
        return failed(ImageFormat::Tiff, ifd < 8 ? "corrupt" : "truncated");
    const qint64 count = u16(ifd);
    qint64 width = -1, height = -1;
    for (qint64 i = 0; i < count; ++i) {
        const qint64 entry = ifd + 2 + 12 * i;
        if (!b.has(entry, 12))
            return failed(ImageFormat::Tiff, "truncated");
        const quint32 tag = u16(entry);
        const quint32 type = u16(entry + 2);
        if (tag != 256 && tag != 257)
            continue;
        // The value sits left-justified in the 4-byte field: a SHORT is its first 2 bytes.
        qint64 value;
        if (type == 3)
            value = u16(entry + 8);
        else if (type == 4)
            value = u32(entry + 8);
        else
            return failed(ImageFormat::Tiff, "corrupt");
        (tag == 256 ? width : height) = value;
    }
    if (width < 0 || height < 0)
        return failed(ImageFormat::Tiff, "corrupt");
    return sized(ImageFormat::Tiff, width, height);
}

ImageProbe probeWebP(const Bytes &b)
{
    // RIFF (4), size (4), WEBP (4), first chunk: fourcc (4), size (4), payload at 20.
    if (!b.has(0, 30))
        return failed(ImageFormat::WebP, "truncated");
    if (b.startsWith(12, "VP8 ", 4)) {
        // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
        if (!b.startsWith(23, "\x9d\x01\x2a", 3))
            return failed(ImageFormat::WebP, "corrupt");
        return sized(ImageFormat::WebP, b.le16(26) & 0x3FFF, b.le16(28) & 0x3FFF);
    }
    if (b.startsWith(12, "VP8L", 4)) {
        // Lossless: signature 0x2F, then width-1 and height-1 packed in 14 bits each.
        if (b.at(20) != 0x2F)
            return failed(ImageFormat::WebP, "corrupt");
        const quint32 bits = b.le32(21);
        return sized(ImageFormat::WebP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    }
    if (b.startsWith(12, "VP8X", 4)) {
        // Extended: flags (4), then canvas width-1 and height-1 as 24-bit values.
        const qint64 width = (qint64(b.le16(24)) | qint64(b.at(26)) << 16) + 1;
        const qint64 height = (qint64(b.le16(27)) | qint64(b.at(29)) << 16) + 1;
        return sized(ImageFormat::WebP, width, height);
    }
    return failed(ImageFormat::WebP, "unsupported format");
}

ImageProbe probeGif(const Bytes &b)
{
    // Header (6), logical screen width and height (le16), flags; then blocks up to the first
    // image descriptor, whose frame may reach beyond the screen: the larger extent counts.
    if (!b.has(0, 13))
        return failed(ImageFormat::Gif, "truncated");
    const qint64 screenWidth = b.le16(6);
    const qint64 screenHeight = b.le16(8);
    qint64 pos = 13;
    if (b.at(10) & 0x80)
        pos += 3 * (qint64(1) << ((b.at(10) & 7) + 1));  // global colour table
    for (;;) {
        if (!b.has(pos, 1))
            return failed(ImageFormat::Gif, "truncated");
        const unsigned char block = b.at(pos);
        if (block == 0x2C) {
            if (!b.has(pos, 10))
                return failed(ImageFormat::Gif, "truncated");
            const qint64 right = qint64(b.le16(pos + 1)) + b.le16(pos + 5);
            const qint64 bottom = qint64(b.le16(pos + 3)) + b.le16(pos + 7);
            return sized(ImageFormat::Gif, std::max(screenWidth, right), std::max(screenHeight, bottom));
        }
        if (block != 0x21)  // an extension is the only other block before the first image
            return failed(ImageFormat::Gif, "corrupt");
        pos += 2;  // introducer, label; then data sub-blocks up to a zero length
        for (;;) {
            if (!b.has(pos, 1))
                return failed(ImageFormat::Gif, "truncated");
            const qint64 length = b.at(pos);
            pos += 1 + length;
            if (length == 0)
                break;
        }
    }
}

} // namespace

qint64 ImageProbe::pixels() const
{
    // A PNG or TIFF header may declare 2^32 - 1 on each side: the plain product overflows (and
    // could wrap below the loader's limit). Saturating keeps every forged size "too large".
    // Found by fuzz/fuzz_image.
    if (width <= 0 || height <= 0)
        return 0;
    if (width > std::numeric_limits<qint64>::max() / height)
        return std::numeric_limits<qint64>::max();
    return width * height;
}

QString formatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Png: return QStringLiteral("PNG");
    case ImageFormat::Jpeg: return QStringLiteral("JPEG");
    case ImageFormat::Bmp: return QStringLiteral("BMP");
    case ImageFormat::Tiff: return QStringLiteral("TIFF");
    case ImageFormat::WebP: return QStringLiteral("WebP");
    case ImageFormat::Gif: return QStringLiteral("GIF");
    case ImageFormat::Unknown: break;
    }
    return QStringLiteral("unknown");
}

ImageProbe probeImage(const QByteArray &bytes)
{
    const Bytes b(bytes);
    if (b.size() == 0)
        return failed(ImageFormat::Unknown, "empty file");
    if (b.startsWith(0, kPngMagic, 8))
        return probePng(b);
    if (b.startsWith(0, "\xff\xd8\xff", 3))
        return probeJpeg(b);
    if (b.startsWith(0, "BM", 2))
        return probeBmp(b);
    if (b.startsWith(0, "II*\0", 4) || b.startsWith(0, "MM\0*", 4))
        return probeTiff(b);
    if (b.startsWith(0, "II+\0", 4) || b.startsWith(0, "MM\0+", 4))
        return failed(ImageFormat::Tiff, "unsupported format");  // BigTIFF
    if (b.startsWith(0, "RIFF", 4) && b.startsWith(8, "WEBP", 4))
        return probeWebP(b);
    if (b.startsWith(0, "GIF87a", 6) || b.startsWith(0, "GIF89a", 6))
        return probeGif(b);
    // Images we recognise but do not load: say so rather than "not an image".
    if (b.startsWith(0, "GIF8", 4) || b.startsWith(0, "\0\0\0\x0cjP  ", 8)
        || b.startsWith(0, "\xff\x4f\xff\x51", 4))
        return failed(ImageFormat::Unknown, "unsupported format");
    // A file cut inside a signature is a truncated image, not a foreign file.
    if (b.isPrefixOf(kPngMagic, 8) || b.isPrefixOf("\xff\xd8\xff", 3)
        || b.isPrefixOf("RIFF", 4))
        return failed(ImageFormat::Unknown, "truncated");
    return failed(ImageFormat::Unknown, "not an image");
}

ImageProbe probeImageFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isFile())  // never open a FIFO or device: reading one may block forever
        return failed(ImageFormat::Unknown, info.exists() ? "not a regular file" : "unreadable");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failed(ImageFormat::Unknown, "unreadable");
    constexpr qint64 kHead = 256 * 1024;
    ImageProbe probe = probeImage(file.read(kHead));
    // Only TIFF may put its directory anywhere in the file; JPEG metadata before the frame
    // header can also exceed the head. Retry once with up to 64 MiB in those cases.
    if (probe.error == QLatin1String("truncated") && file.size() > kHead
        && (probe.format == ImageFormat::Tiff || probe.format == ImageFormat::Jpeg)) {
        file.seek(0);
        probe = probeImage(file.read(qint64(64) << 20));
    }
    return probe;
}

bool imageLooksComplete(const QByteArray &bytes, ImageFormat format)
{
    if (format == ImageFormat::Gif) {
        // Qt's GIF reader returns the rows it got from a cut file: require the trailer (0x3B),
        // allowing the zero padding some writers add after it.
        qint64 end = bytes.size();
        while (end > 0 && bytes.at(end - 1) == '\0')
            --end;
        return end > 0 && bytes.at(end - 1) == ';';
    }
    if (format != ImageFormat::Jpeg)
        return true;
    const Bytes b(bytes);
    unsigned marker = 0;
    const qint64 scan = walkJpeg(b, [](unsigned m) { return m == 0xDA; }, &marker);
    if (scan < 0)
        return false;
    // Inside entropy-coded data 0xFF is always stuffed (FF 00) or a restart marker, so an
    // FF D9 after the first scan header is the end-of-image marker.
    const char eoi[] = "\xff\xd9";
    return bytes.indexOf(QByteArray::fromRawData(eoi, 2), scan) >= 0;
}

} // namespace aes
