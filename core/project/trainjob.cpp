#include "project/trainjob.h"

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "project/rundirectory.h"
#include "project/runfiles.h"
#include "training/datadefaults.h"
#include "training/distributed.h"
#include "training/memoryestimate.h"
#include "training/trainingcontrol.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>

namespace aes {

namespace {

// Fills data, load, model and training options from the checkpoint to continue.
QString resumeOptions(const TrainJobOptions &requested, TrainJobOptions *out)
{
    QString error;
    const QString path = checkpointPathOf(requested.resume);
    const std::optional<LoadedCheckpoint> checkpoint = loadCheckpoint(path, &error);
    if (!checkpoint)
        return error;
    const QJsonObject meta = checkpoint->meta;
    const std::optional<TrainOptions> train = trainOptionsOf(*checkpoint, &error);
    if (!train)
        return QStringLiteral("%1 cannot be continued: %2").arg(path, error.isEmpty()
            ? QStringLiteral("it holds weights only, not the training state") : error);
    *out = requested;
    out->data = meta.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("source")).toString();
    const std::optional<LoadOptions> load = loadOptionsOf(*checkpoint, &error);
    if (!load)
        return QStringLiteral("%1: %2").arg(path, error);
    out->load = *load;
    out->classes = trainedClassesOf(*checkpoint);
    out->model = checkpoint->options;
    out->train = *train;
    out->train.threads = requested.train.threads;
    out->train.device = requested.train.device;  // a checkpoint continues on any device
    out->automatic = AutoOptions::none();
    if (requested.resumeEpochs > 0)
        out->train.epochs = requested.resumeEpochs;
    if (out->runDir.isEmpty())
        out->runDir = QFileInfo(requested.resume).isDir() ? requested.resume : QFileInfo(path).absolutePath();
    return {};
}

QJsonObject summaryJson(const TrainJobOptions &options, const Dataset &data, const LoadReport &report,
                        const Trainer &trainer, const TrainOutcome &outcome)
{
    const int world = options.distributed.enabled() ? options.distributed.worldSize : 1;
    const QVector<EpochReport> &h = trainer.history();
    // The figures of the weights the run keeps: early stopping's best epoch, else the last.
    const int kept = trainer.keptEpoch();
    EpochReport last = h.isEmpty() ? EpochReport{} : h.last();
    for (const EpochReport &e : h)
        if (kept > 0 && e.epoch == kept)
            last = e;
    // Throughput over every epoch's training steps (validation excluded).
    double images = 0.0, seconds = 0.0;
    for (const EpochReport &e : h)
        if (e.imagesPerSecond > 0) {
            images += double(trainer.split().train.numel());
            seconds += double(trainer.split().train.numel()) / e.imagesPerSecond;
        }
    static const char *const kStatus[] = {"finished", "stopped", "diverged", "failed"};
    return QJsonObject{
        {QStringLiteral("images"), report.loaded},
        {QStringLiteral("skipped"), report.skipped.size()},
        {QStringLiteral("load_seconds"), report.seconds},
        {QStringLiteral("train_seconds"), trainer.trainSeconds()},
        {QStringLiteral("images_per_second"), seconds > 0 ? images / seconds : 0.0},
        {QStringLiteral("epochs"), h.size()},
        {QStringLiteral("kept_epoch"), kept > 0 ? kept : (h.isEmpty() ? 0 : h.last().epoch)},
        {QStringLiteral("steps"), double(trainer.globalStep())},
        {QStringLiteral("final_train_loss"), jsonNumber(last.trainLoss)},
        {QStringLiteral("final_val_loss"), jsonNumber(last.valLoss)},
        {QStringLiteral("val_mse"), jsonNumber(last.valMse)},
        {QStringLiteral("val_psnr"), jsonNumber(last.valPsnr)},
        {QStringLiteral("val_ssim"), jsonNumber(last.valSsim)},
        {QStringLiteral("knn_accuracy"), jsonNumber(last.knnAccuracy)},
        {QStringLiteral("train_images"), double(trainer.split().train.numel())},
        {QStringLiteral("val_images"), double(trainer.split().val.numel())},
        {QStringLiteral("status"), QString::fromLatin1(kStatus[int(outcome.status)])},
        {QStringLiteral("message"), outcome.message},
        {QStringLiteral("model"), trainer.modelOptions().toJson()},
        {QStringLiteral("training"), trainer.trainOptions().toJson()},
        {QStringLiteral("load"), options.load.toJson()},
        {QStringLiteral("dataset"), datasetJson(data)},
        {QStringLiteral("parameters"), double(trainer.model()->parameterCount())},
        {QStringLiteral("threads"), at::get_num_threads()},
        {QStringLiteral("device"), trainer.deviceName()},
        {QStringLiteral("processes"), world},
        {QStringLiteral("communication_seconds"), trainer.communicationSeconds()},
        {QStringLiteral("step_seconds"), trainer.stepSeconds()},
    };
}

} // namespace

TrainJobResult runTrainJob(const TrainJobOptions &requested, TrainingControl &control,
                           const TrainJobCallbacks &callbacks)
{
    TrainJobResult result;
    TrainJobOptions options = requested;
    // A data-parallel run joins its group first: a rank that cannot load the data then
    // reports why to the others instead of leaving them waiting for it.
    std::shared_ptr<DataParallelGroup> group;
    if (requested.distributed.enabled()) {
        group = DataParallelGroup::join(requested.distributed, &result.error);
        if (!group)
            return result;
        if (callbacks.onJoined)
            callbacks.onJoined(group->rank(), group->worldSize());
    }
    const bool writer = !group || group->rank() == 0;  // rank 0 alone writes the run directory
    const auto failed = [&]() -> TrainJobResult & {
        if (group)
            group->reportError(result.error);
        return result;
    };
    if (!requested.resume.isEmpty()) {
        result.error = resumeOptions(requested, &options);
        if (!result.error.isEmpty())
            return failed();
    }
    if (requested.resume.isEmpty() && writer) {
        // Checked before anything is written: a refused run leaves every byte where it was.
        result.error = prepareNewRunDirectory(options.runDir, options.overwrite);
        if (!result.error.isEmpty())
            return failed();
    }
    const QDir dir(options.runDir);
    if (writer && !QDir().mkpath(options.runDir)) {
        result.error = QStringLiteral("cannot create the run directory %1").arg(options.runDir);
        return failed();
    }
    if (writer)
        removeStaleTemporaryFiles(dir);
    LoadControl loadControl(callbacks.onLoadProgress);
    LoadResult loaded = loadDataset(options.data, options.load, &loadControl);
    std::optional<Dataset> selected;
    QString chosenDefaults;
    if (loaded.ok()) {
        // Refusals (an unknown class; too little memory, before the kernel kills the run
        // half-way through an epoch) write nothing, so the same folder can be used again.
        selected = selectClasses(*loaded.dataset, options.classes, &result.error);
        if (!selected)
            return failed();
        // A copied class subset holds its own images: the full set's leave memory.
        loaded.dataset->images = at::Tensor();
        const DataShape shape{int(selected->channels()), int(selected->height()), int(selected->width()),
                              selected->size() - validationCount(selected->size(), options.train.valFraction)};
        chosenDefaults = applyDataDefaults(shape, options.automatic, &options.model, &options.train);
        if (QString e = checkTrainingMemory(*selected, options.model, options.train); !e.isEmpty()) {
            result.error = e;
            return failed();
        }
    }
    if (writer) {
        if (QString e = writeLoadReport(dir.filePath(runfiles::kLoadReport), loaded.report); !e.isEmpty()) {
            result.error = e;
            return failed();
        }
    }
    if (!loaded.ok()) {
        result.error = loaded.error;
        return failed();
    }
    const Dataset &data = *selected;
    if (callbacks.onLoaded)
        callbacks.onLoaded(data, loaded.report);
    if (!chosenDefaults.isEmpty() && callbacks.onDefaults)
        callbacks.onDefaults(chosenDefaults);
    const Split split = splitIndices(data.size(), options.train.valFraction, options.train.seed);
    std::unique_ptr<Trainer> trainer = Trainer::create(data, split, options.model, options.train, &result.error);
    if (!trainer)
        return failed();
    if (!options.resume.isEmpty()) {
        result.error = trainer->restore(checkpointPathOf(options.resume));
        if (!result.error.isEmpty())
            return failed();
    }
    trainer->setDistributed(group);
    if (callbacks.onModelReady)
        callbacks.onModelReady(*trainer);

    QString writeError;
    TrainCallbacks training = callbacks.training;
    training.onEpoch = [&](const EpochReport &report) {
        // Written every epoch, so a run stopped or killed later keeps what it learned.
        if (writer)
            if (QString e = writeRunFiles(options.runDir, *trainer, data, options.load); !e.isEmpty())
                writeError = e;
        if (callbacks.training.onEpoch)
            callbacks.training.onEpoch(report);
    };
    result.outcome = trainer->run(control, training);
    if (writer && (trainer->epochsCompleted() == 0 || result.outcome.status == TrainStatus::Diverged
                   || result.outcome.bestEpoch > 0)) {
        // Nothing or something better than the epoch's end was kept: save what we have. (A
        // failed run, a data-parallel one too, keeps the checkpoint of its last finished epoch.)
        if (QString e = writeRunFiles(options.runDir, *trainer, data, options.load); !e.isEmpty())
            writeError = e;
    }
    result.summary = summaryJson(options, data, loaded.report, *trainer, result.outcome);
    if (writer)
        if (QString e = writeJsonFile(dir.filePath(runfiles::kSummary), result.summary); !e.isEmpty())
            writeError = e;
    result.ok = writeError.isEmpty();
    result.error = writeError;
    return result;
}

} // namespace aes
