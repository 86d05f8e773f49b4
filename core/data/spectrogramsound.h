#pragma once
// Sound from a spectrogram as the views hold it: an 8-bit gray QImage of nMels rows (row 0 =
// the highest band) and one column per STFT frame, the uint8 layout of an audio dataset
// (data/audiofolder.h). For the GUI's play buttons and anything else that holds images, not
// tensors.
//
// Threads: any thread, several at once; it computes for tens of milliseconds per second of
// sound (Griffin-Lim), so the GUI calls it off its own thread.
// Failure: an image that does not fit the options (rows != nMels) or invalid options give an
// empty result and *error. Torch-free: ui/ includes it.

#include "data/loadoptions.h"

#include <QImage>
#include <QString>

#include <vector>

namespace aes {

// Samples at audio.sampleRate, (columns - 1) * hop long.
std::vector<float> spectrogramImageToSound(const QImage &image, const AudioOptions &audio, QString *error,
                                           int iterations = 32);

// 16-bit little-endian mono PCM bytes of the samples (clipped to full scale): what an audio
// output device plays.
QByteArray toPcm16(const std::vector<float> &samples);

} // namespace aes
