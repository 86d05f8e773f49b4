#pragma once
// Trains one autoencoder on one dataset: the engine behind the CLI and the GUI's worker.
//
// Ownership: the Trainer owns its model and shares the dataset's tensors.
// Threads: all methods run on the calling thread (the worker); other threads talk to a
// running trainer only through the TrainingControl passed to run(). Callbacks are
// invoked on the training thread.
// Failure: create() returns nullptr with a message for unusable options; run() never
// throws: torch errors end the run with TrainStatus::Failed and the message.

#include "data/dataset.h"
#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QJsonObject>
#include <QVector>

#include <functional>
#include <memory>

namespace aes {

class AutoencoderImpl;
class DataParallelGroup;
class TrainingControl;

struct TrainCallbacks {
    std::function<void(const StepReport &)> onStep;
    std::function<void(const EpochReport &)> onEpoch;
    // Called instead of TrainingControl::waitWhilePaused() when a step finds the run paused;
    // it must return once the control is resumed or stopped. Its time is not training time.
    // The GUI's worker serves preview requests in it.
    std::function<void()> whilePaused;
};

class Trainer {
public:
    // The model's channels and size are taken from the dataset.
    static std::unique_ptr<Trainer> create(const Dataset &data, const Split &split,
                                           ModelOptions model, const TrainOptions &train,
                                           QString *error);
    ~Trainer();

    // Trains as one rank of a data-parallel group from the next run() on: the weights start as
    // rank 0's, each step takes this rank's share of a batch of batchSize x world images, the
    // gradients are averaged over the ranks, and rank 0's validation figures go to every rank
    // (only rank 0 computes them). Augmentation, dropout and noise draw from streams seeded by
    // (seed, rank, step) before each step, so a resumed data-parallel run is exact too.
    void setDistributed(std::shared_ptr<DataParallelGroup> group);
    // Seconds this trainer's collectives took (0 without a group), and its training steps took
    // in all (validation excluded; both for this object's runs, not a resumed run's past).
    double communicationSeconds() const;
    double stepSeconds() const { return m_stepSeconds; }
    // The device the model is on, as model/device.h names it ("cpu", "cuda:0").
    QString deviceName() const;

    // Trains until options().epochs epochs are complete, a stop, or divergence.
    // May be called again to continue (e.g. after raising the epoch count).
    TrainOutcome run(TrainingControl &control, const TrainCallbacks &callbacks = {});
    // Validation metrics of the current weights (epoch/seconds fields left at 0). With a
    // control, a stop request ends it between batches, leaving the metrics NaN.
    EpochReport evaluate(const TrainingControl *control = nullptr);
    // Codes of dataset images (float32, N x latent), in evaluation mode; an undefined
    // tensor when a stop was requested through control.
    at::Tensor encode(const at::Tensor &indices, const TrainingControl *control = nullptr);

    // Writes everything needed to continue exactly: weights, optimizer state, both random
    // generators, history, step, learning rate (plus `meta`). Atomic; empty string or the reason.
    QString saveCheckpoint(const QString &path, const QJsonObject &meta = {});
    // Continues from a checkpoint of saveCheckpoint made for the same model options.
    // On failure nothing changes and the reason is returned.
    QString restore(const QString &path);

    // The run ends after total epochs (a continued run); the schedule spans them.
    void setEpochs(int total);
    const ModelOptions &modelOptions() const { return m_model; }
    const TrainOptions &trainOptions() const { return m_train; }
    const QVector<EpochReport> &history() const { return m_history; }
    int epochsCompleted() const { return m_history.size(); }
    // The epoch whose weights the model holds when early stopping restored an earlier epoch's
    // (its best) and nothing has trained since; else 0 (the weights are the last epoch's).
    int keptEpoch() const;
    qint64 globalStep() const { return m_globalStep; }
    double trainSeconds() const { return m_trainSeconds; }
    std::shared_ptr<AutoencoderImpl> model() const;
    const Dataset &dataset() const { return m_data; }
    const Split &split() const { return m_split; }

private:
    struct State;
    Trainer(const Dataset &data, const Split &split, const ModelOptions &model,
            const TrainOptions &train);
    bool trainEpoch(TrainingControl &control, const TrainCallbacks &callbacks, TrainOutcome *outcome);
    // After an epoch's report: steps the plateau schedule and decides early stopping (then
    // restores the best epoch's weights and fills outcome).
    bool stopsEarly(const EpochReport &report, TrainOutcome *outcome);

    Dataset m_data;
    Split m_split;
    ModelOptions m_model;
    TrainOptions m_train;
    QVector<EpochReport> m_history;
    qint64 m_globalStep = 0;
    double m_trainSeconds = 0.0;
    double m_stepSeconds = 0.0;
    std::unique_ptr<State> m_state;  // torch objects: model, optimizer, generator, snapshot
    std::shared_ptr<DataParallelGroup> m_group;  // null: one process
};

// Sets the number of compute threads for torch (0 = every core); returns the number used.
int setComputeThreads(int threads);

} // namespace aes
