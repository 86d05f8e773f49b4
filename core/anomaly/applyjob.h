#pragma once
// `aestudio-cli apply`: every image of a dataset through a run's model, each reconstruction
// written as a PNG under an output folder with the image's relative path (a denoising
// model's output is the cleaned image); for audio data, each reconstructed spectrogram is
// turned back into sound (Griffin-Lim, data/griffinlim.h) and written as a WAV of the clip's
// duration. Never writes into the data or over an input.
//
// Threads: runs on the calling thread (LibTorch's compute threads inside). Failure: never
// throws; refusals and problems come back as a message naming the folder or file; files
// already written stay (each is whole: written atomically).

#include "data/dataset.h"

#include <QString>

#include <functional>

namespace aes {

struct ApplyJobResult {
    bool ok = false;
    bool refused = false;          // the output would land in the data or on an input
    QString error;
    LoadReport report;
    qint64 written = 0;
};

// The model runs on device (model/device.h); the images are written from the host.
ApplyJobResult runApplyJob(const QString &runDir, const QString &data, const QString &outDir,
                           const LoadControl::ProgressFn &onLoadProgress = {},
                           const std::function<void(qint64 done, qint64 total)> &onProgress = {},
                           const QString &device = QStringLiteral("cpu"));

} // namespace aes
