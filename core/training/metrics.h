#pragma once
// Reconstruction and latent-space quality measures, on float tensors in [0, 1].
// Pure functions: any thread, no state. Shapes are checked by torch (c10::Error on misuse).

#include <ATen/core/Tensor.h>

namespace aes {

// Mean squared error of each image: N x C x H x W -> N.
at::Tensor perImageMse(const at::Tensor &reconstruction, const at::Tensor &target);
// PSNR in dB of each image for a data range of 1, from its MSE; capped at 100 dB for exact copies.
at::Tensor psnrFromMse(const at::Tensor &mse);
// Mean SSIM of each image with scikit-image's defaults (structural_similarity with
// win_size=7, uniform window, K1=0.01, K2=0.03, sample covariance, data_range=1),
// averaged over channels. Images smaller than 7 pixels use the largest odd window that fits.
at::Tensor perImageSsim(const at::Tensor &reconstruction, const at::Tensor &target);
// Fraction of query codes whose k nearest reference codes (Euclidean) vote for
// their true label; ties go to the label of the nearest neighbour among the tied ones.
double knnAccuracy(const at::Tensor &referenceCodes, const at::Tensor &referenceLabels,
                   const at::Tensor &queryCodes, const at::Tensor &queryLabels, int k = 10);

} // namespace aes
