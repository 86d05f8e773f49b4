#include "project/runlist.h"

#include "model/checkpoint.h"
#include "project/rundirectory.h"
#include "project/runfiles.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>

namespace aes {

namespace {

bool isRunDirectory(const QDir &dir)
{
    return dir.exists(runfiles::kCheckpoint);
}

RunEntry readRun(const QString &path)
{
    RunEntry run;
    run.dir = QFileInfo(path).absoluteFilePath();
    const QString checkpointPath = QDir(path).filePath(runfiles::kCheckpoint);
    run.modified = QFileInfo(checkpointPath).lastModified();
    QString error;
    // Options and metadata only: no model is built, so listing draws no random numbers from
    // the generator a training on another thread uses.
    const std::optional<CheckpointInfo> info = readCheckpointInfo(checkpointPath, &error);
    if (!info) {
        run.problem = error;
        return run;
    }
    const LoadedCheckpoint checkpoint{nullptr, info->options, info->meta};  // trainOptionsOf reads the meta
    run.model = checkpoint.options;
    if (const std::optional<TrainOptions> train = trainOptionsOf(checkpoint, &error))
        run.train = *train;
    else if (!error.isEmpty())
        run.problem = error;
    const QJsonObject trainer = checkpoint.meta.value(QStringLiteral("trainer")).toObject();
    for (const QJsonValue &v : trainer.value(QStringLiteral("history")).toArray()) {
        const std::optional<EpochReport> e = epochReportFromJson(v.toObject(), &error);
        if (!e) {
            run.problem = QStringLiteral("%1: %2").arg(checkpointPath, error);
            break;
        }
        run.history.append(*e);
    }
    run.steps = qint64(trainer.value(QStringLiteral("global_step")).toDouble());
    run.trainSeconds = trainer.value(QStringLiteral("train_seconds")).toDouble();
    // kept_epoch is written only when early stopping kept an earlier epoch's weights.
    const int lastEpoch = run.history.isEmpty() ? 0 : run.history.last().epoch;
    const int kept = trainer.value(QStringLiteral("kept_epoch")).toInt();
    run.keptEpoch = kept > 0 && kept <= lastEpoch ? kept : lastEpoch;
    run.dataset = checkpoint.meta.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("source")).toString();
    // summary.json is the CLI's account of how the run ended; a GUI run has none.
    const QString summaryPath = QDir(path).filePath(runfiles::kSummary);
    if (QFileInfo::exists(summaryPath))
        run.status = readJsonFile(summaryPath, nullptr).value(QStringLiteral("status")).toString();
    return run;
}

} // namespace

EpochReport RunEntry::kept() const
{
    for (const EpochReport &e : history)
        if (e.epoch == keptEpoch)
            return e;
    return history.isEmpty() ? EpochReport{} : history.last();
}

QJsonObject RunEntry::toJson() const
{
    QJsonObject json{
        {QStringLiteral("dir"), dir},
        {QStringLiteral("modified"), modified.toString(Qt::ISODate)},
    };
    if (!ok()) {
        json.insert(QStringLiteral("problem"), problem);
        return json;
    }
    json.insert(QStringLiteral("model"), model.toJson());
    json.insert(QStringLiteral("training"), train.toJson());
    json.insert(QStringLiteral("dataset"), dataset);
    json.insert(QStringLiteral("status"), status);
    json.insert(QStringLiteral("epochs"), history.size());
    json.insert(QStringLiteral("kept_epoch"), keptEpoch);
    json.insert(QStringLiteral("steps"), double(steps));
    json.insert(QStringLiteral("train_seconds"), trainSeconds);
    // The figures of the weights kept (early stopping's best epoch, else the last).
    json.insert(QStringLiteral("final"), aes::toJson(kept()));
    return json;
}

QVector<RunEntry> listRuns(const QString &path)
{
    const QDir dir(path);
    QVector<RunEntry> runs;
    if (isRunDirectory(dir)) {
        runs.append(readRun(path));
        return runs;
    }
    for (const QFileInfo &sub : dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (isRunDirectory(QDir(sub.filePath())))
            runs.append(readRun(sub.filePath()));
    std::stable_sort(runs.begin(), runs.end(), [](const RunEntry &a, const RunEntry &b) { return a.modified > b.modified; });
    return runs;
}

} // namespace aes
