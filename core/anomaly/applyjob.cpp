#include "anomaly/applyjob.h"

#include "anomaly/outputpaths.h"
#include "data/audiofile.h"
#include "data/griffinlim.h"
#include "data/melspectrogram.h"
#include "data/tensorimage.h"
#include "model/autoencoder.h"
#include "model/devicetensors.h"
#include "model/evalmode.h"
#include "project/rundirectory.h"
#include "util/atomicfile.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace aes {

ApplyJobResult runApplyJob(const QString &runDir, const QString &data, const QString &outDir,
                           const LoadControl::ProgressFn &onLoadProgress,
                           const std::function<void(qint64, qint64)> &onProgress, const QString &device)
{
    ApplyJobResult result;
    result.error = checkOutputFolder(outDir, data);
    if (!result.error.isEmpty()) {
        result.refused = true;
        return result;
    }
    RunDataResult loaded = loadRunData(runDir, data, onLoadProgress, device);
    result.report = loaded.report;
    if (!loaded.run) {
        result.error = loaded.error;
        return result;
    }
    AutoencoderImpl &model = *loaded.run->checkpoint.model;
    const Dataset &d = loaded.run->dataset;

    // Every target is checked before the first is written: all or nothing on a refusal.
    const QDir out(outDir);
    QStringList targets;
    // Sound comes back as sound: each reconstructed spectrogram through Griffin-Lim to a WAV.
    const QString suffix = d.isAudio() ? QStringLiteral("wav") : QStringLiteral("png");
    for (const QString &path : d.paths)
        targets << out.filePath(outputRelativePath(data, path, suffix));
    QStringList inputs = d.paths;
    inputs << data;
    result.error = checkTargetsAreNotInputs(targets, inputs);
    if (!result.error.isEmpty()) {
        result.refused = true;
        return result;
    }

    std::optional<MelSpectrogram> mel;
    if (d.isAudio())
        mel.emplace(*d.audio);
    EvalMode eval(model);
    torch::NoGradGuard noGrad;
    constexpr int64_t kBatch = 256;
    const int64_t n = d.size();
    for (int64_t start = 0; start < n; start += kBatch) {
        const int64_t end = std::min(n, start + kBatch);
        const torch::Tensor reconstruction =
            model.forward(floatBatchOn(d, torch::arange(start, end, torch::kLong), deviceOf(model))).to(torch::kCPU);
        for (int64_t i = start; i < end; ++i) {
            const QString &target = targets[int(i)];
            if (!QDir().mkpath(QFileInfo(target).absolutePath())) {
                result.error = QStringLiteral("cannot create the folder of %1").arg(target);
                return result;
            }
            const QString e = mel ? writeAudioFile(target, featuresToWave(*mel, reconstruction[i - start][0].flip({0})),
                                                   d.audio->sampleRate)
                                  : writeImageAtomically(target, floatToImage(reconstruction[i - start]));
            if (!e.isEmpty()) {
                result.error = e;
                return result;
            }
            ++result.written;
        }
        if (onProgress)
            onProgress(end, n);
    }
    result.ok = true;
    return result;
}

} // namespace aes
