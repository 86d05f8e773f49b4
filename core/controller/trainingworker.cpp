#include "controller/trainingworker.h"

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "project/rundirectory.h"
#include "training/memoryestimate.h"

#include <torch/torch.h>

#include <QThread>

#include <algorithm>

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

// Evaluation mode for a preview between two steps (or while parked), restored after.
class EvalMode {
public:
    explicit EvalMode(AutoencoderImpl &model) : m_model(model), m_wasTraining(model.is_training()) { m_model.eval(); }
    ~EvalMode()
    {
        if (m_wasTraining)
            m_model.train();
    }
    EvalMode(const EvalMode &) = delete;
    EvalMode &operator=(const EvalMode &) = delete;

private:
    AutoencoderImpl &m_model;
    bool m_wasTraining;
};

constexpr int kWorstImages = 60;              // the worst reconstructions sent with each map

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

TrainingWorker::~TrainingWorker()
{
    if (m_helper.joinable())
        m_helper.join();
}

void TrainingWorker::shutDown()
{
    m_shuttingDown.store(true);
    stopTrainer();
    tsne.cancel.store(true);
    cancelLoad();
}

void TrainingWorker::resumeTrainer()
{
    endServiceThen(&TrainingControl::resume);
}

void TrainingWorker::stopTrainer()
{
    endServiceThen(&TrainingControl::stop);
}

// Under the lock that park() checks the pause with: the helper ends (within a batch) before
// wake lets the trainer go on (or stop, which at the end of its run sets the model's mode),
// and no parking can slip in between.
void TrainingWorker::endServiceThen(void (TrainingControl::*wake)())
{
    QMutexLocker lock(&m_parkMutex);
    m_parked = false;
    m_unparking.store(true);
    while (m_serving)
        m_parkChanged.wait(&m_parkMutex);
    m_unparking.store(false);
    (control.*wake)();
    m_parkChanged.wakeAll();
}

void TrainingWorker::requestsQueued()
{
    QMutexLocker lock(&m_parkMutex);
    m_parkChanged.wakeAll();  // a worker waiting out a pause at an epoch's end
    if (!m_parked || m_serving || !hasRequests.load())
        return;
    m_serving = true;
    if (m_helper.joinable())
        m_helper.join();  // it has cleared m_serving under this lock: it is ending
    m_helper = std::thread([this] {
        for (;;) {
            serveRequests();
            QMutexLocker l(&m_parkMutex);
            if (!m_parked || m_unparking.load() || !hasRequests.load()) {
                m_serving = false;
                m_parkChanged.wakeAll();
                return;
            }
        }
    });
}

// Worker thread, at the end of a step that is not its epoch's last: the trainer checks the
// pause next and waits in TrainingControl, touching nothing until resume or stop.
void TrainingWorker::park()
{
    {
        QMutexLocker lock(&m_parkMutex);
        if (!control.isPaused() || control.isStopRequested())
            return;
        m_parked = true;
    }
    requestsQueued();  // those that came during the step
}

// Worker thread, after a run: a helper still serving (woken by stop) ends before the
// worker touches the model again.
void TrainingWorker::settle()
{
    QMutexLocker lock(&m_parkMutex);
    m_parked = false;
    while (m_serving)
        m_parkChanged.wait(&m_parkMutex);
}

// Worker thread, at an epoch's end (validation done, outside the trainer's clock): a pause
// that falls here is waited out by the worker itself, serving requests meanwhile.
void TrainingWorker::waitPausedServing()
{
    QMutexLocker lock(&m_parkMutex);
    while (control.isPaused() && !control.isStopRequested()) {
        if (hasRequests.load()) {
            lock.unlock();
            serveRequests();
            lock.relock();
            continue;
        }
        m_parkChanged.wait(&m_parkMutex);
    }
}

bool TrainingWorker::interrupted() const
{
    return control.isStopRequested() || m_unparking.load();
}

void TrainingWorker::cancelLoad()
{
    QMutexLocker lock(&m_loadMutex);
    if (m_load)
        m_load->cancel();
}

void TrainingWorker::load(const QString &path, const LoadOptions &loadOptions)
{
    if (m_shuttingDown.load())
        return;
    TrainingController *c = m_controller;
    DatasetSummary partial;
    partial.source = path;
    try {
        LoadControl loadControl([this, c](qint64 done, qint64 total) {
            post([c, done, total] { Q_EMIT c->loadProgress(done, total); });
        });
        {
            QMutexLocker lock(&m_loadMutex);
            m_load = &loadControl;
        }
        LoadResult result = loadDataset(path, loadOptions, &loadControl);
        {
            QMutexLocker lock(&m_loadMutex);
            m_load = nullptr;
        }
        if (!result.ok()) {
            for (const SkippedFile &f : result.report.skipped)
                partial.skipped.append({f.path, f.reason});
            partial.report = result.report.summary();
            // The loader's message names the folder and the reasons; add them when it does not.
            QString message = result.error;
            if (!result.report.skipped.isEmpty() && !message.contains(result.report.reasonCounts()))
                message += QStringLiteral(" (%1)").arg(result.report.summary());
            post([c, message, partial] { c->onLoadFailed(message, partial); });
            return;
        }
        // A new dataset: the previous model no longer matches it.
        m_trainer.reset();
        m_projection.reset();
        m_previousAxes = at::Tensor();
        m_data = std::move(*result.dataset);
        m_loadOptions = loadOptions;
        DatasetSummary summary = summarize(*m_data, result.report);
        post([c, summary] { c->onDatasetLoaded(summary); });
    } catch (const c10::Error &e) {
        const QString message = QString::fromUtf8(e.what_without_backtrace());
        post([c, message, partial] { c->onLoadFailed(message, partial); });
    } catch (const std::exception &e) {
        const QString message = QString::fromUtf8(e.what());
        post([c, message, partial] { c->onLoadFailed(message, partial); });
    }
}

void TrainingWorker::forgetModel()
{
    m_trainer.reset();
    m_projection.reset();
    m_previousAxes = at::Tensor();
}

void TrainingWorker::train(const ModelOptions &model, const TrainOptions &options)
{
    if (m_shuttingDown.load())
        return;
    TrainOutcome outcome;
    try {
        m_trainer.reset();
        m_projection.reset();
        m_previousAxes = at::Tensor();
        if (!m_data) {
            outcome = {TrainStatus::Failed, QStringLiteral("No dataset is loaded: open a folder or an IDX file first."), 0};
        } else {
            const Split split = splitIndices(m_data->size(), options.valFraction, options.seed);
            QString error = checkTrainingMemory(*m_data, model, options);  // refused before it starts
            if (error.isEmpty())
                m_trainer = Trainer::create(*m_data, split, model, options, &error);
            if (!m_trainer)
                outcome = {TrainStatus::Failed, QStringLiteral("Cannot train: %1").arg(error), 0};
        }
        if (m_trainer) {
            m_lastLearningRate = options.learningRate;
            prepareSnapshots();
            outcome = runTrainer(false);
        }
    } catch (const c10::Error &e) {
        outcome = {TrainStatus::Failed, QString::fromUtf8(e.what_without_backtrace()), 0};
    } catch (const std::exception &e) {
        outcome = {TrainStatus::Failed, QString::fromUtf8(e.what()), 0};
    }
    finish(outcome);
}

void TrainingWorker::continueRun(int totalEpochs)
{
    if (m_shuttingDown.load())
        return;
    TrainOutcome outcome;
    try {
        if (!m_trainer) {
            outcome = {TrainStatus::Failed, QStringLiteral("There is no model to continue: start a new one."), 0};
        } else {
            m_trainer->setEpochs(totalEpochs);
            outcome = runTrainer(true);
        }
    } catch (const c10::Error &e) {
        outcome = {TrainStatus::Failed, QString::fromUtf8(e.what_without_backtrace()), 0};
    } catch (const std::exception &e) {
        outcome = {TrainStatus::Failed, QString::fromUtf8(e.what()), 0};
    }
    finish(outcome);
}

// A fixed set of validation images, the same for every snapshot of a model so that the
// user sees it improve on the same pictures.
void TrainingWorker::prepareSnapshots()
{
    const Split &split = m_trainer->split();
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
        m_snapshotCaptions.append(m_data->classNameAt(index));
    }
}

TrainOutcome TrainingWorker::runTrainer(bool continued)
{
    TrainingController *c = m_controller;
    const Split &split = m_trainer->split();
    RunInfo run;
    run.trainImages = split.train.numel();
    run.valImages = split.val.defined() ? split.val.numel() : 0;
    run.parameters = m_trainer->model()->parameterCount();
    run.firstEpoch = m_trainer->epochsCompleted() + 1;
    run.totalEpochs = m_trainer->trainOptions().epochs;
    run.stepsBefore = m_trainer->globalStep();
    run.continued = continued;
    const ModelOptions model = m_trainer->modelOptions();
    const TrainOptions train = m_trainer->trainOptions();
    post([c, run, model, train] { c->onTrainingStarted(run, model, train); });

    m_pendingLosses.clear();
    m_lossClock.start();
    m_snapshotClock.start();
    snapshotInFlight.store(false);
    // The untrained model as a reference for what follows, or where a continued run starts.
    snapshot(m_trainer->epochsCompleted(), m_trainer->globalStep(), true);

    TrainCallbacks callbacks;
    callbacks.onStep = [this, c](const StepReport &report) {
        m_pendingLosses.append(QPointF(double(report.globalStep), report.loss));
        m_latestStep = report;
        if (report.learningRate != m_lastLearningRate) {
            m_lastLearningRate = report.learningRate;
            const qint64 step = report.globalStep;
            const double lr = report.learningRate;
            post([c, step, lr] { Q_EMIT c->learningRateChanged(step, lr); });
        }
        // Flush early when a pause is pending, so the chart shows every step before it.
        if (m_lossClock.elapsed() >= kLossIntervalMs || control.isPaused() || control.isStopRequested())
            flushSteps();
        if (m_snapshotClock.elapsed() >= kSnapshotIntervalMs)
            snapshot(report.epoch, report.globalStep, false);
        if (hasRequests.load())
            serveRequests();
        if (report.stepInEpoch < report.stepsPerEpoch)
            park();  // validation follows the last step: that pause is waited out in onEpoch
    };
    callbacks.onEpoch = [this, c](const EpochReport &report) {
        flushSteps();
        post([c, report] { Q_EMIT c->epochReport(report); });
        saveRun();  // every epoch: a crash or a kill later loses at most one epoch
        latentMap(m_epochMethod, m_epochDimX, m_epochDimY, false);
        if (report.epoch < m_trainer->trainOptions().epochs)
            waitPausedServing();
    };
    m_inRun = true;
    waitPausedServing();  // paused before the first step: served here, outside the run's clock
    TrainOutcome outcome = m_trainer->run(control, callbacks);
    settle();
    m_inRun = false;
    flushSteps();
    if (m_trainer->globalStep() > 0 && outcome.status != TrainStatus::Failed && !m_shuttingDown.load())
        snapshot(m_trainer->epochsCompleted(), m_trainer->globalStep(), true);
    return outcome;
}

void TrainingWorker::finish(TrainOutcome outcome)
{
    settle();  // also after an exception out of Trainer::run
    m_inRun = false;
    TrainingController *c = m_controller;
    if (outcome.status == TrainStatus::Failed) {
        // A model in an unknown state is not worth continuing.
        m_trainer.reset();
        const QString message = outcome.message;
        post([c, message] { Q_EMIT c->failed(message); });
    }
    // Nothing was saved yet, or the restored weights are better than the last epoch's end.
    if (m_trainer && (m_trainer->epochsCompleted() == 0 || outcome.status == TrainStatus::Diverged))
        saveRun();
    const bool kept = m_trainer != nullptr;
    post([c, outcome, kept] {
        c->setHasModel(kept);
        c->onTrainingFinished(outcome);
    });
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
    torch::Tensor mse;
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor inputs = m_data->floatBatch(m_snapshotIndices);
        reconstructions = model->forward(inputs);
        mse = (reconstructions - inputs).pow(2).mean({1, 2, 3}).to(torch::kDouble).contiguous();
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
    const double *m = mse.data_ptr<double>();
    s.mse = QVector<double>(m, m + mse.numel());
    snapshotInFlight.store(true);
    TrainingController *c = m_controller;
    post([c, s] { c->onReconstructions(s); });
}

// Worker thread, between two steps, idle or paused (then maybe on the helper thread).
void TrainingWorker::serveRequests()
{
    if (!hasRequests.exchange(false) || m_shuttingDown.load())
        return;
    Requests r;
    {
        QMutexLocker lock(&requestMutex);
        r = std::exchange(requests, {});
    }
    TrainingController *c = m_controller;
    try {
        if (m_data && r.image >= 0 && r.image < m_data->size()) {
            const qint64 index = r.image;
            const QImage image = toImage(m_data->images[index]);
            const QString label = m_data->classNameAt(index);
            post([c, index, image, label] { Q_EMIT c->datasetImage(index, image, label); });
            details(index);
        }
        if (r.map && m_inRun && r.mapMethod == ProjectionMethod::Tsne) {
            // Minutes at 70k points: never between two training steps.
            const QString message = QStringLiteral("t-SNE takes too long to run between training steps: stop the training first.");
            post([c, message] { Q_EMIT c->latentMapFailed(message); });
        } else if (r.map) {
            latentMap(r.mapMethod, r.dimX, r.dimY, true);
        }
        if (r.decode)
            decode(r.x, r.y);
        if (r.interpolationSteps > 0)
            interpolate(r.interpolateFrom, r.interpolateTo, r.interpolationSteps);
        if (r.traversalColumns > 0 && r.traversalRows > 0)
            traverse(r.traversal, r.traversalColumns, r.traversalRows);
    } catch (const c10::Error &e) {
        const QString message = QString::fromUtf8(e.what_without_backtrace());
        post([c, message] { Q_EMIT c->latentMapFailed(message); });
    } catch (const std::exception &e) {
        const QString message = QString::fromUtf8(e.what());
        post([c, message] { Q_EMIT c->latentMapFailed(message); });
    }
}

bool TrainingWorker::encodeAll(at::Tensor *codes, at::Tensor *errors)
{
    AutoencoderImpl &model = *m_trainer->model();
    const EvalMode eval(model);
    torch::Tensor e;
    const torch::Tensor z = encodeImages(model, m_trainer->dataset(), {}, [this] { return interrupted(); }, &e);
    if (!z.defined())
        return false;
    // Clones leave inference mode: the projection does its own arithmetic on them.
    *codes = z.clone();
    *errors = e.clone();
    return true;
}

// Codes of every image with the current weights (between steps), projected to 2-D.
void TrainingWorker::latentMap(std::optional<ProjectionMethod> method, int dimX, int dimY, bool force)
{
    if (!m_trainer || (!force && latentInFlight.load()))
        return;
    TrainingController *c = m_controller;
    ProjectionOptions options;
    options.method = method.value_or(m_trainer->modelOptions().latent == 2 ? ProjectionMethod::Direct
                                                                           : ProjectionMethod::Pca);
    options.dimX = dimX;
    options.dimY = dimY;
    const Dataset &data = m_trainer->dataset();
    torch::Tensor codes, errors;
    if (!encodeAll(&codes, &errors))
        return;  // a stop (or a resume while paused) was requested

    const qint64 n = codes.size(0);
    const torch::Tensor labelsTensor = data.labels.to(torch::kLong).contiguous();
    QVector<int> labels(n);
    for (qint64 i = 0; i < n; ++i)
        labels[i] = int(labelsTensor.data_ptr<int64_t>()[i]);
    const auto xyOf = [n](const float *xy, LatentSnapshot *map) {
        map->x.resize(n);
        map->y.resize(n);
        for (qint64 i = 0; i < n; ++i) {
            map->x[i] = xy[2 * i];
            map->y[i] = xy[2 * i + 1];
        }
    };
    tsne.cancel.store(false);
    if (options.method == ProjectionMethod::Tsne) {
        // Intermediate layouts: the newest waits in the GUI's queue, older ones are dropped.
        partialInFlight.store(false);
        tsne.onLayout = [this, c, labels, xyOf, &data](const TsneSnapshot &snapshot) {
            if (partialInFlight.load())
                return;
            LatentSnapshot map;
            map.epoch = m_trainer->epochsCompleted();
            map.globalStep = m_trainer->globalStep();
            map.method = ProjectionMethod::Tsne;
            map.exactInverse = false;
            map.latentSize = m_trainer->modelOptions().latent;
            map.partial = true;
            map.iteration = snapshot.iteration;
            map.iterations = snapshot.iterations;
            xyOf(snapshot.layout.data(), &map);
            map.labels = labels;
            map.classNames = data.classNames;
            partialInFlight.store(true);
            post([c, map] { c->onLatentMap(map); });
        };
    }
    ProjectionResult result = project(codes, options, &tsne);
    tsne.onLayout = nullptr;
    if (!result.ok()) {
        if (!result.cancelled) {
            const QString message = result.error;
            post([c, message] { Q_EMIT c->latentMapFailed(message); });
        }
        return;
    }
    if (result.projection->method == ProjectionMethod::Pca)
        alignWithPrevious(&*result.projection);
    m_projection = std::move(result.projection);
    // The user's choice, once it worked, also shapes the maps after each epoch (t-SNE is
    // too slow for that).
    if (options.method != ProjectionMethod::Tsne) {
        m_epochMethod = method;
        m_epochDimX = dimX;
        m_epochDimY = dimY;
    }
    LatentSnapshot map;
    map.epoch = m_trainer->epochsCompleted();
    map.globalStep = m_trainer->globalStep();
    map.method = m_projection->method;
    map.exactInverse = m_projection->exactInverse;
    map.latentSize = int(codes.size(1));
    if (m_projection->method == ProjectionMethod::Dims) {
        map.dimX = dimX;
        map.dimY = dimY;
    }
    const torch::Tensor layout = m_projection->layout.to(torch::kFloat).contiguous();
    xyOf(layout.data_ptr<float>(), &map);
    map.labels = labels;
    map.classNames = data.classNames;
    map.files = data.paths;  // implicitly shared and never modified: safe to hand over
    const torch::Tensor e = errors.contiguous();
    map.errors = QVector<float>(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
    const torch::Tensor worst = std::get<1>(errors.topk(std::min<int64_t>(kWorstImages, n))).contiguous();
    for (int64_t i = 0; i < worst.numel(); ++i) {
        const int64_t row = worst.data_ptr<int64_t>()[i];
        map.worst.append(row);
        map.worstImages.append(toImage(data.images[row]));
    }
    latentInFlight.store(true);
    post([c, map] { c->onLatentMap(map); });
}

// A principal axis has no preferred sign: flip each one that points against the previous
// map's, so that epoch after epoch (and in the scrubber) the map does not mirror itself.
void TrainingWorker::alignWithPrevious(Projection *p)
{
    bool flipped = false;
    if (m_previousAxes.defined() && m_previousAxes.sizes() == p->axes.sizes()) {
        for (int64_t k = 0; k < p->axes.size(0); ++k) {
            if (p->axes[k].dot(m_previousAxes[k]).item<float>() < 0.0f) {
                p->axes[k].neg_();
                p->layout.select(1, k).neg_();
                flipped = true;
            }
        }
    }
    if (flipped)
        p->index = indexLayout(p->layout);
    m_previousAxes = p->axes.clone();
}

void TrainingWorker::decode(double x, double y)
{
    if (!m_trainer || !m_projection)
        return;
    AutoencoderImpl &model = *m_trainer->model();
    torch::Tensor image;
    {
        const EvalMode eval(model);
        c10::InferenceMode inference;
        image = model.decode(m_projection->codeAt(x, y))[0];
    }
    const QImage decoded = floatToImage(image);
    const bool exact = m_projection->exactInverse;
    TrainingController *c = m_controller;
    post([c, decoded, x, y, exact] { Q_EMIT c->decodedImage(decoded, x, y, exact); });
}

void TrainingWorker::details(qint64 index)
{
    if (!m_data)
        return;
    PointDetails d;
    d.index = index;
    d.image = toImage(m_data->images[index]);
    d.label = m_data->classNameAt(index);
    d.file = index < m_data->paths.size() ? m_data->paths.at(int(index)) : QString();
    if (m_trainer) {
        AutoencoderImpl &model = *m_trainer->model();
        const EvalMode eval(model);
        c10::InferenceMode inference;
        const torch::Tensor x = m_data->floatBatch(torch::tensor({int64_t(index)}, torch::kLong));
        const torch::Tensor r = model.decode(model.encode(x));
        d.error = (r - x).pow(2).mean().item<double>();
        d.reconstruction = floatToImage(r[0]);
    }
    TrainingController *c = m_controller;
    post([c, d] { Q_EMIT c->pointDetails(d); });
}

void TrainingWorker::interpolate(qint64 from, qint64 to, int steps)
{
    if (!m_trainer || from < 0 || to < 0 || from >= m_data->size() || to >= m_data->size())
        return;
    AutoencoderImpl &model = *m_trainer->model();
    Interpolation result;
    result.from = from;
    result.to = to;
    result.spherical = m_trainer->modelOptions().kind == ModelKind::Vae;
    torch::Tensor images;
    {
        const EvalMode eval(model);
        c10::InferenceMode inference;
        const torch::Tensor codes = model.encode(m_data->floatBatch(torch::tensor({int64_t(from), int64_t(to)}, torch::kLong)));
        images = model.decode(interpolateCodes(codes[0], codes[1], steps, result.spherical));
    }
    for (int64_t i = 0; i < images.size(0); ++i)
        result.images.append(floatToImage(images[i]));
    TrainingController *c = m_controller;
    post([c, result] { Q_EMIT c->interpolationReady(result); });
}

void TrainingWorker::traverse(const QRectF &region, int columns, int rows)
{
    if (!m_trainer || !m_projection)
        return;
    AutoencoderImpl &model = *m_trainer->model();
    TraversalGrid grid;
    grid.region = region;
    grid.columns = columns;
    grid.rows = rows;
    grid.exact = m_projection->exactInverse;
    const torch::Tensor points = gridPoints(region.left(), region.top(), region.right(), region.bottom(), columns, rows);
    const torch::Tensor codes = m_projection->codesAt(points);
    const EvalMode eval(model);
    c10::InferenceMode inference;
    for (int64_t start = 0; start < codes.size(0); start += 256) {
        if (interrupted())
            return;
        const torch::Tensor images = model.decode(codes.slice(0, start, std::min(codes.size(0), start + 256)));
        for (int64_t i = 0; i < images.size(0); ++i)
            grid.images.append(floatToImage(images[i]));
    }
    TrainingController *c = m_controller;
    post([c, grid] { Q_EMIT c->traversalReady(grid); });
}

// --- Checkpoints (issue 5) ---

void TrainingWorker::setRunDirectory(const QString &dir)
{
    QMutexLocker lock(&m_runMutex);
    m_runDir = dir;
}

QString TrainingWorker::runDirectory()
{
    QMutexLocker lock(&m_runMutex);
    return m_runDir;
}

void TrainingWorker::saveRun()
{
    const QString dir = runDirectory();
    if (dir.isEmpty() || !m_trainer || !m_data)
        return;
    QString error;
    try {
        error = writeRunFiles(dir, *m_trainer, *m_data, m_loadOptions);
    } catch (const std::exception &e) {
        error = QStringLiteral("cannot save the run in %1: %2").arg(dir, QString::fromUtf8(e.what()));
    }
    TrainingController *c = m_controller;
    post([c, dir, error] { Q_EMIT c->runSaved(dir, error); });
}

void TrainingWorker::saveRunTo(const QString &dir)
{
    setRunDirectory(dir);
    saveRun();
}

void TrainingWorker::openModel(const QString &path)
{
    TrainingController *c = m_controller;
    const auto fail = [this, c](const QString &message) {
        post([c, message] { c->onOpenModelFailed(message); });
    };
    if (m_shuttingDown.load())
        return;
    try {
        // Everything is built aside and taken only when all of it worked: a failure leaves
        // the dataset and model the user had.
        const QString file = checkpointPathOf(path);
        QString error;
        std::optional<LoadedCheckpoint> checkpoint = loadCheckpoint(file, &error);
        if (!checkpoint)
            return fail(error);
        const ModelOptions &model = checkpoint->options;
        const std::optional<TrainOptions> stored = trainOptionsOf(*checkpoint, &error);
        if (!stored && !error.isEmpty())
            return fail(QStringLiteral("%1: its training options are damaged: %2").arg(file, error));
        // The loaded dataset serves when its images have the model's shape; else the run's own.
        std::optional<Dataset> data;
        LoadOptions loadOptions = m_loadOptions;
        DatasetSummary summary;
        const bool fits = m_data && m_data->channels() == model.channels && m_data->height() == model.height
            && m_data->width() == model.width;
        if (!fits) {
            LoadResult loaded = loadDatasetFor(*checkpoint, {}, [this, c](qint64 done, qint64 total) {
                post([c, done, total] { Q_EMIT c->loadProgress(done, total); });
            });
            if (!loaded.ok())
                return fail(QStringLiteral("%1: the model's dataset cannot be loaded: %2").arg(file, loaded.error));
            data = std::move(loaded.dataset);
            loadOptions = loadOptionsOf(*checkpoint, &error).value_or(LoadOptions{});
            summary = summarize(*data, loaded.report);
        }
        const Dataset &dataset = data ? *data : *m_data;
        const TrainOptions train = stored.value_or(TrainOptions{});
        const Split split = splitIndices(dataset.size(), train.valFraction, train.seed);
        std::unique_ptr<Trainer> trainer = Trainer::create(dataset, split, model, train, &error);
        if (!trainer)
            return fail(QStringLiteral("%1: %2").arg(file, error));
        if (stored) {
            error = trainer->restore(file);
            if (!error.isEmpty())
                return fail(error);
        } else {
            copyWeights(*checkpoint->model, *trainer->model());
        }

        if (data) {
            m_data = std::move(data);
            m_loadOptions = loadOptions;
            post([c, summary] { c->onDatasetLoaded(summary); });
        }
        m_trainer = std::move(trainer);
        m_projection.reset();
        m_previousAxes = at::Tensor();
        prepareSnapshots();
        OpenedModel opened;
        opened.path = file;
        opened.model = model;
        opened.train = train;
        opened.resumable = stored.has_value();
        opened.epochsCompleted = m_trainer->epochsCompleted();
        opened.globalStep = m_trainer->globalStep();
        opened.history = m_trainer->history();
        post([c, opened] { c->onModelOpened(opened); });
        snapshot(m_trainer->epochsCompleted(), m_trainer->globalStep(), true);
        latentMap(m_epochMethod, m_epochDimX, m_epochDimY, true);
    } catch (const c10::Error &e) {
        fail(QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what_without_backtrace())));
    } catch (const std::exception &e) {
        fail(QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what())));
    }
}

} // namespace aes
