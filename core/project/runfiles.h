#pragma once
// The files of a run directory, written by the CLI and the GUI alike (torch-free: ui/ uses the names):
// history.csv, summary.json, load-report.txt, checkpoint.pt and anomaly.json (the chosen anomaly threshold).
// Any thread; each writer returns an empty string or a message naming the file.

#include "util/atomicfile.h"
#include "data/loadoptions.h"
#include "training/trainoptions.h"

#include <QJsonObject>
#include <QString>
#include <QVector>


namespace aes {

namespace runfiles {
inline const QString kHistory = QStringLiteral("history.csv");
inline const QString kSummary = QStringLiteral("summary.json");
inline const QString kLoadReport = QStringLiteral("load-report.txt");
inline const QString kCheckpoint = QStringLiteral("checkpoint.pt");
inline const QString kAnomaly = QStringLiteral("anomaly.json");
} // namespace runfiles

// One row per epoch: epoch,train_loss,val_loss,val_mse,val_psnr,val_ssim,knn_accuracy,images_per_second,seconds
QString writeHistoryCsv(const QString &path, const QVector<EpochReport> &history);
// One line per skipped file: "<path>\t<reason>".
QString writeLoadReport(const QString &path, const LoadReport &report);
// Writes the JSON object atomically, indented.
QString writeJsonFile(const QString &path, const QJsonObject &object);
// Reads a JSON object; empty object and a message on failure.
QJsonObject readJsonFile(const QString &path, QString *error);
// A number for JSON: null when it is not finite.
QJsonValue jsonNumber(double value);

} // namespace aes
