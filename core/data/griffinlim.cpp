#include "data/griffinlim.h"

#include "data/melspectrogram.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace aes {

at::Tensor griffinLim(const MelSpectrogram &mel, const at::Tensor &magnitude, int64_t length,
                      const GriffinLimOptions &options)
{
    torch::NoGradGuard noGrad;
    // The istft works on the raw STFT's scale.
    const torch::Tensor target = magnitude.to(torch::kFloat).mul(mel.magnitudeScale());
    at::Generator generator = at::detail::createCPUGenerator(options.seed);
    const torch::Tensor phase = torch::rand(target.sizes(), generator, torch::kFloat).mul_(2.0 * M_PI);
    torch::Tensor angles = torch::polar(torch::ones_like(phase), phase);
    torch::Tensor previous = torch::zeros_like(angles);
    const double alpha = options.momentum / (1.0 + options.momentum);
    for (int i = 0; i < options.iterations; ++i) {
        const torch::Tensor wave = mel.istft(target * angles, length);
        const torch::Tensor rebuilt = mel.stft(wave);
        angles = rebuilt - previous * alpha;
        angles = angles / (angles.abs() + 1e-16);
        previous = rebuilt;
    }
    return mel.istft(target * angles, length);
}

double spectralConvergence(const at::Tensor &target, const at::Tensor &rebuilt)
{
    const double norm = target.norm().item<double>();
    return norm > 0.0 ? (target - rebuilt).norm().item<double>() / norm : 0.0;
}

std::vector<float> featuresToWave(const MelSpectrogram &mel, const at::Tensor &unit, const GriffinLimOptions &options)
{
    const int64_t frames = unit.size(-1);
    const int64_t length = mel.options().samplesFor(int(frames));
    const torch::Tensor wave = griffinLim(mel, mel.unitToMagnitude(unit), length, options).contiguous();
    const float *p = wave.data_ptr<float>();
    return std::vector<float>(p, p + wave.numel());
}

} // namespace aes
