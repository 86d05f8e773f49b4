#pragma once
// Data parallelism over LibTorch's c10d: a TCPStore rendezvous and a Gloo (or NCCL) process
// group, with what a trainer needs from it (DDP's work, done by hand: the C++ API has no DDP).
//
// Ownership: a trainer holds its group through a shared_ptr; StoreHost is owned by the launcher.
// Threads: one thread uses a group (the trainer's); a heartbeat thread of its own publishes
// this rank's progress to the store so that a failure can name the rank that is gone.
// Failure: join() and StoreHost::start() return nullptr with a message. Collectives throw
// DistributedFailure, whose what() is one line naming the rank at fault, after at most the
// timeout; they never hang.

#include "training/distoptions.h"

#include <ATen/core/Tensor.h>

#include <QString>

#include <memory>
#include <stdexcept>
#include <vector>

namespace aes {

class DistributedFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The rendezvous store of a `--nproc` run, hosted by the launcher (port 0: the system picks one).
class StoreHost {
public:
    static std::unique_ptr<StoreHost> start(const QString &address, int port, int timeoutSeconds, QString *error);
    ~StoreHost();
    int port() const;

private:
    struct Impl;
    explicit StoreHost(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

class DataParallelGroup {
public:
    // Joins the group the options describe (every rank must call it within the timeout).
    static std::shared_ptr<DataParallelGroup> join(const DistributedOptions &options, QString *error);
    ~DataParallelGroup();

    int rank() const;
    int worldSize() const;
    const DistributedOptions &options() const;

    // Rank 0's values of the tensors on every rank (parameters and buffers at the start).
    void broadcast(std::vector<at::Tensor> tensors);
    // Rank 0's values of a few numbers (the epoch's validation figures).
    void broadcastValues(std::vector<double> *values);
    // Each parameter's gradient becomes the mean over ranks (buckets of about 25 MiB,
    // flattened, summed, divided by the world size). `sums` rides along in the last bucket
    // and comes back summed over ranks (the step's weighted loss, a stop flag).
    void averageGradients(const std::vector<at::Tensor> &parameters, std::vector<double> *sums);
    // The step this rank is at, published by the heartbeat (named when it fails).
    void setProgress(qint64 step);
    // A failure of this rank's own (out of memory, a bad file), for the others' message.
    void reportError(const QString &message);
    // Seconds spent inside collectives since join (flattening included).
    double communicationSeconds() const;

private:
    struct Impl;
    explicit DataParallelGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// True when this LibTorch has the Gloo backend (USE_C10D_GLOO and gloo's headers), and NCCL's.
bool glooAvailable();
bool ncclAvailable();
// Empty when options.backend is one this build has, else why not (before any process starts).
QString backendProblem(const DistributedOptions &options);

} // namespace aes
