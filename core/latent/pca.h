#pragma once
// Principal component analysis of a point cloud: the map behind the "PCA" projection of
// the latent explorer, its exact inverse (a point of the plane -> a full code), and the
// initial layout and input reduction of t-SNE.
//
// Pure functions: any thread, no state. Results are values (tensors own their storage).
// Failure: misuse (not N x D, k outside 1..D) is a bug and raises c10::Error.

#include <ATen/core/Tensor.h>

namespace aes {

struct PcaResult {
    at::Tensor mean;                    // float32, D
    at::Tensor components;              // float32, k x D; orthonormal rows, largest variance first
    at::Tensor explainedVariance;       // float64, k; variance along each component (divided by N - 1)
    at::Tensor explainedVarianceRatio;  // float64, k; share of the total variance
    at::Tensor projection;              // float32, N x k; (data - mean) * components^T
};

// PCA of data (N x D, any floating type) by an eigendecomposition of the D x D
// covariance in float64. Each component's sign is fixed (its largest coefficient is
// positive), so the same data always gives the same axes. A constant input yields
// zero variances and an arbitrary orthonormal basis.
PcaResult pca(const at::Tensor &data, int k = 2);

// Points of the component space (M x k) -> points of the data space (M x D):
// mean + points * components. Exact for points that PCA projected from the span.
at::Tensor pcaInverse(const PcaResult &pca, const at::Tensor &points);

} // namespace aes
