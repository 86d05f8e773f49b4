#pragma once
// The training controller's worker: loads datasets, trains, opens and saves runs on the
// controller's thread, and owns every torch object of the GUI's training (the dataset, the
// trainer, the latent service). Only the controller's own files include this header (it
// carries torch types).
//
// Ownership: the controller creates the worker, moves it to its thread and has it deleted
// there once the thread has finished; the worker owns the dataset, the trainer and the
// LatentService, and shares the RequestMailbox with the controller.
// Threads: the methods marked "any thread" are thread-safe (stop, pause and resume act at once,
// not through the event loop, which a running training blocks); the others run on the worker
// thread, queued by the controller. Results leave only as signals carrying value types; the
// controller connects them with queued connections.
// Failure: nothing throws out of the worker. A dataset that cannot be loaded gives
// loadFailed(); an unusable option or a torch error in training gives failed() and then
// trainingFinished() with TrainStatus::Failed (the model is forgotten); a checkpoint that
// cannot be opened gives openModelFailed() and changes nothing.

#include "controller/controllertypes.h"
#include "data/dataset.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"

#include <ATen/core/Tensor.h>

#include <QElapsedTimer>
#include <QMutex>
#include <QObject>
#include <QPointF>
#include <QWaitCondition>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace aes {

class LatentService;
class RequestMailbox;

class TrainingWorker final : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(std::shared_ptr<RequestMailbox> requests);
    ~TrainingWorker() override;

    // The service whose signals carry the latent explorer's answers (for connecting them).
    const LatentService *latentService() const { return m_latent; }

    // Any thread.
    void pause();
    void resume();
    void stop();
    void setLearningRate(double lr);     // taken by the trainer before its next step
    void resetControl();                 // before a run is queued: not stopped, not paused
    void shutDown();                     // stop, cancel a load and a projection; no new jobs
    void cancelLoad();
    void cancelProjection();             // stops a running t-SNE
    void setMapPointCap(qint64 cap);     // LatentService::setPointCap
    // Requests were posted to the mailbox: serve them between steps, at once when idle, or
    // by waking a paused run.
    void requestsPosted();
    // The controller has taken a reconstruction snapshot / a map: the next may be sent.
    void reconstructionsDelivered();
    void latentMapDelivered(bool partial);
    // Where the run files go after every epoch ("" = nowhere).
    void setRunDirectory(const QString &dir);

    // Worker thread.
    void load(const QString &path, const LoadOptions &options);
    void train(const ModelOptions &model, const TrainOptions &options);
    void continueRun(int totalEpochs);
    void forgetModel();
    void saveRunTo(const QString &dir);
    void openModel(const QString &path);

Q_SIGNALS:
    void loadProgress(qint64 done, qint64 total);
    void datasetLoaded(const aes::DatasetSummary &summary);
    void loadFailed(const QString &message, const aes::DatasetSummary &partial);
    void trainingStarted(const aes::RunInfo &run, const aes::ModelOptions &model, const aes::TrainOptions &train);
    void stepsReported(const QVector<QPointF> &losses, const aes::StepReport &latest);
    void epochReport(const aes::EpochReport &report);
    void learningRateChanged(qint64 globalStep, double learningRate);
    void reconstructionsReady(const aes::ReconstructionSnapshot &snapshot);
    void failed(const QString &message);
    // modelKept: a model is kept that can be continued.
    void trainingFinished(const aes::TrainOutcome &outcome, bool modelKept);
    void runSaved(const QString &dir, const QString &error);
    void modelOpened(const aes::OpenedModel &opened);
    void openModelFailed(const QString &message);

private:
    void runJob(const std::function<TrainOutcome()> &job);
    TrainOutcome runTrainer(bool continued);
    void finish(TrainOutcome outcome);
    void prepareSnapshots();
    void snapshot(int epoch, qint64 globalStep, bool force);
    void flushSteps();
    void serveRequests();
    void waitWhilePaused();
    bool interrupted() const;
    QString runDirectory();
    void saveRun();

    std::shared_ptr<RequestMailbox> m_requests;
    LatentService *m_latent = nullptr;       // a child: lives and dies with the worker
    std::atomic_bool m_shuttingDown{false};
    QMutex m_loadMutex;
    LoadControl *m_load = nullptr;           // the running load, for cancelLoad()
    QMutex m_runMutex;
    QString m_runDir;                        // guarded by m_runMutex

    // Pause: the trainer's control, and the worker's own wait while paused, in which it serves
    // requests. m_pauseChanged is woken by resume, stop and new requests.
    TrainingControl m_control;
    QMutex m_pauseMutex;
    QWaitCondition m_pauseChanged;
    bool m_servingPaused = false;            // worker thread: serving inside a pause

    std::optional<Dataset> m_data;
    LoadOptions m_loadOptions;               // of m_data, for the checkpoint's metadata
    std::unique_ptr<Trainer> m_trainer;
    bool m_inRun = false;                    // inside Trainer::run (requests come between steps)
    QVector<QPointF> m_pendingLosses;
    StepReport m_latestStep;
    QElapsedTimer m_lossClock;
    QElapsedTimer m_snapshotClock;
    std::atomic_bool m_snapshotInFlight{false};
    at::Tensor m_snapshotIndices;
    QVector<QImage> m_snapshotInputs;
    QStringList m_snapshotCaptions;
};

} // namespace aes
