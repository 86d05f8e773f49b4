#include "project/trainjob.h"

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "project/rundirectory.h"
#include "project/runfiles.h"
#include "training/datadefaults.h"
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
    };
}

} // namespace

TrainJobResult runTrainJob(const TrainJobOptions &requested, TrainingControl &control,
                           const TrainJobCallbacks &callbacks)
{
    TrainJobResult result;
    TrainJobOptions options = requested;
    if (!requested.resume.isEmpty()) {
        result.error = resumeOptions(requested, &options);
        if (!result.error.isEmpty())
            return result;
    }
    if (requested.resume.isEmpty()) {
        // Checked before anything is written: a refused run leaves every byte where it was.
        result.error = prepareNewRunDirectory(options.runDir, options.overwrite);
        if (!result.error.isEmpty())
            return result;
    }
    const QDir dir(options.runDir);
    if (!QDir().mkpath(options.runDir)) {
        result.error = QStringLiteral("cannot create the run directory %1").arg(options.runDir);
        return result;
    }
    removeStaleTemporaryFiles(dir);
    LoadControl loadControl(callbacks.onLoadProgress);
    const LoadResult loaded = loadDataset(options.data, options.load, &loadControl);
    std::optional<Dataset> selected;
    QString chosenDefaults;
    if (loaded.ok()) {
        // Refusals (an unknown class; too little memory, before the kernel kills the run
        // half-way through an epoch) write nothing, so the same folder can be used again.
        selected = selectClasses(*loaded.dataset, options.classes, &result.error);
        if (!selected)
            return result;
        const DataShape shape{int(selected->channels()), int(selected->height()), int(selected->width()),
                              selected->size() - validationCount(selected->size(), options.train.valFraction)};
        chosenDefaults = applyDataDefaults(shape, options.automatic, &options.model, &options.train);
        if (QString e = checkTrainingMemory(*selected, options.model, options.train); !e.isEmpty()) {
            result.error = e;
            return result;
        }
    }
    if (QString e = writeLoadReport(dir.filePath(runfiles::kLoadReport), loaded.report); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    if (!loaded.ok()) {
        result.error = loaded.error;
        return result;
    }
    const Dataset &data = *selected;
    if (callbacks.onLoaded)
        callbacks.onLoaded(data, loaded.report);
    if (!chosenDefaults.isEmpty() && callbacks.onDefaults)
        callbacks.onDefaults(chosenDefaults);
    const Split split = splitIndices(data.size(), options.train.valFraction, options.train.seed);
    std::unique_ptr<Trainer> trainer = Trainer::create(data, split, options.model, options.train, &result.error);
    if (!trainer)
        return result;
    if (!options.resume.isEmpty()) {
        result.error = trainer->restore(checkpointPathOf(options.resume));
        if (!result.error.isEmpty())
            return result;
    }
    if (callbacks.onModelReady)
        callbacks.onModelReady(*trainer);

    QString writeError;
    TrainCallbacks training = callbacks.training;
    training.onEpoch = [&](const EpochReport &report) {
        // Written every epoch, so a run stopped or killed later keeps what it learned.
        if (QString e = writeRunFiles(options.runDir, *trainer, data, options.load); !e.isEmpty())
            writeError = e;
        if (callbacks.training.onEpoch)
            callbacks.training.onEpoch(report);
    };
    result.outcome = trainer->run(control, training);
    if (trainer->epochsCompleted() == 0 || result.outcome.status == TrainStatus::Diverged
        || result.outcome.bestEpoch > 0) {
        // Nothing or something better than the epoch's end was kept: save what we have.
        if (QString e = writeRunFiles(options.runDir, *trainer, data, options.load); !e.isEmpty())
            writeError = e;
    }
    result.summary = summaryJson(options, data, loaded.report, *trainer, result.outcome);
    if (QString e = writeJsonFile(dir.filePath(runfiles::kSummary), result.summary); !e.isEmpty())
        writeError = e;
    result.ok = writeError.isEmpty();
    result.error = writeError;
    return result;
}

} // namespace aes
