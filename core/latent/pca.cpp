#include "latent/pca.h"

#include <torch/torch.h>

namespace aes {

PcaResult pca(const at::Tensor &data, int k)
{
    TORCH_CHECK(data.dim() == 2, "pca: expected an N x D matrix, got ", data.sizes());
    const int64_t n = data.size(0), d = data.size(1);
    TORCH_CHECK(n >= 1 && k >= 1 && k <= d, "pca: cannot take ", k, " components of ", n, " x ", d);

    // Centring and the covariance in float64: at 70k x 32 this is ~70 MFLOP, and the
    // float32 sum of squares would lose the small components' digits.
    const torch::Tensor x = data.to(torch::kFloat64);
    const torch::Tensor mean = x.mean(0);
    const torch::Tensor centred = x - mean;
    const torch::Tensor covariance = centred.t().matmul(centred) / double(std::max<int64_t>(n - 1, 1));
    // eigh returns ascending eigenvalues; the last k columns are the principal axes.
    auto [values, vectors] = torch::linalg_eigh(covariance);
    const torch::Tensor order = torch::arange(d - 1, d - 1 - k, -1, torch::kLong);
    torch::Tensor variance = values.index_select(0, order).clamp_min(0.0);
    torch::Tensor components = vectors.index_select(1, order).t().contiguous();  // k x D

    // Deterministic signs: the largest-magnitude coefficient of each axis is positive.
    const torch::Tensor pivot = components.abs().argmax(1, /*keepdim=*/true);
    const torch::Tensor sign = components.gather(1, pivot).sign();
    components = components * torch::where(sign == 0, torch::ones_like(sign), sign);

    const double total = values.clamp_min(0.0).sum().item<double>();
    PcaResult result;
    result.mean = mean.to(torch::kFloat32);
    result.components = components.to(torch::kFloat32);
    result.explainedVariance = variance;
    result.explainedVarianceRatio = total > 0 ? variance / total : torch::zeros_like(variance);
    result.projection = centred.matmul(components.t()).to(torch::kFloat32);
    return result;
}

at::Tensor pcaInverse(const PcaResult &pca, const at::Tensor &points)
{
    TORCH_CHECK(points.dim() == 2 && points.size(1) == pca.components.size(0),
                "pcaInverse: expected M x ", pca.components.size(0), " points, got ", points.sizes());
    return torch::addmm(pca.mean.unsqueeze(0), points.to(torch::kFloat32), pca.components);
}

} // namespace aes
