#pragma once
// An image dataset held in memory as ONE uint8 tensor, plus what is needed to show
// and explain each image (label, class name, file path) and how it was loaded.
//
// Ownership: a Dataset is a value; copying it shares the tensor storage (torch semantics);
// a mapped dataset's storage keeps its file mapping alive.
// Threads: immutable after loading, so any thread may read it.

#include "data/loadoptions.h"

#include <ATen/core/Tensor.h>

#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>

namespace aes {

struct Dataset {
    at::Tensor images;         // uint8, N x C x H x W, contiguous, CPU
    at::Tensor labels;         // int64, N; -1 for every image when unlabelled
    QStringList classNames;    // index = label; empty when unlabelled
    QStringList paths;         // absolute path of each image ("file.idx#123" for IDX entries)
    QString source;
    // Set when the "images" are log-mel spectrograms of sound (data/audiofolder.h): how they
    // were made, with the duration resolved (seconds), so that they can be turned back into
    // sound. Rows run from the highest mel band (row 0) down to the lowest.
    std::optional<AudioOptions> audio;
    // True when images points into a memory-mapped dataset cache file (data/datasetcache.h):
    // the OS pages the pixels in and out, so they are not resident memory of their own.
    bool mapped = false;

    qint64 size() const;
    bool isAudio() const { return audio.has_value(); }
    int channels() const;
    int height() const;
    int width() const;
    bool hasLabels() const { return !classNames.isEmpty(); }
    // The class name of image index; empty when unlabelled.
    QString classNameAt(qint64 index) const;
    // Images [indices] as float32 in [0, 1], N x C x H x W: batches are converted on the fly.
    at::Tensor floatBatch(const at::Tensor &indices) const;
};

// Progress and cancellation for a load running in some thread; the callback is
// called from the loading threads (serialised), cancel() from any thread.
class LoadControl {
public:
    using ProgressFn = std::function<void(qint64 done, qint64 total)>;
    explicit LoadControl(ProgressFn progress = {}) : m_progress(std::move(progress)) {}
    void cancel() { m_cancelled.store(true); }
    bool isCancelled() const { return m_cancelled.load(); }
    void report(qint64 done, qint64 total) const;
private:
    ProgressFn m_progress;
    std::atomic_bool m_cancelled{false};
    mutable std::atomic<qint64> m_lastReport{-1};
    mutable std::mutex m_reportMutex;  // serialises the callback across loading threads
};

struct LoadResult {
    std::optional<Dataset> dataset;  // empty on failure
    LoadReport report;               // always filled, also on failure
    QString error;                   // why there is no dataset: no usable image, not found, cancelled
    bool ok() const { return dataset.has_value(); }
};

// Opens a folder (recursively; top-level subfolders are classes) or an MNIST-format
// IDX images file (.gz or not; its labels file is looked up beside it).
// Never throws for bad input: bad files are skipped and listed in the report.
LoadResult loadDataset(const QString &path, const LoadOptions &options = {},
                       const LoadControl *control = nullptr);

// The images of the named classes only (the one-class protocol: train on normal images).
// Their class list becomes classes in the dataset's order and labels are renumbered to it;
// paths and source stay. nullopt and a message naming the known classes when data is
// unlabelled, a name is unknown or no image is left. classes empty: data unchanged. The
// images of a mapped dataset stay mapped (a view, nothing copied) when the chosen classes'
// rows are one run (one class, or classes next to each other in name order); otherwise, and
// for a dataset in memory, they are copied (drop the full dataset to free its memory).
std::optional<Dataset> selectClasses(const Dataset &data, const QStringList &classes, QString *error);

struct Split {
    at::Tensor train;  // int64 indices into the dataset
    at::Tensor val;
};
// Deterministic: the same (n, fraction, seed) gives the same split on every machine.
Split splitIndices(qint64 n, double valFraction, quint64 seed);

} // namespace aes
