#pragma once
// Images leave the worker as QImages that own their pixels: these turn a model's or a
// dataset's C x H x W tensor (1 or 3 channels) into one.
// Threads: any. Failure: a tensor of another shape or channel count is a bug (torch throws).

#include <ATen/core/Tensor.h>

#include <QImage>

namespace aes {

// uint8 pixels.
QImage toImage(const at::Tensor &chw);
// float pixels in [0, 1] (a model's output), rounded and clamped.
QImage floatToImage(const at::Tensor &chw);

} // namespace aes
