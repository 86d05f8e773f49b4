#include "training/lrschedule.h"

#include <algorithm>
#include <cmath>

namespace aes {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kWarmupFraction = 0.05;
constexpr double kOneCycleRise = 0.3;
constexpr double kOneCycleStartDivisor = 25.0;
constexpr double kOneCycleFinalDivisor = 1.0e4;
constexpr int kPlateauPatience = 2;
constexpr double kPlateauFactor = 0.5;
constexpr double kPlateauThreshold = 1.0e-4;

// From a to b as t goes from 0 to 1, cosine-shaped.
double cosineBetween(double a, double b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return b + (a - b) * 0.5 * (1.0 + std::cos(kPi * t));
}

} // namespace

LearningRateSchedule::LearningRateSchedule(ScheduleKind kind, double peak, qint64 totalSteps)
    : m_kind(kind), m_peak(peak), m_total(std::max<qint64>(1, totalSteps))
{
}

void LearningRateSchedule::setTotalSteps(qint64 totalSteps)
{
    m_total = std::max<qint64>(1, totalSteps);
}

double LearningRateSchedule::shape(qint64 step) const
{
    switch (m_kind) {
    case ScheduleKind::Constant:
        return 1.0;
    case ScheduleKind::Cosine: {
        const qint64 warmup = std::max<qint64>(1, std::llround(kWarmupFraction * double(m_total)));
        if (step < warmup)
            return double(step + 1) / double(warmup);
        return cosineBetween(1.0, 0.0, double(step - warmup) / double(std::max<qint64>(1, m_total - warmup)));
    }
    case ScheduleKind::OneCycle: {
        const double start = 1.0 / kOneCycleStartDivisor;
        const double end = start / kOneCycleFinalDivisor;
        const double rise = std::max(1.0, kOneCycleRise * double(m_total));
        if (double(step) < rise)
            return cosineBetween(start, 1.0, double(step) / rise);
        return cosineBetween(1.0, end, (double(step) - rise) / std::max(1.0, double(m_total) - rise));
    }
    case ScheduleKind::Plateau:
        return std::pow(kPlateauFactor, m_reductions);
    }
    return 1.0;
}

double LearningRateSchedule::at(qint64 step) const
{
    return m_peak * m_scale * shape(step);
}

void LearningRateSchedule::rescale(double lr, qint64 step)
{
    const double scheduled = m_peak * shape(step);
    if (scheduled > 0.0 && lr > 0.0)
        m_scale = lr / scheduled;
}

bool LearningRateSchedule::epochEnded(double validationLoss)
{
    if (m_kind != ScheduleKind::Plateau || !std::isfinite(validationLoss))
        return false;
    if (!m_hasBest || validationLoss < m_best * (1.0 - kPlateauThreshold)) {
        m_best = validationLoss;
        m_hasBest = true;
        m_badEpochs = 0;
        return false;
    }
    if (++m_badEpochs < kPlateauPatience)
        return false;
    m_badEpochs = 0;
    ++m_reductions;
    return true;
}

QJsonObject LearningRateSchedule::state() const
{
    return QJsonObject{
        {QStringLiteral("scale"), m_scale},
        {QStringLiteral("best"), m_hasBest ? QJsonValue(m_best) : QJsonValue()},
        {QStringLiteral("bad_epochs"), m_badEpochs},
        {QStringLiteral("reductions"), m_reductions},
    };
}

void LearningRateSchedule::restoreState(const QJsonObject &state)
{
    m_scale = state.value(QStringLiteral("scale")).toDouble(1.0);
    m_hasBest = state.value(QStringLiteral("best")).isDouble();
    m_best = state.value(QStringLiteral("best")).toDouble();
    m_badEpochs = state.value(QStringLiteral("bad_epochs")).toInt();
    m_reductions = state.value(QStringLiteral("reductions")).toInt();
}

bool EarlyStopping::add(int epoch, double loss)
{
    if (!std::isfinite(loss))
        return false;
    if (m_bestEpoch == 0 || loss < m_best * (1.0 - m_minDelta)) {
        m_best = loss;
        m_bestEpoch = epoch;
        return true;
    }
    return false;
}

} // namespace aes
