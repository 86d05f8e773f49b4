#include "export/exportjob.h"

#include "anomaly/anomalyscore.h"
#include "anomaly/anomalythreshold.h"
#include "latent/kmeans.h"
#include "project/runfiles.h"

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "data/dataset.h"
#include "export/exportplan.h"
#include "project/rundirectory.h"
#include "export/onnxexport.h"
#include "export/projectorexport.h"
#include "export/torchscriptexport.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>

namespace aes {

namespace {

ExportMetadata metadataOf(const LoadedCheckpoint &checkpoint, const QString &runDir, QString *error)
{
    ExportMetadata meta;
    // The threshold travels with the model, so that whoever runs it flags what the user chose.
    if (const std::optional<AnomalyThreshold> threshold = readAnomalyThreshold(runDirectoryOf(runDir), error))
        meta.anomaly = threshold->toJson();
    meta.classNames = trainedClassesOf(checkpoint);
    QString ignored;  // damaged load options: the default fitting, as the loader would use
    meta.resize = toString(loadOptionsOf(checkpoint, &ignored).value_or(LoadOptions{}).resize);
    return meta;
}

// Codes and reconstructions of the first count images; eval mode, no gradients. False when
// cancel was set on the way.
bool encodeAll(AutoencoderImpl &model, const Dataset &data, qint64 count, torch::Tensor *codes,
               torch::Tensor *reconstructions, const std::atomic_bool *cancel)
{
    const torch::Tensor z = encodeImages(model, data, torch::arange(int64_t(count), torch::kLong),
                                         [cancel] { return cancel && cancel->load(); });
    if (!z.defined())
        return false;
    if (codes)
        *codes = z;
    if (!reconstructions)
        return true;
    c10::InferenceMode inference;
    std::vector<torch::Tensor> imageParts;
    for (int64_t start = 0; start < count; start += 256)
        imageParts.push_back((model.decode(z.slice(0, start, std::min<int64_t>(count, start + 256))) * 255.0)
                                 .round().clamp(0, 255).to(torch::kUInt8));
    *reconstructions = torch::cat(imageParts);
    return true;
}

} // namespace

ExportJobResult runExportJob(const QString &runDir, const ExportTargets &targets, const ExportProgressFn &progress,
                             const std::atomic_bool *cancel)
{
    ExportJobResult result;
    if (targets.isEmpty()) {
        result.error = QStringLiteral("nothing to export: give a TorchScript file, an ONNX, embeddings or images folder");
        return result;
    }
    const bool needsData = !targets.embeddingsDir.isEmpty() || !targets.imagesDir.isEmpty();
    const int total = 1 + int(needsData) + int(!targets.torchscriptFile.isEmpty()) + int(!targets.onnxDir.isEmpty())
        + int(!targets.embeddingsDir.isEmpty()) + int(!targets.imagesDir.isEmpty());
    int done = 0;
    const auto cancelled = [&] {
        result.cancelled = true;
        result.error = QStringLiteral("export cancelled");
        return result;
    };
    // False when the user cancelled: the caller returns without writing anything more.
    const auto step = [&](const QString &what) {
        if (cancel && cancel->load()) {
            cancelled();
            return false;
        }
        if (progress)
            progress(what, done, total);
        ++done;
        return true;
    };

    try {
        if (!step(QStringLiteral("loading the model")))
            return result;
        std::optional<LoadedCheckpoint> checkpoint = loadCheckpoint(checkpointPathOf(runDir), &result.error);
        if (!checkpoint)
            return result;
        AutoencoderImpl &model = *checkpoint->model;
        model.eval();
        torch::NoGradGuard noGrad;
        const ExportMetadata meta = metadataOf(*checkpoint, runDir, &result.error);
        if (!result.error.isEmpty())
            return result;

        std::optional<Dataset> data;
        if (needsData) {
            if (!step(QStringLiteral("loading the dataset")))
                return result;
            LoadResult loaded = loadDatasetFor(*checkpoint);
            if (!loaded.ok()) {
                result.error = loaded.error;
                return result;
            }
            data = std::move(loaded.dataset);
        }
        if (!targets.torchscriptFile.isEmpty()) {
            if (!step(QStringLiteral("writing TorchScript")))
                return result;
            // Like the folder targets, the file's folder is created when missing.
            QDir().mkpath(QFileInfo(targets.torchscriptFile).absolutePath());
            result.error = exportTorchScript(model, targets.torchscriptFile, meta);
            if (!result.error.isEmpty())
                return result;
            result.written << QStringLiteral("TorchScript: %1").arg(targets.torchscriptFile);
        }
        if (!targets.onnxDir.isEmpty()) {
            if (!step(QStringLiteral("writing ONNX")))
                return result;
            result.error = exportOnnx(model, targets.onnxDir, meta);
            if (!result.error.isEmpty())
                return result;
            const QDir dir(targets.onnxDir);
            result.written << QStringLiteral("ONNX: %1, %2").arg(dir.filePath(QLatin1String(kOnnxEncoderFile)),
                                                                 dir.filePath(QLatin1String(kOnnxDecoderFile)));
            if (!meta.anomaly.isEmpty()) {
                result.error = writeJsonFile(dir.filePath(runfiles::kAnomaly), meta.anomaly);
                if (!result.error.isEmpty())
                    return result;
                result.written << QStringLiteral("anomaly threshold: %1").arg(dir.filePath(runfiles::kAnomaly));
            }
        }
        if (!targets.embeddingsDir.isEmpty()) {
            if (!step(QStringLiteral("writing projector embeddings")))
                return result;
            ProjectorData projector;
            if (!encodeAll(model, *data, data->size(), &projector.codes, nullptr, cancel))
                return cancelled();
            projector.images = data->images;
            const torch::Tensor labels = data->labels.to(torch::kLong).contiguous();
            const auto labelOf = labels.accessor<int64_t, 1>();
            for (qint64 i = 0; i < data->size(); ++i) {
                const int64_t label = labelOf[i];
                projector.labels << labelText(data->classNames, label);
                projector.files << data->paths[int(i)];
            }
            if (targets.clusters > 0) {
                const torch::Tensor codes = projector.codes.to(torch::kFloat).contiguous();
                const KMeansResult k = kmeans({codes.data_ptr<float>(), codes.size(0), int(codes.size(1))},
                                              {targets.clusters, targets.clusterSeed, 100});
                projector.clusters = k.assignment;
            }
            QString thresholdError;
            if (const std::optional<AnomalyThreshold> threshold = readAnomalyThreshold(runDirectoryOf(runDir), &thresholdError)) {
                const torch::Tensor scores = scoreImages(model, *data, {threshold->kind, threshold->sigma}, {},
                                                         [cancel] { return cancel && cancel->load(); });
                if (!scores.defined())
                    return cancelled();
                const torch::Tensor s = scores.to(torch::kDouble).contiguous();
                projector.anomalyScores = QVector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
            }
            result.error = exportProjector(targets.embeddingsDir, projector);
            if (!result.error.isEmpty())
                return result;
            result.written << QStringLiteral("projector: %1 (%2 images)").arg(targets.embeddingsDir).arg(data->size());
        }
        if (!targets.imagesDir.isEmpty()) {
            if (!step(QStringLiteral("writing images")))
                return result;
            const qint64 count = targets.imageCount > 0 ? std::min<qint64>(targets.imageCount, data->size()) : data->size();
            torch::Tensor reconstructions;
            if (!encodeAll(model, *data, count, nullptr, &reconstructions, cancel))
                return cancelled();
            result.error = exportReconstructionImages(targets.imagesDir, data->images.slice(0, 0, count), reconstructions);
            if (!result.error.isEmpty())
                return result;
            result.written << QStringLiteral("images: %1 (%2 images and reconstructions)").arg(targets.imagesDir).arg(count);
        }
    } catch (const std::exception &e) {
        // Bugs only (the exporters report expected failures): still a message, never a crash.
        result.error = QStringLiteral("export of %1 failed: %2").arg(runDir, QString::fromUtf8(e.what()));
        return result;
    }
    if (progress)
        progress(QStringLiteral("done"), total, total);
    result.ok = true;
    return result;
}

} // namespace aes
