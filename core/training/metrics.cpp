#include "training/metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace aes {

namespace F = torch::nn::functional;

at::Tensor perImageMse(const at::Tensor &reconstruction, const at::Tensor &target)
{
    return (reconstruction - target).pow(2).flatten(1).mean(1);
}

at::Tensor psnrFromMse(const at::Tensor &mse)
{
    return (10.0 * torch::log10(1.0 / mse.clamp_min(1e-10))).clamp_max(100.0);
}

namespace {

at::Tensor ssimOfChunk(const at::Tensor &x, const at::Tensor &y)
{
    const int64_t n = x.size(0), c = x.size(1);
    int64_t win = std::min<int64_t>({7, x.size(2), x.size(3)});
    if (win % 2 == 0)
        --win;
    const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    const double np = double(win * win);
    const double covNorm = np > 1 ? np / (np - 1.0) : 1.0;
    // A uniform filter evaluated only where the window fits equals scikit-image's
    // filter-then-crop of (win - 1) / 2 border pixels.
    const auto mean = [&](const torch::Tensor &t) {
        return F::avg_pool2d(t.reshape({n * c, 1, t.size(2), t.size(3)}),
                             F::AvgPool2dFuncOptions(win).stride(1));
    };
    const torch::Tensor xd = x.to(torch::kFloat64), yd = y.to(torch::kFloat64);
    const torch::Tensor ux = mean(xd), uy = mean(yd);
    const torch::Tensor vx = covNorm * (mean(xd * xd) - ux * ux);
    const torch::Tensor vy = covNorm * (mean(yd * yd) - uy * uy);
    const torch::Tensor vxy = covNorm * (mean(xd * yd) - ux * uy);
    const torch::Tensor s = ((2 * ux * uy + c1) * (2 * vxy + c2))
        / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    return s.reshape({n, c, -1}).mean(2).mean(1).to(torch::kFloat32);
}

} // namespace

at::Tensor perImageSsim(const at::Tensor &x, const at::Tensor &y)
{
    // In double precision the formula keeps about 20 image-sized temporaries alive: on 256
    // validation images of 128x128 RGB that was 1.9 GB, most of a training run's peak memory
    // (heaptrack, docs/PERFORMANCE.md). Chunks of about 4 MiB of doubles per temporary keep it
    // under ~100 MB at any image size; each image's value does not depend on its chunk.
    const int64_t n = x.size(0);
    const int64_t bytesPerImage = std::max<int64_t>(1, x.numel() / std::max<int64_t>(n, 1) * int64_t(sizeof(double)));
    const int64_t chunk = std::max<int64_t>(1, (int64_t(4) << 20) / bytesPerImage);
    if (n <= chunk)
        return ssimOfChunk(x, y);
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < n; start += chunk) {
        const int64_t end = std::min(n, start + chunk);
        parts.push_back(ssimOfChunk(x.slice(0, start, end), y.slice(0, start, end)));
    }
    return torch::cat(parts);
}

double knnAccuracy(const at::Tensor &refCodes, const at::Tensor &refLabels,
                   const at::Tensor &queryCodes, const at::Tensor &queryLabels, int k)
{
    const int64_t nq = queryCodes.size(0);
    const int64_t nr = refCodes.size(0);
    if (nq == 0 || nr == 0)
        return std::numeric_limits<double>::quiet_NaN();
    k = int(std::min<int64_t>(k, nr));
    const torch::Tensor ref = refCodes.to(torch::kFloat32).contiguous();
    const torch::Tensor refSq = ref.pow(2).sum(1);
    const torch::Tensor refLab = refLabels.to(torch::kLong).contiguous();
    int64_t correct = 0;
    // Chunks keep the distance matrix small for 70k-image datasets: 2^22 distances (16 MB, and a
    // few temporaries that size) per block. Blocks of 2^24 took ~270 MB with 63k reference
    // codes, half of a 70k-image run's peak memory; the result does not depend on the size.
    const int64_t chunk = std::max<int64_t>(1, (int64_t(1) << 22) / std::max<int64_t>(nr, 1));
    for (int64_t start = 0; start < nq; start += chunk) {
        const int64_t end = std::min(nq, start + chunk);
        const torch::Tensor q = queryCodes.slice(0, start, end).to(torch::kFloat32);
        const torch::Tensor d = q.pow(2).sum(1, true) - 2.0 * q.matmul(ref.t()) + refSq.unsqueeze(0);
        const torch::Tensor nearest = std::get<1>(d.topk(k, 1, /*largest=*/false, /*sorted=*/true));
        const torch::Tensor votes = refLab.index_select(0, nearest.flatten()).view({end - start, k});
        const auto v = votes.accessor<int64_t, 2>();
        const torch::Tensor truth = queryLabels.slice(0, start, end).to(torch::kLong).contiguous();
        const auto t = truth.accessor<int64_t, 1>();
        for (int64_t i = 0; i < end - start; ++i) {
            std::map<int64_t, int> count;
            int best = 0;
            for (int j = 0; j < k; ++j)
                best = std::max(best, ++count[v[i][j]]);
            // Neighbours are sorted by distance: the first label reaching the top count wins.
            int64_t winner = v[i][0];
            for (int j = 0; j < k; ++j)
                if (count[v[i][j]] == best) {
                    winner = v[i][j];
                    break;
                }
            correct += winner == t[i];
        }
    }
    return double(correct) / double(nq);
}

} // namespace aes
