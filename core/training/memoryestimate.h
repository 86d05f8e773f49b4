#pragma once
// Will training fit in memory? An estimate of what a dataset, a model and its optimizer,
// and one batch need, against what the machine (or the process's cgroup) has available,
// checked before training starts so that a run that cannot fit is refused with a message
// instead of being killed by the kernel half-way.
//
// Ownership: plain values. Threads: any thread; estimateTrainingMemory builds a throw-away
// copy of the model and runs it on a few blank images (it saves and restores the default
// random generator, so the training that follows sees the same numbers).
// Failure: never throws. An unknown available figure (-1) never refuses; an estimate that
// fails (e.g. options the model refuses) comes back as zero and never refuses either: the
// trainer reports the real problem.

#include "data/dataset.h"
#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QString>

namespace aes {

struct MemoryEstimate {
    qint64 datasetBytes = 0;     // the uint8 image tensor, when it is in memory (0 when mapped)
    qint64 mappedBytes = 0;      // the image tensor mapped from the dataset cache: paged in and out
                                 // by the system as page cache, so not counted as needed
    qint64 modelBytes = 0;       // parameters x (weights, gradients, optimizer moments, last-good copy)
    qint64 batchBytes = 0;       // activations kept for backward, and the float batch, at the batch size
    qint64 total() const { return datasetBytes + modelBytes + batchBytes; }
};

struct AvailableMemory {
    qint64 bytes = -1;           // -1: unknown
    QString source;              // "MemAvailable", "cgroup memory.max", "AES_MEMORY_AVAILABLE"
};

// MemAvailable from /proc/meminfo, or the room left under the process's cgroup limit (v2
// memory.max - memory.current, v1 limit_in_bytes - usage_in_bytes) when that is smaller.
// AES_MEMORY_AVAILABLE (bytes) replaces both: for tests, and to override a wrong figure.
AvailableMemory availableMemory();

// images x channels x height x width from the dataset; the model's size is taken from the
// dataset as the trainer does. Activations come from a dry forward and backward pass on a
// few blank images, measured on the autograd graph (the outputs every operation keeps for backward),
// scaled to the batch size.
MemoryEstimate estimateTrainingMemory(const Dataset &data, const ModelOptions &model, const TrainOptions &train);

// Free memory of CUDA device `index` (as LibTorch numbers them), read through the CUDA driver
// (libcuda.so.1, loaded at run time, so the build needs no CUDA headers) after LibTorch's
// cached free blocks are handed back. bytes -1 and source saying why when it cannot be read
// (no driver, no such device). AES_DEVICE_MEMORY_AVAILABLE (bytes) replaces it: for tests,
// and to override a wrong figure. Call only for a CUDA device.
AvailableMemory deviceAvailableMemory(int index);

// Empty when `needed` fits in `available`, else a message naming the figures and what to
// change. With datasetLoaded the dataset already sits in memory (it is not in `available`).
QString memoryProblem(const MemoryEstimate &needed, const AvailableMemory &available, bool datasetLoaded);
// Training on a CUDA device: the model, its optimizer and the batch live in device memory
// (the images stay on the host, a batch is copied over at a time). Empty when they fit in
// the device's free memory or it is unknown, else a message naming `device` and the figures.
QString deviceMemoryProblem(const MemoryEstimate &needed, const AvailableMemory &free, const QString &device);

// The check the CLI and the GUI worker run before training a loaded dataset: estimate,
// available memory, memoryProblem (or deviceMemoryProblem on a CUDA device). Empty when it
// fits or cannot be known; a device figure that cannot be read is said once with qWarning.
QString checkTrainingMemory(const Dataset &data, const ModelOptions &model, const TrainOptions &train);

} // namespace aes
