#pragma once
// Sound from a magnitude spectrogram: Griffin-Lim phase recovery with momentum (Perraudin et
// al. 2013, "fast Griffin-Lim", as torchaudio's GriffinLim): alternate LibTorch's istft and
// stft, keeping the given magnitude and the phase of the rebuilt spectrum, extrapolated by the
// momentum. featuresToWave runs the whole way from [0, 1] features (data/melspectrogram.h).
//
// Threads: plain functions; any thread (each call seeds its own generator: deterministic).
// Failure: shapes must match the MelSpectrogram's; torch errors are bugs.

#include <ATen/core/Tensor.h>

#include <QtGlobal>

#include <vector>

namespace aes {

class MelSpectrogram;

struct GriffinLimOptions {
    int iterations = 32;
    double momentum = 0.99;
    quint64 seed = 0;  // of the random starting phases
};

// magnitude: [bins, frames] on MelSpectrogram::magnitude's scale. Returns float [length].
at::Tensor griffinLim(const MelSpectrogram &mel, const at::Tensor &magnitude, int64_t length,
                      const GriffinLimOptions &options = {});

// ||target| - |rebuilt||_F / ||target||_F over two magnitude spectrograms of one shape.
double spectralConvergence(const at::Tensor &target, const at::Tensor &rebuilt);

// unit: [nMels, frames] features in [0, 1] as MelSpectrogram::unitFeatures gives them (lowest
// band first). Returns samples at the options' rate, samplesFor(frames) long.
std::vector<float> featuresToWave(const MelSpectrogram &mel, const at::Tensor &unit,
                                  const GriffinLimOptions &options = {});

} // namespace aes
