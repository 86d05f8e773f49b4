#include "controller/trainingcontroller.h"

#include "controller/latentservice.h"
#include "controller/requestmailbox.h"
#include "controller/trainingworker.h"

#include <QMetaObject>
#include <QThread>

#include <algorithm>
#include <utility>

namespace aes {

TrainingController::TrainingController(QObject *parent)
    : QObject(parent), m_thread(new QThread(this)), m_requests(std::make_shared<RequestMailbox>()),
      m_worker(new TrainingWorker(m_requests))
{
    registerControllerTypes();
    m_thread->setObjectName(QStringLiteral("aes-training"));
    m_worker->moveToThread(m_thread);
    connectWorker();
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

// The worker emits on its own thread; every report is queued into this one, in the order
// the worker sent them.
void TrainingController::connectWorker()
{
    constexpr Qt::ConnectionType queued = Qt::QueuedConnection;
    const TrainingWorker *w = m_worker;
    connect(w, &TrainingWorker::loadProgress, this, &TrainingController::loadProgress, queued);
    connect(w, &TrainingWorker::datasetLoaded, this, &TrainingController::onDatasetLoaded, queued);
    connect(w, &TrainingWorker::loadFailed, this, &TrainingController::onLoadFailed, queued);
    connect(w, &TrainingWorker::trainingStarted, this, &TrainingController::onTrainingStarted, queued);
    connect(w, &TrainingWorker::stepsReported, this, &TrainingController::stepsReported, queued);
    connect(w, &TrainingWorker::epochReport, this, &TrainingController::epochReport, queued);
    connect(w, &TrainingWorker::learningRateChanged, this, &TrainingController::learningRateChanged, queued);
    connect(w, &TrainingWorker::reconstructionsReady, this, &TrainingController::onReconstructions, queued);
    connect(w, &TrainingWorker::failed, this, &TrainingController::failed, queued);
    connect(w, &TrainingWorker::trainingFinished, this, &TrainingController::onTrainingFinished, queued);
    connect(w, &TrainingWorker::runSaved, this, &TrainingController::runSaved, queued);
    connect(w, &TrainingWorker::modelOpened, this, &TrainingController::onModelOpened, queued);
    connect(w, &TrainingWorker::openModelFailed, this, &TrainingController::onOpenModelFailed, queued);
    const LatentService *latent = w->latentService();
    connect(latent, &LatentService::mapReady, this, &TrainingController::onLatentMap, queued);
    connect(latent, &LatentService::mapFailed, this, &TrainingController::latentMapFailed, queued);
    connect(latent, &LatentService::decodedImage, this, &TrainingController::decodedImage, queued);
    connect(latent, &LatentService::datasetImage, this, &TrainingController::datasetImage, queued);
    connect(latent, &LatentService::pointDetails, this, &TrainingController::pointDetails, queued);
    connect(latent, &LatentService::interpolationReady, this, &TrainingController::interpolationReady, queued);
    connect(latent, &LatentService::traversalReady, this, &TrainingController::traversalReady, queued);
    connect(latent, &LatentService::imagesReady, this, &TrainingController::imagesReady, queued);
}

void TrainingController::queue(std::function<void(TrainingWorker &)> job)
{
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, job = std::move(job)] { job(*worker); }, Qt::QueuedConnection);
}

bool TrainingController::loadDataset(const QString &path, const LoadOptions &options)
{
    if (m_state != State::Idle)
        return false;
    m_worker->cancelProjection();
    setState(State::Loading);
    queue([path, options](TrainingWorker &w) { w.load(path, options); });
    return true;
}

bool TrainingController::start(const ModelOptions &model, const TrainOptions &train)
{
    if (m_state != State::Idle || !m_hasDataset)
        return false;
    // Reset here, not on the worker: a stop() issued before the job starts must not be lost.
    m_worker->resetControl();
    m_worker->cancelProjection();
    setState(State::Training);
    queue([model, train](TrainingWorker &w) { w.train(model, train); });
    return true;
}

bool TrainingController::continueTraining(int totalEpochs, double learningRate)
{
    if (m_state != State::Idle || !m_hasModel || totalEpochs <= m_epochsCompleted)
        return false;
    m_worker->resetControl();
    // Taken by the trainer before the first step of the run.
    if (learningRate > 0.0)
        m_worker->setLearningRate(learningRate);
    m_trainOptions.epochs = totalEpochs;
    m_worker->cancelProjection();
    setState(State::Training);
    queue([totalEpochs](TrainingWorker &w) { w.continueRun(totalEpochs); });
    return true;
}

bool TrainingController::newModel()
{
    if (m_state != State::Idle)
        return false;
    queue([](TrainingWorker &w) { w.forgetModel(); });
    setHasModel(false);
    return true;
}

void TrainingController::pause()
{
    if (m_state != State::Training)
        return;
    m_worker->pause();
    setState(State::Paused);
}

void TrainingController::resume()
{
    if (m_state != State::Paused)
        return;
    m_worker->resume();
    setState(State::Training);
}

void TrainingController::stop()
{
    m_worker->cancelProjection();
    if (m_state == State::Loading) {
        m_worker->cancelLoad();
    } else if (m_state == State::Training || m_state == State::Paused) {
        m_worker->stop();
        setState(State::Stopping);
    }
}

void TrainingController::setLearningRate(double lr)
{
    if (lr > 0.0)
        m_worker->setLearningRate(lr);
}

bool TrainingController::requestLatentMap(std::optional<ProjectionMethod> method, int dimX, int dimY,
                                          const UmapParameters &umap)
{
    if (!m_hasModel)
        return false;
    // The newest choice wins: a t-SNE or UMAP still running for an older one stops.
    m_worker->cancelProjection();
    m_requests->post(MapRequest{method, dimX, dimY, umap});
    m_worker->requestsPosted();
    return true;
}

void TrainingController::setMapPointCap(qint64 cap)
{
    m_mapPointCap = std::max<qint64>(0, cap);
    m_worker->setMapPointCap(m_mapPointCap);
}

void TrainingController::decodeAt(double x, double y)
{
    m_requests->post(DecodeRequest{x, y});
    m_worker->requestsPosted();
}

void TrainingController::requestImage(qint64 index)
{
    m_requests->postImage(index);
    m_worker->requestsPosted();
}

bool TrainingController::requestInterpolation(qint64 from, qint64 to, int steps)
{
    if (!m_hasModel || from < 0 || to < 0 || from >= m_summary.count || to >= m_summary.count)
        return false;
    m_requests->post(InterpolationRequest{from, to, std::clamp(steps, 2, 64)});
    m_worker->requestsPosted();
    return true;
}

bool TrainingController::requestTraversal(const QRectF &region, int columns, int rows)
{
    if (!m_hasModel || !region.isValid())
        return false;
    m_requests->post(TraversalRequest{region, std::clamp(columns, 1, 64), std::clamp(rows, 1, 64)});
    m_worker->requestsPosted();
    return true;
}

void TrainingController::requestImages(int purpose, const QVector<qint64> &rows)
{
    m_requests->postImages(purpose, rows.mid(0, kMaxImageRows));
    m_worker->requestsPosted();
}

void TrainingController::setRunDirectory(const QString &dir)
{
    m_runDir = dir;
    m_worker->setRunDirectory(dir);  // read by the worker at each epoch's end
}

bool TrainingController::saveRun(const QString &dir)
{
    if (m_state != State::Idle || !m_hasModel || dir.isEmpty())
        return false;
    m_runDir = dir;  // the worker writes every later save there too
    queue([dir](TrainingWorker &w) { w.saveRunTo(dir); });
    return true;
}

bool TrainingController::openModel(const QString &path)
{
    if (m_state != State::Idle || path.isEmpty())
        return false;
    m_worker->cancelProjection();
    setState(State::Loading);
    queue([path](TrainingWorker &w) { w.openModel(path); });
    return true;
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
    m_worker->reconstructionsDelivered();
    Q_EMIT reconstructionsReady(snapshot);
}

void TrainingController::onLatentMap(const LatentSnapshot &map)
{
    m_worker->latentMapDelivered(map.partial);
    Q_EMIT latentMapReady(map);
}

void TrainingController::onTrainingFinished(const TrainOutcome &outcome, bool modelKept)
{
    setHasModel(modelKept);
    if (m_hasModel)
        m_epochsCompleted = outcome.epochsCompleted;
    setState(State::Idle);
    Q_EMIT finished(outcome);
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
