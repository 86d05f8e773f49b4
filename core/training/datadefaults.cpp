#include "training/datadefaults.h"

#include <QStringList>

#include <algorithm>

namespace aes {

namespace {

// The rule's constants; docs/PERFORMANCE.md "Defaults across data" has the runs behind them.
constexpr qint64 kValuesForLatent32 = 1024;    // 32x32 gray; Fashion-MNIST (784) keeps 16
constexpr qint64 kValuesForLatent64 = 4096;    // 64x64 gray, 36x36 RGB
constexpr int kLargestFeatureSide = 16;         // add stages until the feature map is this small
constexpr int kMinStages = 2, kMaxStages = 4;
constexpr qint64 kSmallDataset = 10000;         // training images below which batches are 16
constexpr qint64 kImagesToShow = 20000;         // epochs x training images, at least
constexpr int kMinEpochs = 10, kMaxEpochs = 30;

bool usesConvWidths(ModelKind kind)
{
    return kind != ModelKind::Dense && kind != ModelKind::KerasConv;
}

QString joined(const QVector<int> &values)
{
    QStringList parts;
    for (int v : values)
        parts << QString::number(v);
    return parts.join(QLatin1Char(','));
}

} // namespace

QJsonObject toJson(const AutoOptions &o)
{
    return {{QStringLiteral("latent"), o.latent},
            {QStringLiteral("widths"), o.widths},
            {QStringLiteral("batch_size"), o.batchSize},
            {QStringLiteral("epochs"), o.epochs},
            {QStringLiteral("schedule"), o.schedule}};
}

AutoOptions autoOptionsFromJson(const QJsonObject &json)
{
    AutoOptions o;
    o.latent = json.value(QStringLiteral("latent")).toBool(true);
    o.widths = json.value(QStringLiteral("widths")).toBool(true);
    o.batchSize = json.value(QStringLiteral("batch_size")).toBool(true);
    o.epochs = json.value(QStringLiteral("epochs")).toBool(true);
    o.schedule = json.value(QStringLiteral("schedule")).toBool(true);
    return o;
}

DataDefaults dataDefaults(const DataShape &shape, bool earlyStopping)
{
    DataDefaults d;
    const qint64 values = qint64(std::max(1, shape.channels)) * std::max(1, shape.height) * std::max(1, shape.width);
    d.latent = values <= kValuesForLatent32 ? 16 : values <= kValuesForLatent64 ? 32 : 64;

    const int side = std::max(shape.height, shape.width);
    int stages = kMinStages;
    // The feature map's side: the input is padded up to a multiple of 2^stages.
    while (stages < kMaxStages && ((side + (1 << stages) - 1) >> stages) > kLargestFeatureSide)
        ++stages;
    for (int i = 0; i < stages; ++i)
        d.convWidths << (8 << i);

    const qint64 images = std::max<qint64>(1, shape.trainImages);
    d.batchSize = images < kSmallDataset ? 16 : 32;
    d.epochs = int(std::clamp<qint64>((kImagesToShow + images - 1) / images, kMinEpochs, kMaxEpochs));
    d.schedule = earlyStopping ? ScheduleKind::Plateau : ScheduleKind::Cosine;
    return d;
}

QString applyDataDefaults(const DataShape &shape, const AutoOptions &which, ModelOptions *model,
                          TrainOptions *train)
{
    const DataDefaults d = dataDefaults(shape, train->earlyStopping);
    QStringList chosen;
    if (which.latent) {
        model->latent = d.latent;
        chosen << QStringLiteral("latent %1").arg(d.latent);
    }
    if (which.widths && usesConvWidths(model->kind)) {
        model->widths = d.convWidths;
        chosen << QStringLiteral("widths %1").arg(joined(d.convWidths));
    }
    if (which.batchSize) {
        train->batchSize = d.batchSize;
        chosen << QStringLiteral("batch %1").arg(d.batchSize);
    }
    if (which.epochs && !train->earlyStopping) {
        train->epochs = d.epochs;
        chosen << QStringLiteral("%1 epochs").arg(d.epochs);
    }
    if (which.schedule) {
        train->schedule = d.schedule;
        chosen << QStringLiteral("%1 schedule").arg(toString(d.schedule));
    }
    if (chosen.isEmpty())
        return {};
    return QStringLiteral("for %1x%2x%3, %4 training images: %5")
        .arg(shape.width).arg(shape.height).arg(shape.channels).arg(shape.trainImages)
        .arg(chosen.join(QStringLiteral(", ")));
}

} // namespace aes
