#include "training/augment.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace aes {

namespace {
constexpr double kShiftFraction = 0.1;
constexpr double kBrightness = 0.1;
constexpr double kContrastLow = 0.8;
constexpr double kContrastHigh = 1.2;
namespace F = torch::nn::functional;
} // namespace

at::Tensor augmentBatch(const at::Tensor &x, at::Generator &generator)
{
    torch::NoGradGuard noGrad;
    const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
    const int64_t maxShiftY = std::max<int64_t>(1, std::llround(kShiftFraction * double(h)));
    const int64_t maxShiftX = std::max<int64_t>(1, std::llround(kShiftFraction * double(w)));
    // Every draw of the batch at once, in a fixed order, from the one generator (each call
    // locks it itself).
    const auto options = torch::TensorOptions().dtype(torch::kFloat32);
    const torch::Tensor flip = torch::rand({n}, generator, options) < 0.5;
    const torch::Tensor shiftY = torch::randint(-maxShiftY, maxShiftY + 1, {n}, generator, torch::kLong);
    const torch::Tensor shiftX = torch::randint(-maxShiftX, maxShiftX + 1, {n}, generator, torch::kLong);
    const torch::Tensor brightness = (torch::rand({n, 1, 1, 1}, generator, options) * 2.0 - 1.0) * kBrightness;
    const torch::Tensor contrast = kContrastLow + torch::rand({n, 1, 1, 1}, generator, options) * (kContrastHigh - kContrastLow);
    torch::Tensor out = torch::where(flip.view({n, 1, 1, 1}), x.flip({3}), x);
    // Shifts: pad by the largest shift with the edge pixels repeated, then cut each image's window.
    const torch::Tensor padded = F::pad(out, F::PadFuncOptions({maxShiftX, maxShiftX, maxShiftY, maxShiftY})
                                                 .mode(torch::kReplicate));
    std::vector<torch::Tensor> shifted;
    shifted.reserve(size_t(n));
    const auto dy = shiftY.accessor<int64_t, 1>();
    const auto dx = shiftX.accessor<int64_t, 1>();
    for (int64_t i = 0; i < n; ++i)
        shifted.push_back(padded[i].narrow(1, maxShiftY + dy[i], h).narrow(2, maxShiftX + dx[i], w));
    out = torch::stack(shifted);
    const torch::Tensor mean = out.mean({1, 2, 3}, /*keepdim=*/true);
    return ((out - mean) * contrast + mean + brightness).clamp(0.0, 1.0).contiguous();
}

} // namespace aes
