#include "anomaly/anomalyscore.h"

#include "data/dataset.h"
#include "data/tensorimage.h"
#include "model/autoencoder.h"
#include "model/devicetensors.h"
#include "model/evalmode.h"
#include "training/metrics.h"
#include "util/colormap.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace aes {

namespace {

constexpr int64_t kBatch = 256;

// Blurs N x H x W maps with a separable Gaussian (radius 3 sigma, edges replicated, so a
// defect at the border keeps its weight).
torch::Tensor gaussianBlur(const torch::Tensor &maps, double sigma)
{
    if (sigma <= 0.0)
        return maps;
    const int64_t radius = std::max<int64_t>(1, int64_t(std::ceil(3.0 * sigma)));
    const torch::Tensor offsets = torch::arange(-radius, radius + 1, torch::kFloat32);
    torch::Tensor kernel = (-offsets.square() / (2.0 * sigma * sigma)).exp();
    kernel = kernel / kernel.sum();
    namespace F = torch::nn::functional;
    torch::Tensor x = maps.unsqueeze(1);
    x = F::pad(x, F::PadFuncOptions({radius, radius, radius, radius}).mode(torch::kReplicate));
    x = F::conv2d(x, kernel.view({1, 1, 1, -1}));
    x = F::conv2d(x, kernel.view({1, 1, -1, 1}));
    return x.squeeze(1);
}

} // namespace

at::Tensor errorMaps(const at::Tensor &x, const at::Tensor &reconstruction, double sigma)
{
    return gaussianBlur((x - reconstruction).square().mean(1), sigma);
}

BatchScores scoreBatch(AutoencoderImpl &model, const Dataset &data, const at::Tensor &indices,
                       const ScoreOptions &options, bool withMaps)
{
    BatchScores b;
    b.x = floatBatchOn(data, indices, deviceOf(model));
    b.reconstruction = model.forward(b.x);
    if (withMaps || options.kind == ScoreKind::MaxSmoothed)
        b.maps = errorMaps(b.x, b.reconstruction, options.sigma);
    switch (options.kind) {
    case ScoreKind::Mse:
        b.scores = perImageMse(b.reconstruction, b.x);
        break;
    case ScoreKind::Ssim:
        b.scores = 1.0 - perImageSsim(b.reconstruction, b.x);
        break;
    case ScoreKind::MaxSmoothed:
        b.scores = b.maps.flatten(1).amax(1);
        break;
    }
    // Back to the host for the callers (a no-op on the CPU).
    b.scores = b.scores.to(torch::kCPU, torch::kFloat64);
    b.x = b.x.to(torch::kCPU);
    b.reconstruction = b.reconstruction.to(torch::kCPU);
    b.maps = withMaps ? b.maps.to(torch::kCPU) : torch::Tensor();
    return b;
}

at::Tensor scoreImages(AutoencoderImpl &model, const Dataset &data, const ScoreOptions &options,
                       const at::Tensor &indices, const std::function<bool()> &stop,
                       const std::function<void(qint64, qint64)> &progress)
{
    const torch::Tensor all = indices.defined() ? indices.to(torch::kLong) : torch::arange(int64_t(data.size()), torch::kLong);
    const int64_t n = all.numel();
    EvalMode eval(model);
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < n; start += kBatch) {
        if (stop && stop())
            return {};
        const int64_t end = std::min(n, start + kBatch);
        parts.push_back(scoreBatch(model, data, all.slice(0, start, end), options, false).scores);
        if (progress)
            progress(end, n);
    }
    return parts.empty() ? torch::zeros({0}, torch::kFloat64) : torch::cat(parts);
}

QImage heatmapImage(const at::Tensor &image, const at::Tensor &map, double maxError)
{
    const torch::Tensor gray = image.to(torch::kFloat32).mean(0).contiguous();
    const torch::Tensor m = map.to(torch::kFloat32).contiguous();
    const double scale = maxError > 0.0 ? maxError : std::max(1e-12, double(m.max().item<float>()));
    const int h = int(gray.size(0)), w = int(gray.size(1));
    const float *g = gray.data_ptr<float>();
    const float *e = m.data_ptr<float>();
    QImage out(w, h, QImage::Format_RGB32);
    for (int y = 0; y < h; ++y) {
        auto *line = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < w; ++x) {
            const double t = std::clamp(double(e[y * w + x]) / scale, 0.0, 1.0);
            const QRgb c = infernoColor(t);
            // Small errors leave the image readable; large ones cover it.
            const double alpha = 0.3 + 0.6 * t;
            const double v = g[y * w + x];
            const auto blend = [&](int channel) { return int(std::lround((1.0 - alpha) * v + alpha * channel)); };
            line[x] = qRgb(blend(qRed(c)), blend(qGreen(c)), blend(qBlue(c)));
        }
    }
    return out;
}

ImageAnomaly imageAnomaly(AutoencoderImpl &model, const Dataset &data, qint64 index,
                          const ScoreOptions &options, double maxError)
{
    EvalMode eval(model);
    torch::NoGradGuard noGrad;
    const BatchScores b = scoreBatch(model, data, torch::tensor({int64_t(index)}, torch::kLong), options, true);
    ImageAnomaly a;
    a.image = toImage(data.images[index]);
    a.reconstruction = floatToImage(b.reconstruction[0]);
    a.heatmap = heatmapImage(data.images[index], b.maps[0], maxError);
    a.score = b.scores[0].item<double>();
    return a;
}

} // namespace aes
