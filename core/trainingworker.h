#pragma once
// The training controller's worker: lives in the controller's thread and owns every torch
// object of the GUI's training (dataset, trainer, projection). Only trainingcontroller.cpp
// and trainingworker.cpp include this header.
// Threads: the members marked "any thread" may be called from the GUI thread; the rest run
// on the worker thread, as functors queued by the controller. Results go back only as
// functors queued on the controller (value types, no tensors).

#include "dataset.h"
#include "projection.h"
#include "trainer.h"
#include "trainingcontrol.h"
#include "trainingcontroller.h"
#include "tsne.h"

#include <ATen/core/Tensor.h>

#include <QElapsedTimer>
#include <QMetaObject>
#include <QMutex>
#include <QObject>

#include <atomic>
#include <memory>
#include <optional>
#include <utility>

namespace aes {

// Lives in the controller's thread; its jobs run there as queued functors. Everything
// it reports goes back through post(), as a functor queued on the controller.
class TrainingWorker final : public QObject {
public:
    explicit TrainingWorker(TrainingController *controller) : m_controller(controller) {}

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
        QString mapMethod;
        bool decode = false;
        double x = 0.0, y = 0.0;
        qint64 image = -1;
    };
    QMutex requestMutex;
    Requests requests;
    std::atomic_bool hasRequests{false};

    // Worker thread.
    void load(const QString &path, const DatasetOptions &options);
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
    void latentMap(const QString &method, bool force);
    void decode(double x, double y);

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
    QString m_epochMethod;                   // the projection after each epoch ("": automatic)
};

} // namespace aes
