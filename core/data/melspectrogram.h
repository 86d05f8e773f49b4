#pragma once
// Log-mel spectrograms and their inverse, as the studio holds sound: a waveform's STFT
// (LibTorch's stft, periodic Hann window of n_fft samples, centred frames every hop samples),
// its power scaled so that a full-scale sine gives 0 dB, summed by a triangular mel filterbank
// (HTK mel scale, peaks of 1), in dB, then mapped to [0, 1]: 0 dB -> 1, -dbRange dB (the floor)
// and below -> 0. unitToMagnitude undoes it as far as it can (non-negative least squares through
// the filterbank) for Griffin-Lim (data/griffinlim.h).
//
// Ownership: a MelSpectrogram is a value holding its window and filterbank.
// Threads: const methods may be called from several threads at once.
// Failure: the options must be valid (AudioOptions::validate()); torch errors are bugs.

#include "data/loadoptions.h"

#include <ATen/core/Tensor.h>

namespace aes {

double hzToMel(double hz);   // HTK: 2595 log10(1 + hz / 700)
double melToHz(double mel);

// nMels x (nFft / 2 + 1) float triangles: filter m rises from the centre of mel band m - 1 to
// band m's centre and falls to band m + 1's, the nMels + 2 edges spaced evenly in mel from
// fMin to fMax; each bin's weight is read at the bin's frequency (k * rate / nFft).
at::Tensor melFilterbank(int nMels, int nFft, int sampleRate, double fMin, double fMax);

class MelSpectrogram {
public:
    explicit MelSpectrogram(const AudioOptions &options);

    const AudioOptions &options() const { return m_options; }
    const at::Tensor &filterbank() const { return m_filterbank; }
    const at::Tensor &window() const { return m_window; }
    int bins() const { return m_options.nFft / 2 + 1; }

    // waveforms: float [B, samples] (or [samples]). Complex STFT [B, bins, frames], raw scale.
    at::Tensor stft(const at::Tensor &waveforms) const;
    // The waveform back from a complex STFT of the same layout (length samples).
    at::Tensor istft(const at::Tensor &spectrum, int64_t length) const;
    // |STFT| scaled so that a full-scale sine's peak bin is 1: [B, bins, frames].
    at::Tensor magnitude(const at::Tensor &waveforms) const;
    // Features in [0, 1]: [B, nMels, frames].
    at::Tensor unitFeatures(const at::Tensor &waveforms) const;
    // Features in [0, 1] ([nMels, frames] or [B, nMels, frames]) back to the scaled magnitude
    // of magnitude()'s layout.
    at::Tensor unitToMagnitude(const at::Tensor &unit) const;
    // The scale between magnitude() and the raw STFT (half the window's sum).
    double magnitudeScale() const { return m_scale; }

private:
    AudioOptions m_options;
    at::Tensor m_window;         // float [nFft], periodic Hann
    at::Tensor m_filterbank;     // float [nMels, bins]
    at::Tensor m_transposed;     // float [bins, nMels]
    at::Tensor m_binWeights;     // float [bins, 1]: each bin's total filter weight
    double m_scale = 1.0;
};

} // namespace aes
