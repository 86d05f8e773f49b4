#pragma once
// `aestudio-cli score`: a run's anomaly score for every image of a dataset (scores.csv), its
// evaluation against the labels (scores.json: AUROC, AUPR, the F1-best threshold, and with
// MVTec AD masks the pixel AUROC), heatmaps, and the verdicts at the run's saved threshold.
//
// Threads: runs on the calling thread (LibTorch's compute threads inside). Failure: never
// throws; problems come back as a message naming the file or option. Memory: with --maps or
// --masks the error maps of every image are kept (4 bytes per pixel at the model's size).

#include "anomaly/anomalymetrics.h"
#include "anomaly/anomalyscore.h"
#include "anomaly/anomalythreshold.h"
#include "data/dataset.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace aes {

struct ScoreJobOptions {
    QString runDir;                // a run directory or its checkpoint file
    QString data;                  // folder or IDX file, loaded as in training
    QString outCsv;                // scores.csv; scores.json goes beside it (same name, .json)
    QString mapsDir;               // heatmap PNGs, mirroring data's layout (empty: none)
    QString masksDir;              // MVTec AD ground truth: <defect>/<name>_mask.png (empty: none)
    ScoreOptions score;
    bool scoreGiven = false;       // false: the kind and sigma of the run's anomaly.json if any
    QStringList normal;            // normal class names (empty: see normalClasses())
    QString device = QStringLiteral("cpu");  // where the model runs (model/device.h)
};

struct ScoreJobResult {
    bool ok = false;
    QString error;
    LoadReport report;
    ScoreOptions score;            // what was used
    qint64 rows = 0;
    qint64 mapsWritten = 0;
    bool evaluated = false;        // the data has labels
    QStringList normalClasses;
    Evaluation evaluation;
    qint64 maskedImages = 0;       // images with a mask (or of a normal class) in the pixel AUROC
    double pixelAuroc = 0.0;       // NaN without masks
    std::optional<AnomalyThreshold> threshold;   // the run's anomaly.json, when its kind was used
    qint64 flagged = 0;            // images at or over that threshold
    Verdicts verdicts;             // against the labels, when evaluated
    QString note;                  // e.g. why anomaly.json's threshold was not applied
    QString jsonPath;              // scores.json, when written
};

using ScoreProgressFn = std::function<void(qint64 done, qint64 total)>;
ScoreJobResult runScoreJob(const ScoreJobOptions &options, const LoadControl::ProgressFn &onLoadProgress = {},
                           const ScoreProgressFn &onScoreProgress = {});

// What scores.json holds.
QJsonObject scoreJobJson(const ScoreJobResult &result);

} // namespace aes
