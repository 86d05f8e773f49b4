// Fuzzes the image decode path as the folder loader runs it (core/folderloader.cpp):
// probe the header, refuse what is too large or cut short, decode, then fit into a slot.
// The probe's answers are also checked against the decoder's: a probe that accepts an image
// must report the size the decoder produces.

#include "data/imagedecode.h"
#include "data/imageprobe.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {
// Lower than LoadOptions::maxPixels (2^27) to keep each run fast; the check is the same.
constexpr qint64 kMaxPixels = qint64(1) << 22;
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // One decoding thread: the loader runs several decoders, each single-threaded.
    cv::setNumThreads(0);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const aes::ImageProbe probe = aes::probeImage(bytes);
    (void)aes::formatName(probe.format);
    if (!probe.ok() || probe.width < 1 || probe.height < 1 || probe.pixels() > kMaxPixels)
        return 0;
    if (!aes::imageLooksComplete(bytes, probe.format))
        return 0;
    const aes::DecodedImage image = aes::decodeImage(bytes);
    if (!image.ok())
        return 0;
    const cv::Mat &pixels = image.pixels;
    if (pixels.depth() != CV_8U || (pixels.channels() != 1 && pixels.channels() != 3)) {
        std::fprintf(stderr, "decodeImage returned type %d\n", pixels.type());
        std::abort();
    }
    (void)aes::isGray(pixels);
    for (const int channels : {1, 3}) {
        for (const aes::ResizeMode mode : {aes::ResizeMode::CenterCrop, aes::ResizeMode::Letterbox}) {
            const cv::Mat fitted = aes::fitImage(pixels, channels, 7, 5, mode);
            std::vector<std::uint8_t> planes(size_t(channels) * 7 * 5);
            aes::writePlanes(fitted, planes.data());
        }
    }
    return 0;
}
