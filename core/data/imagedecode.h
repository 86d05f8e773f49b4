#pragma once
// Decoding image files into 8-bit pixels and fitting them into a dataset slot.
// Internal to core/ (it exposes OpenCV types): only core .cpp files include it.
//
// Ownership: returned cv::Mats own their pixels. Threads: pure functions; several loader
// threads call them at once.
// Failure: never throws; decodeImage reports failure with an empty Mat and a reason.

#include "data/dataset.h"

#include <QByteArray>
#include <QString>

#include <opencv2/core.hpp>

#include <cstdint>
#include <map>
#include <utility>

namespace aes {

struct DecodedImage {
    cv::Mat pixels;  // CV_8UC1 (gray) or CV_8UC3 in RGB order; empty on failure
    QString error;   // "unreadable", "unsupported format", ... when pixels is empty
    bool ok() const { return !pixels.empty(); }
};

// One image file read, probed, checked and decoded as the folder loaders do it.
struct DecodedFile {
    cv::Mat pixels;  // empty when skipped
    QString reason;  // why it was skipped ("too large", "truncated", "unreadable", ...)
    bool gray = false;  // only computed when asked for
};

// True for the file names the folder loaders take as images (png, jpg, jpeg, bmp, tif,
// tiff, webp, gif; any case).
bool isImageFileName(const QString &fileName);

// Reads path, refuses what the header shows to be too large (options' limits) or cut short,
// then decodes. needGray: also tell whether every pixel is gray. Never throws.
DecodedFile decodeImageFile(const QString &path, const LoadOptions &options, bool needGray);

// Image count per (width, height).
using SizeCounts = std::map<std::pair<int, int>, qint64>;
// The most frequent size; ties go to the larger area (detail is not thrown away), then to
// the wider one so that the choice never depends on the order of the files. 0x0 when empty.
cv::Size mostFrequentSize(const SizeCounts &counts);

// Reads a whole file with QFile (so non-ASCII paths work). Refuses files larger than
// maxBytes ("too large") and anything that is not a regular file (never opens a FIFO).
// Returns an empty array and sets *error on failure.
QByteArray readFileBytes(const QString &path, qint64 maxBytes, QString *error);

// Decodes PNG/JPEG/BMP/TIFF/WebP bytes (OpenCV) and GIF (Qt, first frame): 16-bit and float
// images are scaled to 8 bits, alpha is composited on white, colour comes out as RGB (not
// OpenCV's BGR), a JPEG's EXIF orientation is applied.
// Callers should probe the header first (imageprobe.h): this function has no size limit
// beyond OpenCV's own.
DecodedImage decodeImage(const QByteArray &bytes);

// True for a 1-channel image, or a 3-channel one with R == G == B at every pixel.
bool isGray(const cv::Mat &image);

// Converts to `channels` (1 or 3) and to width x height: the same size is copied; CenterCrop
// scales to cover the target then crops the centre; Letterbox scales to fit inside and pads
// with black, centred. Shrinking uses INTER_AREA, enlarging INTER_LINEAR.
cv::Mat fitImage(const cv::Mat &image, int channels, int width, int height, ResizeMode mode);

// Writes an 8-bit interleaved image of exactly channels x height x width into `planes`,
// which holds channels planes of height*width bytes (the CHW layout of a dataset slot).
void writePlanes(const cv::Mat &image, std::uint8_t *planes);

} // namespace aes
