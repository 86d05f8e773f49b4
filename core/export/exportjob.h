#pragma once
// The export job: a trained run to the formats other tools read (TorchScript, ONNX,
// TensorBoard projector embeddings, PNGs of images and their reconstructions).
// Used by `aestudio-cli export` and, through ExportController, by the GUI's File > Export.
//
// Threads: runs on the calling thread; the progress callback is called from it.
// Failure: never throws; stops at the first failure with a message naming the file and
// the reason. Each file is written atomically: a failed export leaves no partial file
// and the previous one intact (what was exported before the failure stays).

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace aes {

struct ExportTargets {
    QString torchscriptFile;   // empty = skip
    QString onnxDir;           // encoder.onnx and decoder.onnx
    QString embeddingsDir;     // the projector files, for every image of the run's dataset
    QString imagesDir;         // reconstructions.png and per-image PNGs
    int imageCount = 64;       // images for imagesDir, from the start of the dataset; 0 = all
    // The projector's metadata: a k-means cluster column for clusters > 0 (latent/kmeans, seeded);
    // an anomaly_score column whenever the run has a chosen threshold (anomaly.json: its score).
    int clusters = 0;
    quint64 clusterSeed = 1;
    bool isEmpty() const
    {
        return torchscriptFile.isEmpty() && onnxDir.isEmpty() && embeddingsDir.isEmpty() && imagesDir.isEmpty();
    }
};

struct ExportJobResult {
    bool ok = false;
    bool cancelled = false;    // stopped through cancel (error says so too)
    QString error;
    QStringList written;       // what was written, one line per target ("ONNX: dir/encoder.onnx, ...")
};

// step: what is being done ("loading the dataset", "writing ONNX"); done of total steps.
using ExportProgressFn = std::function<void(const QString &step, int done, int total)>;

// runDir: a run directory or its checkpoint file. The embeddings and images need the
// run's dataset: it is loaded from where the checkpoint says it was, as it was for training.
// cancel (any thread) is read before each step and while encoding: a cancelled export
// writes nothing more (targets finished before stay complete; none is left half-written).
ExportJobResult runExportJob(const QString &runDir, const ExportTargets &targets,
                             const ExportProgressFn &progress = {}, const std::atomic_bool *cancel = nullptr);

} // namespace aes
