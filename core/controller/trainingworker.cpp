#include "controller/trainingworker.h"

#include "controller/latentservice.h"
#include "controller/requestmailbox.h"
#include "data/tensorimage.h"
#include "controller/trainingcontroller.h"
#include "model/autoencoder.h"
#include "model/devicetensors.h"
#include "model/checkpoint.h"
#include "model/evalmode.h"
#include "project/rundirectory.h"
#include "training/augment.h"
#include "training/memoryestimate.h"
#include "util/errormessage.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <utility>

namespace aes {

namespace {

constexpr qint64 kLossIntervalMs = 100;       // how often batched losses leave the worker
constexpr qint64 kSnapshotIntervalMs = 500;   // at most ~2 reconstruction snapshots a second
constexpr int kSampleImages = 8;              // dataset preview in the summary
constexpr int kAugmentPreviewImages = 4;      // of them, shown augmented under the augment checkbox
constexpr quint64 kAugmentPreviewSeed = 1;

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
    if (data.audio) {
        s.audio = true;
        s.audioOptions = *data.audio;
        s.audioDetails = report.audioDetails;
    }
    s.cacheFile = data.mapped ? report.cacheFile : QString();
    s.cacheBytes = data.mapped ? report.cacheBytes : 0;
    s.decoded = report.decoded;
    s.cacheNote = report.cacheNote;
    s.pixelBytes = data.images.defined() ? data.images.numel() : 0;
    const torch::Tensor all = torch::arange(int64_t(data.size()), torch::kLong);
    const torch::Tensor samples = coverClasses(data, all, kSampleImages);
    for (qint64 i = 0; i < samples.numel(); ++i)
        s.samples.append(toImage(data.images[samples[i].item<int64_t>()]));
    // The preview of augmentation: the same images through one seeded draw, as a training batch.
    const torch::Tensor previewed = samples.slice(0, 0, kAugmentPreviewImages);
    if (previewed.numel() > 0) {
        at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(kAugmentPreviewSeed);
        const torch::Tensor augmented = augmentBatch(data.floatBatch(previewed), generator);
        for (qint64 i = 0; i < augmented.size(0); ++i)
            s.augmentedSamples.append(floatToImage(augmented[i]));
    }
    return s;
}

} // namespace

TrainingWorker::TrainingWorker(std::shared_ptr<RequestMailbox> requests) : m_requests(std::move(requests))
{
    m_latent = new LatentService(m_data, m_trainer, [this] { return interrupted(); }, this);
}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::pause()
{
    m_control.pause();
}

// Under the lock that waitWhilePaused() checks the pause with: no wake-up is lost.
void TrainingWorker::resume()
{
    QMutexLocker lock(&m_pauseMutex);
    m_control.resume();
    m_pauseChanged.wakeAll();
}

void TrainingWorker::stop()
{
    QMutexLocker lock(&m_pauseMutex);
    m_control.stop();
    m_pauseChanged.wakeAll();
}

void TrainingWorker::setLearningRate(double lr)
{
    m_control.setLearningRate(lr);
}

void TrainingWorker::resetControl()
{
    m_control.reset();
}

void TrainingWorker::shutDown()
{
    m_shuttingDown.store(true);
    stop();
    cancelProjection();
    cancelLoad();
}

void TrainingWorker::cancelLoad()
{
    QMutexLocker lock(&m_loadMutex);
    if (m_load)
        m_load->cancel();
}

void TrainingWorker::cancelProjection()
{
    m_latent->cancelProjection();
}

void TrainingWorker::setMapPointCap(qint64 cap)
{
    m_latent->setPointCap(cap);
}

// Training polls the mailbox between steps; when idle the queued call serves it; a paused run
// is woken to serve.
void TrainingWorker::requestsPosted()
{
    QMetaObject::invokeMethod(this, [this] { serveRequests(); }, Qt::QueuedConnection);
    QMutexLocker lock(&m_pauseMutex);
    m_pauseChanged.wakeAll();
}

void TrainingWorker::reconstructionsDelivered()
{
    m_snapshotInFlight.store(false);
}

void TrainingWorker::latentMapDelivered(bool partial)
{
    m_latent->mapDelivered(partial);
}

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

// Worker thread, between two steps, idle, or inside a pause.
void TrainingWorker::serveRequests()
{
    if (!m_requests->hasRequests())
        return;
    // Taken even when shutting down, so that a paused wait does not find them again.
    const LatentRequests requests = m_requests->take();
    if (!m_shuttingDown.load())
        m_latent->serve(requests, m_inRun);
}

// Worker thread, while a run is paused: before a step (the trainer calls it instead of
// waiting inside TrainingControl) or at an epoch's end. This is the one place a paused run
// waits, so requests that come meanwhile are served here, on the worker thread, where the
// weights cannot change under them. Resume and stop end the wait; a resume also cuts short
// the request being served (within a batch), so training goes on at once.
void TrainingWorker::waitWhilePaused()
{
    QMutexLocker lock(&m_pauseMutex);
    while (m_control.isPaused() && !m_control.isStopRequested()) {
        if (m_requests->hasRequests()) {
            lock.unlock();
            m_servingPaused = true;
            serveRequests();
            m_servingPaused = false;
            lock.relock();
            continue;
        }
        m_pauseChanged.wait(&m_pauseMutex);
    }
}

bool TrainingWorker::interrupted() const
{
    return m_control.isStopRequested() || (m_servingPaused && !m_control.isPaused());
}

void TrainingWorker::forgetModel()
{
    m_trainer.reset();
    m_latent->forgetModel();
}

void TrainingWorker::load(const QString &path, const LoadOptions &loadOptions)
{
    if (m_shuttingDown.load())
        return;
    DatasetSummary partial;
    partial.source = path;
    try {
        LoadControl loadControl([this](qint64 done, qint64 total) { Q_EMIT loadProgress(done, total); });
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
            Q_EMIT loadFailed(message, partial);
            return;
        }
        // A new dataset: the previous model no longer matches it.
        forgetModel();
        m_data = std::move(*result.dataset);
        m_loadOptions = loadOptions;
        Q_EMIT datasetLoaded(summarize(*m_data, result.report));
    } catch (const std::exception &e) {
        Q_EMIT loadFailed(errorMessage(e), partial);
    }
}

void TrainingWorker::train(const ModelOptions &model, const TrainOptions &options)
{
    runJob([&]() -> TrainOutcome {
        forgetModel();
        if (!m_data)
            return {TrainStatus::Failed, QStringLiteral("No dataset is loaded: open a folder or an IDX file first."), 0};
        const Split split = splitIndices(m_data->size(), options.valFraction, options.seed);
        QString error = checkTrainingMemory(*m_data, model, options);  // refused before it starts
        if (error.isEmpty())
            m_trainer = Trainer::create(*m_data, split, model, options, &error);
        if (!m_trainer)
            return {TrainStatus::Failed, QStringLiteral("Cannot train: %1").arg(error), 0};
        prepareSnapshots();
        return runTrainer(false);
    });
}

void TrainingWorker::continueRun(int totalEpochs)
{
    runJob([&]() -> TrainOutcome {
        if (!m_trainer)
            return {TrainStatus::Failed, QStringLiteral("There is no model to continue: start a new one."), 0};
        m_trainer->setEpochs(totalEpochs);
        return runTrainer(true);
    });
}

// A training job ends with finish() whatever happens: an exception becomes a failed outcome.
void TrainingWorker::runJob(const std::function<TrainOutcome()> &job)
{
    if (m_shuttingDown.load())
        return;
    TrainOutcome outcome;
    try {
        outcome = job();
    } catch (const std::exception &e) {
        outcome = {TrainStatus::Failed, errorMessage(e), 0};
    }
    finish(outcome);
}

TrainOutcome TrainingWorker::runTrainer(bool continued)
{
    const Split &split = m_trainer->split();
    RunInfo run;
    run.trainImages = split.train.numel();
    run.valImages = split.val.defined() ? split.val.numel() : 0;
    run.parameters = m_trainer->model()->parameterCount();
    run.firstEpoch = m_trainer->epochsCompleted() + 1;
    run.totalEpochs = m_trainer->trainOptions().epochs;
    run.stepsBefore = m_trainer->globalStep();
    run.continued = continued;
    Q_EMIT trainingStarted(run, m_trainer->modelOptions(), m_trainer->trainOptions());

    m_pendingLosses.clear();
    m_lossClock.start();
    m_snapshotClock.start();
    m_snapshotInFlight.store(false);
    // The untrained model as a reference for what follows, or where a continued run starts.
    snapshot(m_trainer->epochsCompleted(), m_trainer->globalStep(), true);

    TrainCallbacks callbacks;
    callbacks.onStep = [this](const StepReport &report) {
        m_pendingLosses.append(QPointF(double(report.globalStep), report.loss));
        m_latestStep = report;
        if (report.learningRateSet)
            Q_EMIT learningRateChanged(report.globalStep, report.learningRate);
        // Flush early when a pause is pending, so the chart shows every step before it.
        if (m_lossClock.elapsed() >= kLossIntervalMs || m_control.isPaused() || m_control.isStopRequested())
            flushSteps();
        if (m_snapshotClock.elapsed() >= kSnapshotIntervalMs)
            snapshot(report.epoch, report.globalStep, false);
        serveRequests();
    };
    callbacks.onEpoch = [this](const EpochReport &report) {
        flushSteps();
        Q_EMIT epochReport(report);
        saveRun();  // every epoch: a crash or a kill loses at most one epoch
        m_latent->epochMap(false);
        // A pause that falls on an epoch's end is waited out here, outside the trainer's clock.
        if (report.epoch < m_trainer->trainOptions().epochs)
            waitWhilePaused();
    };
    callbacks.whilePaused = [this] { waitWhilePaused(); };
    m_inRun = true;
    TrainOutcome outcome = m_trainer->run(m_control, callbacks);
    m_inRun = false;
    flushSteps();
    if (m_trainer->globalStep() > 0 && outcome.status != TrainStatus::Failed && !m_shuttingDown.load())
        snapshot(m_trainer->epochsCompleted(), m_trainer->globalStep(), true);
    return outcome;
}

void TrainingWorker::finish(TrainOutcome outcome)
{
    m_inRun = false;  // also after an exception out of Trainer::run
    if (outcome.status == TrainStatus::Failed) {
        // A model in an unknown state is not worth continuing.
        m_trainer.reset();
        Q_EMIT failed(outcome.message);
    }
    // Nothing was saved yet, or the restored weights are better than the last epoch's end.
    if (m_trainer && (m_trainer->epochsCompleted() == 0 || outcome.status == TrainStatus::Diverged
                      || outcome.bestEpoch > 0))
        saveRun();
    Q_EMIT trainingFinished(outcome, m_trainer != nullptr);
}

void TrainingWorker::flushSteps()
{
    m_lossClock.restart();
    if (m_pendingLosses.isEmpty())
        return;
    Q_EMIT stepsReported(std::exchange(m_pendingLosses, {}), m_latestStep);
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

// Runs on the worker between two steps, so the weights are not being written meanwhile.
void TrainingWorker::snapshot(int epoch, qint64 globalStep, bool force)
{
    if (!m_trainer || m_snapshotIndices.numel() == 0)
        return;
    // One snapshot waiting in the GUI's queue at most: a slow GUI gets fewer, never a backlog.
    if (!force && m_snapshotInFlight.load())
        return;
    m_snapshotClock.restart();
    torch::Tensor reconstructions;
    torch::Tensor mse;
    {
        AutoencoderImpl &model = *m_trainer->model();
        const EvalMode eval(model);
        torch::NoGradGuard noGrad;
        const torch::Tensor inputs = floatBatchOn(*m_data, m_snapshotIndices, deviceOf(model));
        const torch::Tensor output = model.forward(inputs);
        mse = (output - inputs).pow(2).mean({1, 2, 3}).to(torch::kCPU, torch::kDouble).contiguous();
        reconstructions = output.to(torch::kCPU);
    }

    ReconstructionSnapshot s;
    s.epoch = epoch;
    s.globalStep = globalStep;
    s.inputs = m_snapshotInputs;  // implicitly shared, read-only: safe across threads
    s.captions = m_snapshotCaptions;
    for (qint64 i = 0; i < reconstructions.size(0); ++i)
        s.reconstructions.append(floatToImage(reconstructions[i]));
    const double *m = mse.data_ptr<double>();
    s.mse = QVector<double>(m, m + mse.numel());
    m_snapshotInFlight.store(true);
    Q_EMIT reconstructionsReady(s);
}

// Writes the run files into the run directory (if any) and says how it went.
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
    Q_EMIT runSaved(dir, error);
}

void TrainingWorker::saveRunTo(const QString &dir)
{
    setRunDirectory(dir);
    saveRun();
}

void TrainingWorker::openModel(const QString &path)
{
    if (m_shuttingDown.load())
        return;
    const auto fail = [this](const QString &message) { Q_EMIT openModelFailed(message); };
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
            LoadResult loaded = loadDatasetFor(*checkpoint, {}, [this](qint64 done, qint64 total) {
                Q_EMIT loadProgress(done, total);
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
            Q_EMIT datasetLoaded(summary);
        }
        forgetModel();
        m_trainer = std::move(trainer);
        prepareSnapshots();
        OpenedModel opened;
        opened.path = file;
        opened.model = model;
        opened.train = train;
        opened.resumable = stored.has_value();
        opened.epochsCompleted = m_trainer->epochsCompleted();
        opened.globalStep = m_trainer->globalStep();
        opened.history = m_trainer->history();
        Q_EMIT modelOpened(opened);
        snapshot(m_trainer->epochsCompleted(), m_trainer->globalStep(), true);
        m_latent->epochMap(true);
    } catch (const std::exception &e) {
        fail(QStringLiteral("%1: %2").arg(path, errorMessage(e)));
    }
}

} // namespace aes
