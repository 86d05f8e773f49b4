#pragma once
// The values the GUI's anomaly scoring exchanges with its thread (AnomalyController): what
// to score, the scores of a dataset with what is needed to show and evaluate them, and the
// pictures of one image. Plain values (QImages own their pixels); no tensor.
//
// Threads: values; any thread. Torch-free and OpenCV-free: ui/ includes it.

#include "anomaly/anomalymetrics.h"
#include "data/loadoptions.h"

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace aes {

// What scoreFolder() scores: the images of dataPath (a folder or an IDX file; empty: the
// dataset the run was trained on) under the model of runDir, loaded as in training.
struct AnomalyRequest {
    QString runDir;
    QString dataPath;
    ScoreKind kind = ScoreKind::Mse;
    double sigma = 2.0;           // Gaussian blur of the error map in pixels (MaxSmoothed, heatmaps)
};

struct AnomalyScores {
    AnomalyRequest request;
    bool cancelled = false;
    QString error;                // why there are no scores; empty on success
    QString source;               // the dataset as opened (a folder or an IDX file)
    QStringList paths;            // per image (absolute; "file.idx#123" for IDX entries)
    QVector<int> labels;          // per image; -1 when unlabelled
    QStringList classNames;       // of the scored data; empty when unlabelled
    QStringList trainedOn;        // the classes of the data the run was trained on
    QVector<double> scores;       // per image; higher is more anomalous
    LoadReport report;            // of the scored data
    int epoch = 0;                // of the checkpoint scored

    bool ok() const { return error.isEmpty() && !cancelled; }
    qint64 size() const { return scores.size(); }
};

// One image's pictures; generation is the scoreFolder() answer they belong to.
struct AnomalyImage {
    qint64 row = -1;
    quint64 generation = 0;
    QImage image;
    QImage reconstruction;
    QImage heatmap;
    double score = 0.0;
};

} // namespace aes

Q_DECLARE_METATYPE(aes::AnomalyScores)
Q_DECLARE_METATYPE(aes::AnomalyImage)
