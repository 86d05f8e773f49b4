#include "controller/controllertypes.h"

#include "data/loadoptions.h"

#include <QPointF>

namespace aes {

QString LatentSnapshot::classNameAt(qint64 row) const
{
    return classNameOf(classNames, row >= 0 && row < labels.size() ? labels.at(int(row)) : -1);
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
