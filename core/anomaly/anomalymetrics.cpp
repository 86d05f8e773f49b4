#include "anomaly/anomalymetrics.h"

#include "util/enumnames.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace aes {

namespace {

constexpr std::pair<ScoreKind, const char *> kScoreNames[] = {
    {ScoreKind::Mse, "mse"},
    {ScoreKind::Ssim, "ssim"},
    {ScoreKind::MaxSmoothed, "max-smoothed"},
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The confusion counts at every distinct score, from the highest down: point i flags every
// image with score >= thresholds[i]. What the curves, AP and the F1 search are made of.
struct Sweep {
    QVector<double> thresholds;
    QVector<qint64> truePositives;
    QVector<qint64> falsePositives;
    qint64 positives = 0;
    qint64 negatives = 0;
};

Sweep sweep(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    Sweep s;
    const qsizetype n = std::min(scores.size(), anomalous.size());
    QVector<qsizetype> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) { return scores[a] > scores[b]; });
    qint64 tp = 0, fp = 0;
    for (qsizetype k = 0; k < n; ++k) {
        const qsizetype i = order[k];
        (anomalous[i] ? tp : fp) += 1;
        // Tied scores are one threshold: record only after the last of them.
        if (k + 1 == n || scores[order[k + 1]] != scores[i]) {
            s.thresholds << scores[i];
            s.truePositives << tp;
            s.falsePositives << fp;
        }
    }
    s.positives = tp;
    s.negatives = fp;
    return s;
}

} // namespace

QString toString(ScoreKind kind) { return detail::enumName(kScoreNames, kind); }
std::optional<ScoreKind> scoreKindFromString(const QString &name) { return detail::enumFromName(kScoreNames, name); }
QStringList scoreKindNames() { return detail::enumNames(kScoreNames); }

double auroc(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    // Mann-Whitney: the probability that an anomalous image scores above a normal one, ties
    // counting one half, from the average ranks of the sorted scores.
    const qsizetype n = std::min(scores.size(), anomalous.size());
    QVector<qsizetype> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) { return scores[a] < scores[b]; });
    double rankSum = 0.0;
    qint64 positives = 0;
    for (qsizetype k = 0; k < n;) {
        qsizetype end = k + 1;
        while (end < n && scores[order[end]] == scores[order[k]])
            ++end;
        const double rank = (double(k + 1) + double(end)) / 2.0;
        for (qsizetype j = k; j < end; ++j)
            if (anomalous[order[j]]) {
                rankSum += rank;
                ++positives;
            }
        k = end;
    }
    const qint64 negatives = n - positives;
    if (positives == 0 || negatives == 0)
        return kNaN;
    return (rankSum - double(positives) * double(positives + 1) / 2.0) / (double(positives) * double(negatives));
}

double averagePrecision(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    // scikit-learn's average_precision_score: sum over thresholds of the recall gained times
    // the precision there (no interpolation).
    const Sweep s = sweep(scores, anomalous);
    if (s.positives == 0)
        return kNaN;
    double ap = 0.0, previousRecall = 0.0;
    for (qsizetype i = 0; i < s.thresholds.size(); ++i) {
        const double recall = double(s.truePositives[i]) / double(s.positives);
        const double precision = double(s.truePositives[i]) / double(s.truePositives[i] + s.falsePositives[i]);
        ap += (recall - previousRecall) * precision;
        previousRecall = recall;
    }
    return ap;
}

namespace {

// A curve from its point with nothing flagged (threshold +infinity) through one point per
// distinct score; point(tp, fp) gives (x, y).
template <typename PointFn>
Curve curveOf(const Sweep &s, double x0, double y0, PointFn point)
{
    Curve c;
    c.x << x0;
    c.y << y0;
    c.thresholds << std::numeric_limits<double>::infinity();
    for (qsizetype i = 0; i < s.thresholds.size(); ++i) {
        const auto [x, y] = point(double(s.truePositives[i]), double(s.falsePositives[i]));
        c.x << x;
        c.y << y;
        c.thresholds << s.thresholds[i];
    }
    return c;
}

} // namespace

Curve rocCurve(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    const Sweep s = sweep(scores, anomalous);
    const double p = double(s.positives), n = double(s.negatives);
    return curveOf(s, 0.0, 0.0, [&](double tp, double fp) {
        return std::pair{n > 0 ? fp / n : kNaN, p > 0 ? tp / p : kNaN};
    });
}

Curve precisionRecallCurve(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    // From recall 0 (precision 1 by convention, nothing flagged) to recall 1.
    const Sweep s = sweep(scores, anomalous);
    const double p = double(s.positives);
    return curveOf(s, 0.0, 1.0, [&](double tp, double fp) { return std::pair{p > 0 ? tp / p : kNaN, tp / (tp + fp)}; });
}

Evaluation evaluateScores(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    const Sweep s = sweep(scores, anomalous);
    Evaluation e;
    e.anomalous = s.positives;
    e.normal = s.negatives;
    e.auroc = auroc(scores, anomalous);
    e.aupr = averagePrecision(scores, anomalous);
    e.f1 = e.threshold = e.precision = e.recall = kNaN;
    if (s.positives == 0)
        return e;
    double best = -1.0;
    for (qsizetype i = 0; i < s.thresholds.size(); ++i) {
        const double tp = double(s.truePositives[i]);
        const double precision = tp / double(s.truePositives[i] + s.falsePositives[i]);
        const double recall = tp / double(s.positives);
        const double f1 = tp > 0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
        if (f1 > best) {
            best = f1;
            e.f1 = f1;
            e.threshold = s.thresholds[i];
            e.precision = precision;
            e.recall = recall;
        }
    }
    return e;
}

Verdicts verdictsAt(const QVector<double> &scores, const QVector<bool> &anomalous, double threshold)
{
    Verdicts v;
    const qsizetype n = std::min(scores.size(), anomalous.size());
    for (qsizetype i = 0; i < n; ++i) {
        const bool flagged = scores[i] >= threshold;
        if (anomalous[i])
            (flagged ? v.truePositives : v.falseNegatives) += 1;
        else
            (flagged ? v.falsePositives : v.trueNegatives) += 1;
    }
    return v;
}

std::optional<QVector<int>> normalClasses(const QStringList &classNames, const QStringList &given,
                                          const QStringList &trainedOn, QString *error)
{
    QVector<int> normal;
    if (!given.isEmpty()) {
        for (const QString &name : given) {
            const int index = int(classNames.indexOf(name.trimmed()));
            if (index < 0) {
                *error = QStringLiteral("unknown class \"%1\"; the classes are: %2").arg(name, classNames.join(QStringLiteral(", ")));
                return std::nullopt;
            }
            if (!normal.contains(index))
                normal << index;
        }
        return normal;
    }
    for (int i = 0; i < classNames.size(); ++i) {
        const QString lower = classNames[i].toLower();
        if (lower == QLatin1String("good") || lower == QLatin1String("normal") || lower == QLatin1String("ok"))
            normal << i;
    }
    if (!normal.isEmpty())
        return normal;
    for (const QString &name : trainedOn)
        if (const int index = int(classNames.indexOf(name)); index >= 0 && !normal.contains(index))
            normal << index;
    if (normal.isEmpty()) {
        *error = QStringLiteral("no class is named good, normal or ok and none is one the run was trained on: "
                                "name the normal classes (the classes are: %1)").arg(classNames.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    std::sort(normal.begin(), normal.end());
    return normal;
}

} // namespace aes
