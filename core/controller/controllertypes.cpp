#include "controller/controllertypes.h"

#include "data/loadoptions.h"

#include <QPointF>

#include <algorithm>

namespace aes {

QString LatentSnapshot::classNameAt(qint64 row) const
{
    return classNameOf(classNames, row >= 0 && row < labels.size() ? labels.at(int(row)) : -1);
}

qint64 LatentSnapshot::rowOf(qint64 point) const
{
    if (point < 0 || point >= x.size())
        return -1;
    return sampled() ? sampleRows.value(point, -1) : point;
}

qint64 LatentSnapshot::pointOf(qint64 row) const
{
    if (!sampled())
        return row >= 0 && row < x.size() ? row : -1;
    const auto it = std::lower_bound(sampleRows.cbegin(), sampleRows.cend(), row);
    return it != sampleRows.cend() && *it == row ? qint64(it - sampleRows.cbegin()) : -1;
}

void registerControllerTypes()
{
    qRegisterMetaType<DatasetSummary>();
    qRegisterMetaType<ReconstructionSnapshot>();
    qRegisterMetaType<RunInfo>();
    qRegisterMetaType<LatentSnapshot>();
    qRegisterMetaType<PointDetails>();
    qRegisterMetaType<Interpolation>();
    qRegisterMetaType<ImageSet>();
    qRegisterMetaType<TraversalGrid>();
    qRegisterMetaType<StepReport>();
    qRegisterMetaType<EpochReport>();
    qRegisterMetaType<TrainOutcome>();
    qRegisterMetaType<OpenedModel>();
    qRegisterMetaType<ModelOptions>();
    qRegisterMetaType<TrainOptions>();
    qRegisterMetaType<QVector<QPointF>>();
}

} // namespace aes
