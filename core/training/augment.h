#pragma once
// Data augmentation for small datasets, applied to each training batch on the fly (never to
// validation): per image, a horizontal flip (probability 1/2), a shift of up to 10% of the
// side in each direction (edges repeated, so a shift is also a small crop), and brightness
// (+-0.1) and contrast (x 0.8-1.2 around the image's mean) jitter, clamped to [0, 1]. The
// model learns to reconstruct the augmented image.
//
// Ownership: none. Threads: the trainer's; the draws come from the generator passed in, so a
// seeded run is repeatable and a checkpoint that saves the generator resumes exactly.

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

namespace aes {

// x: float32 N x C x H x W in [0, 1]; returns a new tensor of the same shape.
at::Tensor augmentBatch(const at::Tensor &x, at::Generator &generator);

} // namespace aes
