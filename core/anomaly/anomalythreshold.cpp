#include "anomaly/anomalythreshold.h"

#include "project/runfiles.h"

#include <QDir>
#include <QFileInfo>

#include <cmath>

namespace aes {

QJsonObject AnomalyThreshold::toJson() const
{
    return QJsonObject{
        {QStringLiteral("score"), toString(kind)},
        {QStringLiteral("sigma"), sigma},
        {QStringLiteral("threshold"), threshold},
    };
}

std::optional<AnomalyThreshold> AnomalyThreshold::fromJson(const QJsonObject &json, QString *error)
{
    AnomalyThreshold t;
    const std::optional<ScoreKind> kind = scoreKindFromString(json.value(QStringLiteral("score")).toString());
    if (!kind) {
        *error = QStringLiteral("\"score\" must be one of %1").arg(scoreKindNames().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    t.kind = *kind;
    const QJsonValue sigma = json.value(QStringLiteral("sigma"));
    if (!sigma.isUndefined()) {
        if (!sigma.isDouble() || !std::isfinite(sigma.toDouble()) || sigma.toDouble() < 0.0) {
            *error = QStringLiteral("\"sigma\" must be a number >= 0");
            return std::nullopt;
        }
        t.sigma = sigma.toDouble();
    }
    const QJsonValue threshold = json.value(QStringLiteral("threshold"));
    if (!threshold.isDouble() || !std::isfinite(threshold.toDouble())) {
        *error = QStringLiteral("\"threshold\" must be a finite number");
        return std::nullopt;
    }
    t.threshold = threshold.toDouble();
    return t;
}

QString writeAnomalyThreshold(const QString &runDir, const AnomalyThreshold &threshold)
{
    return writeJsonFile(QDir(runDir).filePath(runfiles::kAnomaly), threshold.toJson());
}

std::optional<AnomalyThreshold> readAnomalyThreshold(const QString &runDir, QString *error)
{
    error->clear();
    const QString path = QDir(runDir).filePath(runfiles::kAnomaly);
    if (!QFileInfo::exists(path))
        return std::nullopt;
    QString problem;
    const QJsonObject json = readJsonFile(path, &problem);
    if (!problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    std::optional<AnomalyThreshold> t = AnomalyThreshold::fromJson(json, &problem);
    if (!t)
        *error = QStringLiteral("%1: %2").arg(path, problem);
    return t;
}

} // namespace aes
