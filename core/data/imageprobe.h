#pragma once
// Reads an image's format and size from its header bytes, without decoding it.
// This is what lets the loader refuse a "dimension bomb" (a tiny file that declares
// 100000 x 100000 pixels) before any decoder allocates memory for it.
//
// Ownership: plain values. Threads: pure functions, any thread.
// Failure: never throws; a failed probe carries a short reason in `error`.

#include <QByteArray>
#include <QString>

namespace aes {

enum class ImageFormat { Unknown, Png, Jpeg, Bmp, Tiff, WebP, Gif };

struct ImageProbe {
    ImageFormat format = ImageFormat::Unknown;  // also set when only the size is bad
    qint64 width = 0;
    qint64 height = 0;
    // Empty on success, else "not an image", "empty file", "truncated", "corrupt",
    // "unsupported format" or "unreadable".
    QString error;
    bool ok() const { return error.isEmpty(); }
    // width * height, saturating at the largest qint64: sides come from untrusted headers.
    qint64 pixels() const;
};

// "PNG", "JPEG", "BMP", "TIFF", "WebP", "GIF" or "unknown".
QString formatName(ImageFormat format);

// Probes the bytes of a whole file (or its first bytes: a header cut short gives "truncated").
ImageProbe probeImage(const QByteArray &bytes);

// Reads as little of the file as needed (the first 256 KiB, more only for a TIFF whose
// directory lies further). Does not open anything but regular files.
ImageProbe probeImageFile(const QString &path);

// A truncated JPEG still decodes (libjpeg fills the missing rows with gray and only warns),
// so completeness is checked separately: true when an end-of-image marker follows the
// first scan. A GIF needs its trailer byte (Qt's reader keeps the rows of a cut file).
// For other formats returns true (their decoders fail on truncation).
bool imageLooksComplete(const QByteArray &bytes, ImageFormat format);

} // namespace aes
