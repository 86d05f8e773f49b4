#include "data/tensorimage.h"

#include <torch/torch.h>

namespace aes {

QImage toImage(const at::Tensor &chw)
{
    const torch::Tensor hwc = chw.permute({1, 2, 0}).contiguous();
    const int h = int(hwc.size(0)), w = int(hwc.size(1)), c = int(hwc.size(2));
    const QImage::Format format = c == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    // The QImage only borrows the tensor's buffer: copy() before the tensor goes away.
    return QImage(hwc.data_ptr<uint8_t>(), w, h, qsizetype(w) * c, format).copy();
}

QImage floatToImage(const at::Tensor &chw)
{
    return toImage(chw.mul(255.0).round_().clamp_(0, 255).to(torch::kUInt8));
}

} // namespace aes
