#pragma once
// Anomaly scores and how well they separate normal from anomalous images: the score kinds
// and their names, exact AUROC (ties count one half), average precision (AUPR), the ROC and
// precision-recall curves, the F1-maximising threshold, and the verdicts at a threshold.
// Convention: a higher score is more anomalous; an image is flagged when score >= threshold;
// "positive" means anomalous.
//
// Threads: pure functions; any thread. Failure: a measure that is undefined (no anomalous or
// no normal image, no scores) is NaN. Torch-free: ui/ includes it.

#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace aes {

// Mse: mean squared error per image. Ssim: 1 - mean SSIM. MaxSmoothed: the maximum of the
// per-pixel squared error (mean over channels) after a Gaussian blur (small defects).
enum class ScoreKind { Mse, Ssim, MaxSmoothed };
QString toString(ScoreKind kind);                        // "mse", "ssim", "max-smoothed"
std::optional<ScoreKind> scoreKindFromString(const QString &name);
QStringList scoreKindNames();

struct Curve {
    QVector<double> x;            // ROC: false-positive rate; PR: recall
    QVector<double> y;            // ROC: true-positive rate;  PR: precision
    QVector<double> thresholds;   // the threshold of each point (flagged: score >= threshold)
};

struct Evaluation {
    qint64 anomalous = 0;
    qint64 normal = 0;
    double auroc = 0.0;           // NaN when either group is empty
    double aupr = 0.0;            // average precision; NaN without anomalous images
    double f1 = 0.0;              // the best F1 over all thresholds, at:
    double threshold = 0.0;
    double precision = 0.0;
    double recall = 0.0;
};

struct Verdicts {
    qint64 truePositives = 0;     // anomalous and flagged
    qint64 falsePositives = 0;    // normal and flagged
    qint64 trueNegatives = 0;
    qint64 falseNegatives = 0;
};

// scores and anomalous are parallel (same length).
double auroc(const QVector<double> &scores, const QVector<bool> &anomalous);
double averagePrecision(const QVector<double> &scores, const QVector<bool> &anomalous);
Curve rocCurve(const QVector<double> &scores, const QVector<bool> &anomalous);
Curve precisionRecallCurve(const QVector<double> &scores, const QVector<bool> &anomalous);
Evaluation evaluateScores(const QVector<double> &scores, const QVector<bool> &anomalous);
Verdicts verdictsAt(const QVector<double> &scores, const QVector<bool> &anomalous, double threshold);

// Which classes are normal for an evaluation: the given names when any (unknown names are
// an error), else the classes named good, normal or ok (any case) when present, else
// trainedOn (the classes the run was trained on). Returns the indices into classNames, or
// nullopt and a message.
std::optional<QVector<int>> normalClasses(const QStringList &classNames, const QStringList &given,
                                          const QStringList &trainedOn, QString *error);

} // namespace aes
