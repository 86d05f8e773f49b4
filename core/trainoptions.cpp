#include "trainoptions.h"

#include "enumnames.h"
#include "jsonfields.h"

namespace aes {

namespace {
const std::pair<LossKind, const char *> kLosses[] = {
    {LossKind::Mse, "mse"}, {LossKind::Bce, "bce"}, {LossKind::L1, "l1"},
};
const std::pair<OptimizerKind, const char *> kOptimizers[] = {
    {OptimizerKind::Adam, "adam"}, {OptimizerKind::AdamW, "adamw"}, {OptimizerKind::Sgd, "sgd"},
};
} // namespace

QString toString(LossKind loss) { return detail::enumName(kLosses, loss); }
QString toString(OptimizerKind optimizer) { return detail::enumName(kOptimizers, optimizer); }
std::optional<LossKind> lossKindFromString(const QString &name) { return detail::enumFromName(kLosses, name); }
std::optional<OptimizerKind> optimizerKindFromString(const QString &name) { return detail::enumFromName(kOptimizers, name); }
QStringList lossKindNames() { return detail::enumNames(kLosses); }
QStringList optimizerKindNames() { return detail::enumNames(kOptimizers); }

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
    return {};
}

QJsonObject TrainOptions::toJson() const
{
    return QJsonObject{
        {QStringLiteral("loss"), toString(loss)},
        {QStringLiteral("optimizer"), toString(optimizer)},
        {QStringLiteral("lr"), learningRate},
        {QStringLiteral("batch"), batchSize},
        {QStringLiteral("epochs"), epochs},
        {QStringLiteral("weight_decay"), weightDecay},
        {QStringLiteral("momentum"), momentum},
        {QStringLiteral("seed"), double(seed)},
        {QStringLiteral("val_split"), valFraction},
        {QStringLiteral("threads"), threads},
        {QStringLiteral("knn"), knn},
    };
}

std::optional<TrainOptions> TrainOptions::fromJson(const QJsonObject &json, QString *error)
{
    TrainOptions o;
    JsonReader r(json);
    r.enumField(QStringLiteral("loss"), &o.loss, lossKindFromString);
    r.enumField(QStringLiteral("optimizer"), &o.optimizer, optimizerKindFromString);
    r.doubleField(QStringLiteral("lr"), &o.learningRate);
    r.intField(QStringLiteral("batch"), &o.batchSize);
    r.intField(QStringLiteral("epochs"), &o.epochs);
    r.doubleField(QStringLiteral("weight_decay"), &o.weightDecay);
    r.doubleField(QStringLiteral("momentum"), &o.momentum);
    qint64 seed = qint64(o.seed);
    r.int64Field(QStringLiteral("seed"), &seed);
    o.seed = quint64(seed);
    r.doubleField(QStringLiteral("val_split"), &o.valFraction);
    r.intField(QStringLiteral("threads"), &o.threads);
    r.boolField(QStringLiteral("knn"), &o.knn);
    QString problem = r.error();
    if (problem.isEmpty())
        problem = o.validate();
    if (!problem.isEmpty()) {
        if (error)
            *error = QStringLiteral("training options: %1").arg(problem);
        return std::nullopt;
    }
    return o;
}

} // namespace aes
