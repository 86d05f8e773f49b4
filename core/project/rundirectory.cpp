#include "project/rundirectory.h"

#include "model/autoencoder.h"
#include "model/devicetensors.h"
#include "project/runfiles.h"
#include "training/trainer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

namespace aes {

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


// A run killed while saving (SIGKILL, power loss) can leave the temporary file of a QSaveFile
// ("checkpoint.pt.AbC123") beside the intact previous file. Removed when the run directory is
// used again, so that repeated kills do not fill it up. Only our own files' temporaries match.
void removeStaleTemporaryFiles(const QDir &dir)
{
    static const QRegularExpression temporary(QStringLiteral("^(%1|%2|%3|%4|%5)\\.[A-Za-z0-9]{6}$")
        .arg(QRegularExpression::escape(runfiles::kCheckpoint), QRegularExpression::escape(runfiles::kHistory),
             QRegularExpression::escape(runfiles::kSummary), QRegularExpression::escape(runfiles::kLoadReport),
             QRegularExpression::escape(runfiles::kAnomaly)));
    for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden)) {
        if (temporary.match(name).hasMatch())
            QFile::remove(dir.filePath(name));
    }
}

std::optional<TrainOptions> trainOptionsOf(const LoadedCheckpoint &checkpoint, QString *error)
{
    error->clear();
    const QJsonObject trainer = checkpoint.meta.value(QStringLiteral("trainer")).toObject();
    if (trainer.isEmpty())
        return std::nullopt;
    std::optional<TrainOptions> options = TrainOptions::fromJson(trainer.value(QStringLiteral("training")).toObject(), error);
    // Where it trained is a record, not a requirement: a checkpoint continues on any device.
    if (options)
        options->device = QStringLiteral("auto");
    return options;
}

std::optional<LoadOptions> loadOptionsOf(const LoadedCheckpoint &checkpoint, QString *error)
{
    return LoadOptions::fromJson(checkpoint.meta.value(QStringLiteral("load")).toObject(), error,
                                 QStringLiteral("load."));
}

QString prepareNewRunDirectory(const QString &dirPath, bool overwrite)
{
    QDir dir(dirPath);
    if (!dir.exists())
        return {};
    const QStringList entries = dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    if (entries.isEmpty())
        return {};
    // anomaly.json goes with the run it was chosen for: replaced runs lose it.
    const QStringList runFiles{runfiles::kCheckpoint, runfiles::kHistory, runfiles::kSummary, runfiles::kLoadReport,
                               runfiles::kAnomaly};
    bool holdsRun = false;
    for (const QString &name : runFiles)
        holdsRun = holdsRun || entries.contains(name);
    if (!holdsRun)
        return QStringLiteral("%1 is not empty and holds no run: give a new or empty folder").arg(dirPath);
    if (!overwrite)
        return QStringLiteral("%1 holds a run already: continue it with --resume %1, or replace it with --overwrite")
            .arg(dirPath);
    for (const QString &name : runFiles)
        if (dir.exists(name) && !dir.remove(name))
            return QStringLiteral("cannot replace the run in %1: %2 cannot be removed").arg(dirPath, name);
    return {};
}

QString checkpointPathOf(const QString &runDirOrFile)
{
    return QFileInfo(runDirOrFile).isDir() ? QDir(runDirOrFile).filePath(runfiles::kCheckpoint) : runDirOrFile;
}

QString runDirectoryOf(const QString &runDirOrFile)
{
    const QFileInfo info(runDirOrFile);
    return info.isDir() ? runDirOrFile : info.absolutePath();
}

QJsonObject runCheckpointMeta(const Trainer &trainer, const Dataset &data, const LoadOptions &load)
{
    return QJsonObject{
        {QStringLiteral("epoch"), trainer.epochsCompleted()},
        {QStringLiteral("step"), double(trainer.globalStep())},
        {QStringLiteral("load"), load.toJson()},
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

QStringList trainedClassesOf(const LoadedCheckpoint &checkpoint)
{
    QStringList classes;
    const QJsonArray names = checkpoint.meta.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("classes")).toArray();
    for (const QJsonValue &name : names)
        classes << name.toString();
    return classes;
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
    QString problem;
    std::optional<LoadOptions> stored = loadOptionsOf(checkpoint, &problem);
    if (!stored) {
        LoadResult damaged;
        damaged.error = QStringLiteral("the checkpoint's load options are damaged: %1").arg(problem);
        return damaged;
    }
    LoadOptions load = *stored;
    load.channels = checkpoint.options.channels;
    load.width = checkpoint.options.width;
    load.height = checkpoint.options.height;
    LoadControl loadControl(onLoadProgress);
    LoadResult loaded = loadDataset(source, load, &loadControl);
    if (!loaded.ok() && data.isEmpty())
        loaded.error = QStringLiteral("cannot load the run's dataset %1: %2").arg(source, loaded.error);
    if (loaded.ok() && data.isEmpty()) {
        QString error;
        loaded.dataset = selectClasses(*loaded.dataset, trainedClassesOf(checkpoint), &error);
        if (!loaded.dataset)
            loaded.error = QStringLiteral("the run's dataset %1 changed: %2").arg(source, error);
    }
    return loaded;
}

RunDataResult loadRunData(const QString &runDir, const QString &data, const LoadControl::ProgressFn &onLoadProgress,
                          const QString &device)
{
    RunDataResult result;
    const std::optional<c10::Device> target = resolveDevice(device, &result.error);
    if (!target)
        return result;
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
    checkpoint->model->to(*target);
    result.run = RunData{std::move(*checkpoint), std::move(*loaded.dataset)};
    return result;
}

} // namespace aes
