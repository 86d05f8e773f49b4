#include "controller/trainingcontroller.h"

#include "controller/trainingworker.h"

#include "model/autoencoder.h"
#include "data/dataset.h"
#include "latent/projection.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"

#include <opencv2/core/version.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#include <QElapsedTimer>
#include <QMetaObject>
#include <QMutex>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <optional>
#include <utility>

namespace aes {

QString LatentSnapshot::classNameAt(qint64 row) const
{
    return classNameOf(classNames, row >= 0 && row < labels.size() ? labels.at(int(row)) : -1);
}

EngineVersions engineVersions()
{
    return {QString::fromLatin1(qVersion()), QStringLiteral(TORCH_VERSION), QStringLiteral(CV_VERSION)};
}

TrainingController::TrainingController(QObject *parent)
    : QObject(parent), m_thread(new QThread(this)), m_worker(new TrainingWorker(this))
{
    qRegisterMetaType<DatasetSummary>();
    qRegisterMetaType<ReconstructionSnapshot>();
    qRegisterMetaType<RunInfo>();
    qRegisterMetaType<LatentSnapshot>();
    qRegisterMetaType<PointDetails>();
    qRegisterMetaType<Interpolation>();
    qRegisterMetaType<TraversalGrid>();
    qRegisterMetaType<StepReport>();
    qRegisterMetaType<EpochReport>();
    qRegisterMetaType<TrainOutcome>();
    qRegisterMetaType<OpenedModel>();
    qRegisterMetaType<QVector<QPointF>>();
    m_thread->setObjectName(QStringLiteral("aes-training"));
    m_worker->moveToThread(m_thread);
    // Qt runs the deferred delete as the thread finishes: the worker (and the torch
    // objects it owns) is destroyed in its own thread.
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

TrainingController::~TrainingController()
{
    // Stop between two batches, cancel a load, then wait: never terminate().
    m_worker->shutDown();
    m_thread->quit();
    m_thread->wait();
    m_worker = nullptr;  // deleted by the thread's finished()
}

bool TrainingController::loadDataset(const QString &path, const LoadOptions &options)
{
    if (m_state != State::Idle)
        return false;
    m_worker->tsne.cancel.store(true);
    setState(State::Loading);
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, path, options] { worker->load(path, options); },
                              Qt::QueuedConnection);
    return true;
}

bool TrainingController::start(const ModelOptions &model, const TrainOptions &train)
{
    if (m_state != State::Idle || !m_hasDataset)
        return false;
    // Reset here, not on the worker: a stop() issued before the job starts must not be lost.
    m_worker->control.reset();
    m_worker->tsne.cancel.store(true);
    setState(State::Training);
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, model, train] { worker->train(model, train); },
                              Qt::QueuedConnection);
    return true;
}

bool TrainingController::continueTraining(int totalEpochs, double learningRate)
{
    if (m_state != State::Idle || !m_hasModel || totalEpochs <= m_epochsCompleted)
        return false;
    m_worker->control.reset();
    // Taken by the trainer before the first step of the run.
    if (learningRate > 0.0)
        m_worker->control.setLearningRate(learningRate);
    m_trainOptions.epochs = totalEpochs;
    m_worker->tsne.cancel.store(true);
    setState(State::Training);
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, totalEpochs] { worker->continueRun(totalEpochs); },
                              Qt::QueuedConnection);
    return true;
}

bool TrainingController::newModel()
{
    if (m_state != State::Idle)
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->forgetModel(); }, Qt::QueuedConnection);
    setHasModel(false);
    return true;
}

void TrainingController::pause()
{
    if (m_state != State::Training)
        return;
    m_worker->control.pause();
    setState(State::Paused);
}

void TrainingController::resume()
{
    if (m_state != State::Paused)
        return;
    m_worker->resumeTrainer();
    setState(State::Training);
}

void TrainingController::stop()
{
    m_worker->tsne.cancel.store(true);
    if (m_state == State::Loading) {
        m_worker->cancelLoad();
    } else if (m_state == State::Training || m_state == State::Paused) {
        m_worker->stopTrainer();
        setState(State::Stopping);
    }
}

void TrainingController::setLearningRate(double lr)
{
    if (lr > 0.0)
        m_worker->control.setLearningRate(lr);
}

bool TrainingController::requestLatentMap(std::optional<ProjectionMethod> method, int dimX, int dimY)
{
    if (!m_hasModel)
        return false;
    {
        QMutexLocker lock(&m_worker->requestMutex);
        m_worker->requests.map = true;
        m_worker->requests.mapMethod = method;
        m_worker->requests.dimX = dimX;
        m_worker->requests.dimY = dimY;
    }
    queueRequests();
    return true;
}

void TrainingController::decodeAt(double x, double y)
{
    {
        QMutexLocker lock(&m_worker->requestMutex);
        m_worker->requests.decode = true;
        m_worker->requests.x = x;
        m_worker->requests.y = y;
    }
    queueRequests();
}

void TrainingController::requestImage(qint64 index)
{
    {
        QMutexLocker lock(&m_worker->requestMutex);
        m_worker->requests.image = index;
    }
    queueRequests();
}

bool TrainingController::requestInterpolation(qint64 from, qint64 to, int steps)
{
    if (!m_hasModel || from < 0 || to < 0 || from >= m_summary.count || to >= m_summary.count)
        return false;
    {
        QMutexLocker lock(&m_worker->requestMutex);
        m_worker->requests.interpolateFrom = from;
        m_worker->requests.interpolateTo = to;
        m_worker->requests.interpolationSteps = std::clamp(steps, 2, 64);
    }
    queueRequests();
    return true;
}

bool TrainingController::requestTraversal(const QRectF &region, int columns, int rows)
{
    if (!m_hasModel || !region.isValid())
        return false;
    {
        QMutexLocker lock(&m_worker->requestMutex);
        m_worker->requests.traversal = region;
        m_worker->requests.traversalColumns = std::clamp(columns, 1, 64);
        m_worker->requests.traversalRows = std::clamp(rows, 1, 64);
    }
    queueRequests();
    return true;
}

// Training polls the flag between steps; when idle the queued call serves it; while paused
// the worker (or its helper) is woken.
void TrainingController::queueRequests()
{
    m_worker->hasRequests.store(true);
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->serveRequests(); }, Qt::QueuedConnection);
    m_worker->requestsQueued();
}

void TrainingController::onLatentMap(const LatentSnapshot &map)
{
    if (map.partial)
        m_worker->partialInFlight.store(false);
    else
        m_worker->latentInFlight.store(false);
    Q_EMIT latentMapReady(map);
}

void TrainingController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void TrainingController::onDatasetLoaded(const DatasetSummary &summary)
{
    m_summary = summary;
    m_hasDataset = true;
    setHasModel(false);  // the worker forgot it with the old dataset
    setState(State::Idle);
    Q_EMIT datasetLoaded(summary);
}

void TrainingController::onLoadFailed(const QString &message, const DatasetSummary &partial)
{
    setState(State::Idle);
    Q_EMIT loadFailed(message, partial);
}

void TrainingController::onTrainingStarted(const RunInfo &run, const ModelOptions &model,
                                           const TrainOptions &train)
{
    m_modelOptions = model;
    m_trainOptions = train;
    m_epochsCompleted = run.firstEpoch - 1;
    setHasModel(true);
    Q_EMIT trainingStarted(run);
}

void TrainingController::setHasModel(bool has)
{
    if (!has)
        m_epochsCompleted = 0;
    if (m_hasModel == has)
        return;
    m_hasModel = has;
    Q_EMIT modelChanged(has);
}

void TrainingController::onReconstructions(const ReconstructionSnapshot &snapshot)
{
    m_worker->snapshotInFlight.store(false);
    Q_EMIT reconstructionsReady(snapshot);
}

void TrainingController::onTrainingFinished(const TrainOutcome &outcome)
{
    if (m_hasModel)
        m_epochsCompleted = outcome.epochsCompleted;
    setState(State::Idle);
    Q_EMIT finished(outcome);
}

// --- Checkpoints (issue 5) ---

void TrainingController::setRunDirectory(const QString &dir)
{
    m_runDir = dir;
    m_worker->setRunDirectory(dir);  // read by the worker at each epoch's end
}

bool TrainingController::saveRun(const QString &dir)
{
    if (m_state != State::Idle || !m_hasModel || dir.isEmpty())
        return false;
    m_runDir = dir;  // the worker writes there from now on
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, dir] { worker->saveRunTo(dir); }, Qt::QueuedConnection);
    return true;
}

bool TrainingController::openModel(const QString &path)
{
    if (m_state != State::Idle || path.isEmpty())
        return false;
    m_worker->tsne.cancel.store(true);
    setState(State::Loading);
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, path] { worker->openModel(path); }, Qt::QueuedConnection);
    return true;
}

void TrainingController::onModelOpened(const OpenedModel &opened)
{
    m_modelOptions = opened.model;
    m_trainOptions = opened.train;
    setHasModel(true);
    m_epochsCompleted = opened.epochsCompleted;
    setState(State::Idle);
    Q_EMIT modelOpened(opened);
}

void TrainingController::onOpenModelFailed(const QString &message)
{
    setState(State::Idle);
    Q_EMIT openModelFailed(message);
}

} // namespace aes
