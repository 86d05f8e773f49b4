#pragma once
// The training controller's worker: lives in the controller's thread and owns every torch
// object of the GUI's training (dataset, trainer, projection). Only trainingcontroller.cpp
// and trainingworker.cpp include this header.
// Threads: the members marked "any thread" may be called from the GUI thread; the rest run
// on the worker thread, as functors queued by the controller. Results go back only as
// functors queued on the controller (value types, no tensors).

#include "data/dataset.h"
#include "latent/projection.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"
#include "controller/trainingcontroller.h"
#include "latent/tsne.h"

#include <ATen/core/Tensor.h>

#include <QElapsedTimer>
#include <QMetaObject>
#include <QMutex>
#include <QObject>
#include <QWaitCondition>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

namespace aes {

// Lives in the controller's thread; its jobs run there as queued functors. Everything
// it reports goes back through post(), as a functor queued on the controller.
class TrainingWorker final : public QObject {
public:
    explicit TrainingWorker(TrainingController *controller) : m_controller(controller) {}
    ~TrainingWorker() override;

    // Any thread.
    TrainingControl control;
    std::atomic_bool snapshotInFlight{false};
    void shutDown();
    void cancelLoad();
    std::atomic_bool latentInFlight{false};
    TsneControl tsne;                  // cancel: stops a running t-SNE
    // Latent requests (any thread); served by serveRequests() on the worker.
    struct Requests {
        bool map = false;
        std::optional<ProjectionMethod> mapMethod;  // none: automatic
        int dimX = 0, dimY = 1;
        bool decode = false;
        double x = 0.0, y = 0.0;
        qint64 image = -1;
        qint64 interpolateFrom = -1, interpolateTo = -1;
        int interpolationSteps = 0;    // 0: none asked for
        QRectF traversal;
        int traversalColumns = 0, traversalRows = 0;  // 0: none asked for
    };
    QMutex requestMutex;
    Requests requests;
    std::atomic_bool hasRequests{false};
    std::atomic_bool partialInFlight{false};  // an intermediate t-SNE layout in the GUI's queue

    // Serving while paused (any thread; called by the controller). The trainer waits inside
    // TrainingControl, which only resume or stop can end: so while it is parked there (paused
    // after a step that was not the last of its epoch) requests are served on a helper thread,
    // and resume()/stop() end that service before the trainer may go on. A pause that falls on
    // an epoch's end is waited out by the worker itself, serving requests (outside the
    // trainer's clock).
    void requestsQueued();             // wakes a paused worker or starts the helper
    void resumeTrainer();              // ends the helper's service, then control.resume()
    void stopTrainer();                // ends the helper's service, then control.stop()
    void endServiceThen(void (TrainingControl::*wake)());

    // Worker thread.
    void load(const QString &path, const LoadOptions &options);
    void train(const ModelOptions &model, const TrainOptions &options);
    void continueRun(int totalEpochs);
    void forgetModel();
    void serveRequests();

private:
    template <typename F> void post(F &&f)
    {
        QMetaObject::invokeMethod(m_controller, std::forward<F>(f), Qt::QueuedConnection);
    }
    void prepareSnapshots();
    TrainOutcome runTrainer(bool continued);
    void finish(TrainOutcome outcome);
    void flushSteps();
    void snapshot(int epoch, qint64 globalStep, bool force);
    void latentMap(std::optional<ProjectionMethod> method, int dimX, int dimY, bool force);
    // Codes (float32, N x latent) and reconstruction MSEs (float32, N) of every image in
    // evaluation mode; false when interrupted.
    bool encodeAll(at::Tensor *codes, at::Tensor *errors);
    void alignWithPrevious(Projection *projection);
    void decode(double x, double y);
    void details(qint64 index);
    void interpolate(qint64 from, qint64 to, int steps);
    void traverse(const QRectF &region, int columns, int rows);
    bool interrupted() const;          // stop requested, or resume while serving parked
    void park();                       // worker thread, at the end of a step while paused
    void settle();                     // worker thread, after a run: the helper has ended
    void waitPausedServing();          // worker thread, at the end of an epoch while paused

    TrainingController *m_controller;  // only posted to, never called directly
    std::atomic_bool m_shuttingDown{false};
    QMutex m_loadMutex;
    LoadControl *m_load = nullptr;     // the running load, for cancelLoad()

    std::optional<Dataset> m_data;
    std::unique_ptr<Trainer> m_trainer;
    double m_lastLearningRate = 0.0;   // of the newest step, to notice changes
    at::Tensor m_snapshotIndices;
    QVector<QImage> m_snapshotInputs;
    QStringList m_snapshotCaptions;
    QVector<QPointF> m_pendingLosses;
    StepReport m_latestStep;
    QElapsedTimer m_lossClock;
    QElapsedTimer m_snapshotClock;
    std::optional<Projection> m_projection;  // of the newest map, for decoding
    bool m_inRun = false;                    // inside Trainer::run (requests come between steps)
    std::optional<ProjectionMethod> m_epochMethod;  // the projection after each epoch (none: automatic)
    int m_epochDimX = 0, m_epochDimY = 1;    // ... its dimensions for "dims"
    at::Tensor m_previousAxes;               // of the last PCA map, to keep the axes' signs

    QMutex m_parkMutex;
    QWaitCondition m_parkChanged;            // parked / serving / requests / resume / stop
    bool m_parked = false;                   // the trainer waits in TrainingControl
    bool m_serving = false;                  // the helper thread serves requests
    std::atomic_bool m_unparking{false};     // resume: the helper stops within a batch
    std::thread m_helper;                    // joined before the next one and on destruction

    // --- Checkpoints (issue 5) ---
public:
    // Any thread: where the run files go after every epoch ("" = nowhere).
    void setRunDirectory(const QString &dir);
    // Worker thread.
    void saveRunTo(const QString &dir);
    void openModel(const QString &path);
private:
    QString runDirectory();
    // Writes the run files into the run directory (if any) and tells the controller.
    void saveRun();
    QMutex m_runMutex;
    QString m_runDir;                        // guarded by m_runMutex
    LoadOptions m_loadOptions;               // of m_data, for the checkpoint's metadata
};

} // namespace aes
