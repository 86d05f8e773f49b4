#include "trainingcontroller.h"

#include "autoencoder.h"
#include "dataset.h"
#include "trainer.h"
#include "trainingcontrol.h"

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

namespace {

constexpr qint64 kLossIntervalMs = 100;       // how often batched losses leave the worker
constexpr qint64 kSnapshotIntervalMs = 500;   // at most ~2 reconstruction snapshots a second
constexpr int kSampleImages = 8;              // dataset preview in the summary

// uint8 C x H x W -> an image that owns its pixels.
QImage toImage(const torch::Tensor &chw)
{
    const torch::Tensor hwc = chw.permute({1, 2, 0}).contiguous();
    const int h = int(hwc.size(0)), w = int(hwc.size(1)), c = int(hwc.size(2));
    const QImage::Format format = c == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    // The QImage only borrows the tensor's buffer: copy() before the tensor goes away.
    return QImage(hwc.data_ptr<uint8_t>(), w, h, qsizetype(w) * c, format).copy();
}

QImage floatToImage(const torch::Tensor &chw)
{
    return toImage(chw.mul(255.0).round_().clamp_(0, 255).to(torch::kUInt8));
}

QString labelName(const Dataset &data, qint64 index)
{
    if (!data.hasLabels())
        return QString();
    const qint64 label = data.labels[index].item<int64_t>();
    return label >= 0 && label < data.classNames.size() ? data.classNames.at(int(label)) : QString();
}

// Up to count indices from candidates, taking each class in turn so that every class
// shows up; in candidate order when unlabelled.
torch::Tensor coverClasses(const Dataset &data, const torch::Tensor &candidates, int count)
{
    const qint64 n = candidates.numel();
    if (!data.hasLabels() || n <= count)
        return candidates.slice(0, 0, std::min<qint64>(n, count)).clone();
    const torch::Tensor labels = data.labels.index_select(0, candidates);
    const int classes = data.classNames.size();
    std::vector<std::vector<qint64>> byClass(size_t(classes) + 1);
    const auto *l = labels.data_ptr<int64_t>();
    const auto *c = candidates.data_ptr<int64_t>();
    for (qint64 i = 0; i < n; ++i) {
        const qint64 label = l[i] >= 0 && l[i] < classes ? l[i] : classes;
        if (byClass[size_t(label)].size() < size_t(count))
            byClass[size_t(label)].push_back(c[i]);
    }
    std::vector<int64_t> picked;
    for (size_t round = 0; picked.size() < size_t(count); ++round) {
        bool any = false;
        for (const auto &members : byClass) {
            if (round < members.size() && picked.size() < size_t(count)) {
                picked.push_back(members[round]);
                any = true;
            }
        }
        if (!any)
            break;
    }
    return torch::tensor(picked, torch::kLong);
}

DatasetSummary summarize(const Dataset &data, const LoadReport &report)
{
    DatasetSummary s;
    s.source = data.source.isEmpty() ? report.source : data.source;
    s.count = data.size();
    s.width = data.width();
    s.height = data.height();
    s.channels = data.channels();
    s.classNames = data.classNames;
    if (data.hasLabels()) {
        const torch::Tensor valid = data.labels.ge(0);
        const torch::Tensor counts =
            torch::bincount(data.labels.masked_select(valid), {}, data.classNames.size());
        for (qint64 i = 0; i < counts.numel() && i < data.classNames.size(); ++i)
            s.classCounts.append(counts[i].item<int64_t>());
    }
    for (const SkippedFile &f : report.skipped)
        s.skipped.append({f.path, f.reason});
    s.report = report.summary();
    s.seconds = report.seconds;
    const torch::Tensor all = torch::arange(int64_t(data.size()), torch::kLong);
    const torch::Tensor samples = coverClasses(data, all, kSampleImages);
    for (qint64 i = 0; i < samples.numel(); ++i)
        s.samples.append(toImage(data.images[samples[i].item<int64_t>()]));
    return s;
}

} // namespace

EngineVersions engineVersions()
{
    return {QString::fromLatin1(qVersion()), QStringLiteral(TORCH_VERSION), QStringLiteral(CV_VERSION)};
}

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

    // Worker thread.
    void load(const QString &path, const LoadOptions &options);
    void train(const ModelOptions &model, const TrainOptions &options);

private:
    template <typename F> void post(F &&f)
    {
        QMetaObject::invokeMethod(m_controller, std::forward<F>(f), Qt::QueuedConnection);
    }
    void flushSteps();
    void snapshot(int epoch, qint64 globalStep, bool force);
    void fail(TrainOutcome &outcome, const QString &message);

    TrainingController *m_controller;  // only posted to, never called directly
    std::atomic_bool m_shuttingDown{false};
    QMutex m_loadMutex;
    LoadControl *m_load = nullptr;     // the running load, for cancelLoad()

    std::optional<Dataset> m_data;
    std::unique_ptr<Trainer> m_trainer;
    torch::Tensor m_snapshotIndices;
    QVector<QImage> m_snapshotInputs;
    QStringList m_snapshotCaptions;
    QVector<QPointF> m_pendingLosses;
    StepReport m_latestStep;
    QElapsedTimer m_lossClock;
    QElapsedTimer m_snapshotClock;
};

void TrainingWorker::shutDown()
{
    m_shuttingDown.store(true);
    control.stop();
    cancelLoad();
}

void TrainingWorker::cancelLoad()
{
    QMutexLocker lock(&m_loadMutex);
    if (m_load)
        m_load->cancel();
}

void TrainingWorker::load(const QString &path, const LoadOptions &options)
{
    if (m_shuttingDown.load())
        return;
    TrainingController *c = m_controller;
    try {
        LoadControl loadControl([this, c](qint64 done, qint64 total) {
            post([c, done, total] { Q_EMIT c->loadProgress(done, total); });
        });
        {
            QMutexLocker lock(&m_loadMutex);
            m_load = &loadControl;
        }
        LoadResult result = loadDataset(path, options, &loadControl);
        {
            QMutexLocker lock(&m_loadMutex);
            m_load = nullptr;
        }
        if (!result.ok()) {
            QString message = result.error;
            if (!result.report.skipped.isEmpty())
                message += QStringLiteral(" (%1)").arg(result.report.summary());
            post([c, message] { c->onLoadFailed(message); });
            return;
        }
        // A new dataset: the previous model no longer matches it.
        m_trainer.reset();
        m_data = std::move(*result.dataset);
        DatasetSummary summary = summarize(*m_data, result.report);
        post([c, summary] { c->onDatasetLoaded(summary); });
    } catch (const c10::Error &e) {
        const QString message = QString::fromUtf8(e.what_without_backtrace());
        post([c, message] { c->onLoadFailed(message); });
    } catch (const std::exception &e) {
        const QString message = QString::fromUtf8(e.what());
        post([c, message] { c->onLoadFailed(message); });
    }
}

void TrainingWorker::fail(TrainOutcome &outcome, const QString &message)
{
    outcome.status = TrainStatus::Failed;
    outcome.message = message;
}

void TrainingWorker::train(const ModelOptions &model, const TrainOptions &options)
{
    if (m_shuttingDown.load())
        return;
    TrainingController *c = m_controller;
    TrainOutcome outcome;
    try {
        setComputeThreads(options.threads);
        m_trainer.reset();
        if (!m_data) {
            fail(outcome, QStringLiteral("No dataset is loaded: open a folder or an IDX file first."));
        } else {
            const Split split = splitIndices(m_data->size(), options.valFraction, options.seed);
            QString error;
            m_trainer = Trainer::create(*m_data, split, model, options, &error);
            if (!m_trainer)
                fail(outcome, QStringLiteral("Cannot train: %1").arg(error));
        }
        if (m_trainer) {
            const Split &split = m_trainer->split();
            // A fixed set of validation images, the same for every snapshot so that the
            // user sees the model improve on the same pictures.
            // Small datasets have few validation images: training images fill up the set.
            torch::Tensor pool = split.val.defined() ? split.val : split.train.slice(0, 0, 0);
            if (pool.numel() < TrainingController::kSnapshotImages)
                pool = torch::cat({pool, split.train});
            m_snapshotIndices = coverClasses(*m_data, pool, TrainingController::kSnapshotImages);
            m_snapshotInputs.clear();
            m_snapshotCaptions.clear();
            for (qint64 i = 0; i < m_snapshotIndices.numel(); ++i) {
                const qint64 index = m_snapshotIndices[i].item<int64_t>();
                m_snapshotInputs.append(toImage(m_data->images[index]));
                m_snapshotCaptions.append(labelName(*m_data, index));
            }
            const qint64 trainCount = split.train.numel();
            const qint64 valCount = split.val.defined() ? split.val.numel() : 0;
            const qint64 parameters = m_trainer->model()->parameterCount();
            post([c, trainCount, valCount, parameters] { Q_EMIT c->trainingStarted(trainCount, valCount, parameters); });

            m_pendingLosses.clear();
            m_lossClock.start();
            m_snapshotClock.start();
            snapshotInFlight.store(false);
            snapshot(0, 0, true);  // the untrained model: a reference for what follows

            TrainCallbacks callbacks;
            callbacks.onStep = [this](const StepReport &report) {
                m_pendingLosses.append(QPointF(double(report.globalStep), report.loss));
                m_latestStep = report;
                // Flush early when a pause is pending, so the chart shows every step before it.
                if (m_lossClock.elapsed() >= kLossIntervalMs || control.isPaused()
                    || control.isStopRequested())
                    flushSteps();
                if (m_snapshotClock.elapsed() >= kSnapshotIntervalMs)
                    snapshot(report.epoch, report.globalStep, false);
            };
            callbacks.onEpoch = [this, c](const EpochReport &report) {
                flushSteps();
                post([c, report] { Q_EMIT c->epochReport(report); });
            };
            outcome = m_trainer->run(control, callbacks);
            flushSteps();
            if (m_trainer->globalStep() > 0 && outcome.status != TrainStatus::Failed && !m_shuttingDown.load())
                snapshot(m_trainer->epochsCompleted(), m_trainer->globalStep(), true);
        }
    } catch (const c10::Error &e) {
        fail(outcome, QString::fromUtf8(e.what_without_backtrace()));
    } catch (const std::exception &e) {
        fail(outcome, QString::fromUtf8(e.what()));
    }
    if (outcome.status == TrainStatus::Failed) {
        const QString message = outcome.message;
        post([c, message] { Q_EMIT c->failed(message); });
    }
    post([c, outcome] { c->onTrainingFinished(outcome); });
}

void TrainingWorker::flushSteps()
{
    m_lossClock.restart();
    if (m_pendingLosses.isEmpty())
        return;
    const QVector<QPointF> losses = std::exchange(m_pendingLosses, {});
    const StepReport latest = m_latestStep;
    TrainingController *c = m_controller;
    post([c, losses, latest] { Q_EMIT c->stepsReported(losses, latest); });
}

// Runs on the worker between two steps, so the weights are not being written meanwhile.
void TrainingWorker::snapshot(int epoch, qint64 globalStep, bool force)
{
    if (!m_trainer || m_snapshotIndices.numel() == 0)
        return;
    // One snapshot waiting in the GUI's queue at most: a slow GUI gets fewer, never a backlog.
    if (!force && snapshotInFlight.load())
        return;
    m_snapshotClock.restart();
    const std::shared_ptr<AutoencoderImpl> model = m_trainer->model();
    const bool wasTraining = model->is_training();
    model->eval();
    torch::Tensor reconstructions;
    {
        torch::NoGradGuard noGrad;
        reconstructions = model->forward(m_data->floatBatch(m_snapshotIndices));
    }
    if (wasTraining)
        model->train();

    ReconstructionSnapshot s;
    s.epoch = epoch;
    s.globalStep = globalStep;
    s.inputs = m_snapshotInputs;  // implicitly shared, read-only: safe across threads
    s.captions = m_snapshotCaptions;
    for (qint64 i = 0; i < reconstructions.size(0); ++i)
        s.reconstructions.append(floatToImage(reconstructions[i]));
    snapshotInFlight.store(true);
    TrainingController *c = m_controller;
    post([c, s] { c->onReconstructions(s); });
}

TrainingController::TrainingController(QObject *parent)
    : QObject(parent), m_thread(new QThread(this)), m_worker(new TrainingWorker(this))
{
    qRegisterMetaType<DatasetSummary>();
    qRegisterMetaType<ReconstructionSnapshot>();
    qRegisterMetaType<StepReport>();
    qRegisterMetaType<EpochReport>();
    qRegisterMetaType<TrainOutcome>();
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

bool TrainingController::loadDataset(const QString &path)
{
    return loadDataset(path, LoadOptions());
}

bool TrainingController::loadDataset(const QString &path, const LoadOptions &options)
{
    if (m_state != State::Idle)
        return false;
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
    setState(State::Training);
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, model, train] { worker->train(model, train); },
                              Qt::QueuedConnection);
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
    m_worker->control.resume();
    setState(State::Training);
}

void TrainingController::stop()
{
    if (m_state == State::Loading) {
        m_worker->cancelLoad();
    } else if (m_state == State::Training || m_state == State::Paused) {
        m_worker->control.stop();
        setState(State::Stopping);
    }
}

void TrainingController::setLearningRate(double lr)
{
    if (lr > 0.0)
        m_worker->control.setLearningRate(lr);
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
    setState(State::Idle);
    Q_EMIT datasetLoaded(summary);
}

void TrainingController::onLoadFailed(const QString &message)
{
    setState(State::Idle);
    Q_EMIT loadFailed(message);
}

void TrainingController::onReconstructions(const ReconstructionSnapshot &snapshot)
{
    m_worker->snapshotInFlight.store(false);
    Q_EMIT reconstructionsReady(snapshot);
}

void TrainingController::onTrainingFinished(const TrainOutcome &outcome)
{
    setState(State::Idle);
    Q_EMIT finished(outcome);
}

} // namespace aes
