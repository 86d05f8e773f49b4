#pragma once
// The threshold a user chose for a run's anomaly scores, kept beside the model in its run
// directory (anomaly.json) so that exports carry it (TorchScript extra file, a JSON beside
// the ONNX files) and `score` can apply it.
//
// Threads: any. Failure: the writer returns "" or a message naming the file; the reader
// returns nullopt with an empty error when there is no file, and a message when it is
// damaged. Torch-free: ui/ includes it.

#include "anomaly/anomalymetrics.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace aes {

struct AnomalyThreshold {
    ScoreKind kind = ScoreKind::Mse;
    double sigma = 2.0;           // the blur the scores were made with (MaxSmoothed)
    double threshold = 0.0;       // flagged: score >= threshold

    QJsonObject toJson() const;
    static std::optional<AnomalyThreshold> fromJson(const QJsonObject &json, QString *error);
};

QString writeAnomalyThreshold(const QString &runDir, const AnomalyThreshold &threshold);
std::optional<AnomalyThreshold> readAnomalyThreshold(const QString &runDir, QString *error);

} // namespace aes
