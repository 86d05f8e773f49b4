#include "training/trainoptions.h"

#include "model/device.h"
#include "util/enumnames.h"
#include "util/jsonfields.h"

namespace aes {

namespace {
const std::pair<LossKind, const char *> kLosses[] = {
    {LossKind::Mse, "mse"}, {LossKind::Bce, "bce"}, {LossKind::L1, "l1"},
};
const std::pair<OptimizerKind, const char *> kOptimizers[] = {
    {OptimizerKind::Adam, "adam"}, {OptimizerKind::AdamW, "adamw"}, {OptimizerKind::Sgd, "sgd"},
};
const std::pair<ScheduleKind, const char *> kSchedules[] = {
    {ScheduleKind::Constant, "constant"}, {ScheduleKind::Cosine, "cosine"},
    {ScheduleKind::OneCycle, "onecycle"}, {ScheduleKind::Plateau, "plateau"},
};
} // namespace

QString toString(LossKind loss) { return detail::enumName(kLosses, loss); }
QString toString(OptimizerKind optimizer) { return detail::enumName(kOptimizers, optimizer); }
std::optional<LossKind> lossKindFromString(const QString &name) { return detail::enumFromName(kLosses, name); }
std::optional<OptimizerKind> optimizerKindFromString(const QString &name) { return detail::enumFromName(kOptimizers, name); }
QStringList lossKindNames() { return detail::enumNames(kLosses); }
QStringList optimizerKindNames() { return detail::enumNames(kOptimizers); }
QString toString(ScheduleKind schedule) { return detail::enumName(kSchedules, schedule); }
std::optional<ScheduleKind> scheduleKindFromString(const QString &name) { return detail::enumFromName(kSchedules, name); }
QStringList scheduleKindNames() { return detail::enumNames(kSchedules); }

QString TrainOptions::validate() const
{
    if (!(learningRate > 0.0) || learningRate > 1.0e6)
        return QStringLiteral("learning rate must be positive");
    if (batchSize < 1 || batchSize > 1 << 20)
        return QStringLiteral("batch size must be at least 1");
    if (epochs < 0 || epochs > 1000000)
        return QStringLiteral("epochs must be between 0 and 1000000");
    if (weightDecay < 0.0 || momentum < 0.0 || momentum >= 1.0)
        return QStringLiteral("weight decay must be >= 0 and momentum in [0, 1)");
    if (!(valFraction >= 0.0 && valFraction < 1.0))
        return QStringLiteral("validation fraction must be in [0, 1)");
    if (threads < 0 || threads > 1024)
        return QStringLiteral("threads must be between 0 (all cores) and 1024");
    if (!isDeviceSpec(device))
        return QStringLiteral("device must be auto, cpu, cuda or cuda:N, not \"%1\"").arg(device);
    if (patience < 1 || patience > 1000)
        return QStringLiteral("patience must be between 1 and 1000 epochs");
    if (!(minDelta >= 0.0 && minDelta < 1.0))
        return QStringLiteral("the minimal improvement must be in [0, 1)");
    return {};
}

namespace {
// Every field once, for reading (JsonReader) and writing (JsonWriter).
template <typename Io, typename Options>
void describe(Io &io, Options &o)
{
    io.enumField(QStringLiteral("loss"), &o.loss, lossKindFromString);
    io.enumField(QStringLiteral("optimizer"), &o.optimizer, optimizerKindFromString);
    io.doubleField(QStringLiteral("lr"), &o.learningRate);
    io.intField(QStringLiteral("batch"), &o.batchSize);
    io.intField(QStringLiteral("epochs"), &o.epochs);
    io.doubleField(QStringLiteral("weight_decay"), &o.weightDecay);
    io.doubleField(QStringLiteral("momentum"), &o.momentum);
    io.uint64Field(QStringLiteral("seed"), &o.seed);
    io.doubleField(QStringLiteral("val_split"), &o.valFraction);
    io.intField(QStringLiteral("threads"), &o.threads);
    io.stringField(QStringLiteral("device"), &o.device);
    io.boolField(QStringLiteral("knn"), &o.knn);
    io.enumField(QStringLiteral("schedule"), &o.schedule, scheduleKindFromString);
    io.boolField(QStringLiteral("augment"), &o.augment);
    io.boolField(QStringLiteral("early_stopping"), &o.earlyStopping);
    io.intField(QStringLiteral("patience"), &o.patience);
    io.doubleField(QStringLiteral("min_delta"), &o.minDelta);
}

template <typename Io, typename Report>
void describeEpoch(Io &io, Report &e)
{
    io.intField(QStringLiteral("epoch"), &e.epoch);
    io.numberOrNullField(QStringLiteral("train_loss"), &e.trainLoss);
    io.numberOrNullField(QStringLiteral("val_loss"), &e.valLoss);
    io.numberOrNullField(QStringLiteral("val_mse"), &e.valMse);
    io.numberOrNullField(QStringLiteral("val_psnr"), &e.valPsnr);
    io.numberOrNullField(QStringLiteral("val_ssim"), &e.valSsim);
    io.numberOrNullField(QStringLiteral("knn_accuracy"), &e.knnAccuracy);
    io.doubleField(QStringLiteral("seconds"), &e.seconds);
    io.doubleField(QStringLiteral("images_per_second"), &e.imagesPerSecond);
}
} // namespace

QJsonObject TrainOptions::toJson() const
{
    return writeFields(*this, [](auto &io, auto &o) { describe(io, o); });
}

std::optional<TrainOptions> TrainOptions::fromJson(const QJsonObject &json, QString *error)
{
    return readFields<TrainOptions>(
        json, [](auto &io, auto &o) { describe(io, o); }, [](const TrainOptions &o) { return o.validate(); },
        QStringLiteral("training options"), error);
}

QJsonObject toJson(const EpochReport &report)
{
    return writeFields(report, [](auto &io, auto &e) { describeEpoch(io, e); });
}

std::optional<EpochReport> epochReportFromJson(const QJsonObject &json, QString *error)
{
    return readFields<EpochReport>(
        json, [](auto &io, auto &e) { describeEpoch(io, e); }, [](const EpochReport &) { return QString(); },
        QStringLiteral("epoch report"), error);
}

} // namespace aes
