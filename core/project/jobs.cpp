#include "project/jobs.h"

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "training/memoryestimate.h"
#include "project/runfiles.h"
#include "training/trainingcontrol.h"

#include <torch/torch.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace aes {

QJsonObject toJson(const LoadOptions &o)
{
    return QJsonObject{
        {QStringLiteral("channels"), o.channels},
        {QStringLiteral("width"), o.width},
        {QStringLiteral("height"), o.height},
        {QStringLiteral("resize"), o.resize == ResizeMode::Letterbox ? QStringLiteral("letterbox")
                                                                      : QStringLiteral("crop")},
    };
}

LoadOptions loadOptionsFromJson(const QJsonObject &json)
{
    LoadOptions o;
    o.channels = json.value(QStringLiteral("channels")).toInt(0);
    o.width = json.value(QStringLiteral("width")).toInt(0);
    o.height = json.value(QStringLiteral("height")).toInt(0);
    o.resize = json.value(QStringLiteral("resize")).toString() == QLatin1String("letterbox")
        ? ResizeMode::Letterbox : ResizeMode::CenterCrop;
    return o;
}

std::optional<TrainOptions> trainOptionsOf(const LoadedCheckpoint &checkpoint, QString *error)
{
    error->clear();
    const QJsonObject trainer = checkpoint.meta.value(QStringLiteral("trainer")).toObject();
    if (trainer.isEmpty())
        return std::nullopt;
    return TrainOptions::fromJson(trainer.value(QStringLiteral("training")).toObject(), error);
}

QString checkpointPathOf(const QString &runDirOrFile)
{
    return QFileInfo(runDirOrFile).isDir() ? QDir(runDirOrFile).filePath(runfiles::kCheckpoint) : runDirOrFile;
}

namespace {

// A run killed while saving (SIGKILL, power loss) can leave the temporary file of a QSaveFile
// ("checkpoint.pt.AbC123") beside the intact previous file. Removed when the run directory is
// used again, so that repeated kills do not fill it up. Only our own files' temporaries match.
void removeStaleTemporaryFiles(const QDir &dir)
{
    static const QRegularExpression temporary(QStringLiteral("^(%1|%2|%3|%4)\\.[A-Za-z0-9]{6}$")
        .arg(QRegularExpression::escape(runfiles::kCheckpoint), QRegularExpression::escape(runfiles::kHistory),
             QRegularExpression::escape(runfiles::kSummary), QRegularExpression::escape(runfiles::kLoadReport)));
    for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden)) {
        if (temporary.match(name).hasMatch())
            QFile::remove(dir.filePath(name));
    }
}

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
    out->load = loadOptionsFromJson(meta.value(QStringLiteral("load")).toObject());
    out->model = checkpoint->options;
    out->train = *train;
    out->train.threads = requested.train.threads;
    if (requested.resumeEpochs > 0)
        out->train.epochs = requested.resumeEpochs;
    if (out->runDir.isEmpty())
        out->runDir = QFileInfo(requested.resume).isDir() ? requested.resume : QFileInfo(path).absolutePath();
    return {};
}

QJsonObject datasetJson(const Dataset &d)
{
    return QJsonObject{
        {QStringLiteral("source"), d.source},
        {QStringLiteral("images"), double(d.size())},
        {QStringLiteral("channels"), d.channels()},
        {QStringLiteral("height"), d.height()},
        {QStringLiteral("width"), d.width()},
        {QStringLiteral("classes"), QJsonArray::fromStringList(d.classNames)},
    };
}

QJsonObject summaryJson(const TrainJobOptions &options, const Dataset &data, const LoadReport &report,
                        const Trainer &trainer, const TrainOutcome &outcome)
{
    const QVector<EpochReport> &h = trainer.history();
    const EpochReport last = h.isEmpty() ? EpochReport{} : h.last();
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
        {QStringLiteral("load"), toJson(options.load)},
        {QStringLiteral("dataset"), datasetJson(data)},
        {QStringLiteral("parameters"), double(trainer.model()->parameterCount())},
        {QStringLiteral("threads"), at::get_num_threads()},
    };
}

} // namespace

QJsonObject runCheckpointMeta(const Trainer &trainer, const Dataset &data, const LoadOptions &load)
{
    return QJsonObject{
        {QStringLiteral("epoch"), trainer.epochsCompleted()},
        {QStringLiteral("step"), double(trainer.globalStep())},
        {QStringLiteral("load"), toJson(load)},
        {QStringLiteral("dataset"), datasetJson(data)},
    };
}

QString writeRunFiles(const QString &runDir, Trainer &trainer, const Dataset &data, const LoadOptions &load)
{
    const QDir dir(runDir);
    if (!QDir().mkpath(runDir))
        return QStringLiteral("cannot create the run directory %1").arg(runDir);
    QString error = trainer.saveCheckpoint(dir.filePath(runfiles::kCheckpoint), runCheckpointMeta(trainer, data, load));
    if (QString e = writeHistoryCsv(dir.filePath(runfiles::kHistory), trainer.history()); error.isEmpty())
        error = e;
    return error;
}

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
    const QDir dir(options.runDir);
    if (!QDir().mkpath(options.runDir)) {
        result.error = QStringLiteral("cannot create the run directory %1").arg(options.runDir);
        return result;
    }
    removeStaleTemporaryFiles(dir);
    LoadControl loadControl(callbacks.onLoadProgress);
    const LoadResult loaded = loadDataset(options.data, options.load, &loadControl);
    if (QString e = writeLoadReport(dir.filePath(runfiles::kLoadReport), loaded.report); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    if (!loaded.ok()) {
        result.error = loaded.error;
        return result;
    }
    const Dataset &data = *loaded.dataset;
    if (callbacks.onLoaded)
        callbacks.onLoaded(data, loaded.report);

    // Refused now rather than killed by the kernel half-way through an epoch.
    if (QString e = checkTrainingMemory(data, options.model, options.train); !e.isEmpty()) {
        result.error = e;
        return result;
    }
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
    if (trainer->epochsCompleted() == 0 || result.outcome.status == TrainStatus::Diverged) {
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

LoadResult loadDatasetFor(const LoadedCheckpoint &checkpoint, const QString &data,
                          const LoadControl::ProgressFn &onLoadProgress)
{
    QString source = data;
    if (source.isEmpty()) {
        source = checkpoint.meta.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("source")).toString();
        if (source.isEmpty()) {
            LoadResult missing;
            missing.error = QStringLiteral("the checkpoint does not name the dataset it was trained on: give the data explicitly");
            return missing;
        }
    }
    // The images must look as they did in training: same size, channels and resize mode.
    LoadOptions load = loadOptionsFromJson(checkpoint.meta.value(QStringLiteral("load")).toObject());
    load.channels = checkpoint.options.channels;
    load.width = checkpoint.options.width;
    load.height = checkpoint.options.height;
    LoadControl loadControl(onLoadProgress);
    LoadResult loaded = loadDataset(source, load, &loadControl);
    if (!loaded.ok() && data.isEmpty())
        loaded.error = QStringLiteral("cannot load the run's dataset %1: %2").arg(source, loaded.error);
    return loaded;
}

RunDataResult loadRunData(const QString &runDir, const QString &data, const LoadControl::ProgressFn &onLoadProgress)
{
    RunDataResult result;
    std::optional<LoadedCheckpoint> checkpoint = loadCheckpoint(checkpointPathOf(runDir), &result.error);
    if (!checkpoint)
        return result;
    LoadResult loaded = loadDatasetFor(*checkpoint, data, onLoadProgress);
    result.report = loaded.report;
    if (!loaded.ok()) {
        result.error = loaded.error;
        return result;
    }
    checkpoint->model->eval();
    result.run = RunData{std::move(*checkpoint), std::move(*loaded.dataset)};
    return result;
}

EncodeJobResult runEncodeJob(const QString &runDir, const QString &data, const QString &outTsv,
                             const LoadControl::ProgressFn &onLoadProgress)
{
    EncodeJobResult result;
    RunDataResult loaded = loadRunData(runDir, data, onLoadProgress);
    result.report = loaded.report;
    if (!loaded.run) {
        result.error = loaded.error;
        return result;
    }
    const LoadedCheckpoint &checkpoint = loaded.run->checkpoint;
    const Dataset &d = loaded.run->dataset;
    const torch::Tensor codes = encodeImages(*checkpoint.model, d);
    const auto c = codes.accessor<float, 2>();

    QSaveFile file(outTsv);
    if (!file.open(QIODevice::WriteOnly)) {
        result.error = QStringLiteral("cannot write %1: %2").arg(outTsv, file.errorString());
        return result;
    }
    QByteArray header = "path\tlabel";
    for (int i = 0; i < checkpoint.options.latent; ++i)
        header += "\tz" + QByteArray::number(i);
    file.write(header + '\n');
    const qint64 n = d.size();
    const auto labels = d.labels.accessor<int64_t, 1>();
    for (qint64 start = 0; start < n; start += 512) {
        const qint64 end = std::min(n, start + 512);
        QByteArray chunk;
        for (qint64 i = start; i < end; ++i) {
            const qint64 label = labels[i];
            chunk += d.paths[int(i)].toUtf8() + '\t';
            if (label >= 0)
                chunk += (label < d.classNames.size() ? d.classNames[int(label)] : QString::number(label)).toUtf8();
            for (int64_t j = 0; j < codes.size(1); ++j)
                chunk += '\t' + QByteArray::number(double(c[i][j]), 'g', 8);
            chunk += '\n';
        }
        if (file.write(chunk) != chunk.size()) {
            result.error = QStringLiteral("cannot write %1: %2").arg(outTsv, file.errorString());
            file.cancelWriting();
            return result;
        }
    }
    if (QString e = commitSaveFile(file); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    result.rows = n;
    result.ok = true;
    return result;
}

namespace {

// Rows of numbers, one vector per line, separated by tabs or spaces; blank lines skipped.
// std::from_chars: fast, and independent of the locale Qt sets for the process.
std::optional<torch::Tensor> readVectorsTsv(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    const char *p = bytes.constData(), *const end = p + bytes.size();
    std::vector<float> values;
    int64_t rows = 0, dims = -1, line = 0;
    while (p < end) {
        const char *eol = std::find(p, end, '\n');
        ++line;
        int64_t count = 0;
        for (const char *q = p; q < eol;) {
            if (*q == '\t' || *q == ' ' || *q == '\r') {
                ++q;
                continue;
            }
            float v = 0.0f;
            const std::from_chars_result r = std::from_chars(q, eol, v);
            const char *stop = r.ptr;
            if (r.ec != std::errc() || (stop < eol && *stop != '\t' && *stop != ' ' && *stop != '\r')) {
                const char *tokenEnd = std::find_if(q, eol, [](char c) { return c == '\t' || c == ' ' || c == '\r'; });
                *error = QStringLiteral("%1 line %2: \"%3\" is not a number (expected one vector per row, no header)")
                             .arg(path).arg(line).arg(QString::fromUtf8(q, int(std::min<int64_t>(tokenEnd - q, 40))));
                return std::nullopt;
            }
            values.push_back(v);
            ++count;
            q = stop;
        }
        p = eol + 1;
        if (count == 0)
            continue;
        if (dims >= 0 && count != dims) {
            *error = QStringLiteral("%1 line %2 has %3 values, the rows before it %4").arg(path).arg(line).arg(count).arg(dims);
            return std::nullopt;
        }
        dims = count;
        ++rows;
    }
    if (rows == 0) {
        *error = QStringLiteral("%1 holds no vectors").arg(path);
        return std::nullopt;
    }
    return torch::from_blob(values.data(), {rows, dims}, torch::kFloat32).clone();
}

} // namespace

ProjectJobResult runProjectJob(const ProjectJobOptions &options, TsneControl *control,
                               const LoadControl::ProgressFn &onLoadProgress)
{
    ProjectJobResult result;
    const QFileInfo info(options.input);
    result.fromRun = info.isDir() || info.suffix() == QLatin1String("pt");
    torch::Tensor codes;
    std::optional<RunData> run;
    if (result.fromRun) {
        RunDataResult loaded = loadRunData(options.input, {}, onLoadProgress);
        result.report = loaded.report;
        if (!loaded.run) {
            result.error = loaded.error;
            return result;
        }
        run = std::move(loaded.run);
        codes = encodeImages(*run->checkpoint.model, run->dataset);
    } else {
        std::optional<torch::Tensor> vectors = readVectorsTsv(options.input, &result.error);
        if (!vectors)
            return result;
        codes = *vectors;
    }
    result.rows = codes.size(0);
    result.dims = int(codes.size(1));

    QElapsedTimer clock;
    clock.start();
    const ProjectionResult projected = project(codes, options.projection, control);
    result.projectSeconds = clock.elapsed() / 1000.0;
    if (!projected.ok()) {
        result.cancelled = projected.cancelled;
        result.error = projected.error;
        return result;
    }
    const torch::Tensor layout = projected.projection->layout.contiguous();
    const auto xy = layout.accessor<float, 2>();

    QSaveFile file(options.outTsv);
    if (!file.open(QIODevice::WriteOnly)) {
        result.error = QStringLiteral("cannot write %1: %2").arg(options.outTsv, file.errorString());
        return result;
    }
    QByteArray text;
    const torch::Tensor labels = run ? run->dataset.labels.to(torch::kLong).contiguous() : torch::Tensor();
    for (int64_t i = 0; i < layout.size(0); ++i) {
        if (run) {
            const Dataset &d = run->dataset;
            const int64_t label = labels.data_ptr<int64_t>()[i];
            text += d.paths[int(i)].toUtf8() + '\t';
            if (label >= 0)
                text += (label < d.classNames.size() ? d.classNames[int(label)] : QString::number(label)).toUtf8();
            text += '\t';
        }
        text += QByteArray::number(double(xy[i][0]), 'g', 7) + '\t' + QByteArray::number(double(xy[i][1]), 'g', 7) + '\n';
    }
    file.write(text);
    if (QString e = commitSaveFile(file); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace aes
