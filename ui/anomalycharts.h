#pragma once
// The Anomalies tab's plots. AnomalyHistogram: the scores' histogram, one per group (normal,
// anomalous) each as a share of its group, or the counts when there are no groups, with the
// threshold as a vertical line the user drags (or clicks to place). AnomalyCurves: the ROC
// and precision-recall curves side by side, AUROC and AUPR in their legends, and the point
// the threshold gives on each.
//
// Ownership: plain QWidgets owning their plots. Threads: GUI thread only.
// Failure: none; without both groups the curves say what they need instead.

#include "anomaly/anomalymetrics.h"

#include <QVector>
#include <QWidget>

class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QMouseEvent;

class AnomalyHistogram final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kBins = 60;

    explicit AnomalyHistogram(QWidget *parent = nullptr);

    // anomalous: per score, or empty (one group).
    void setScores(const QVector<double> &scores, const QVector<bool> &anomalous);
    void clear();
    void setThreshold(double threshold);  // moves the line; emits nothing
    double threshold() const { return m_threshold; }
    // The line's x in the plot's pixels, the plot widget and its data area in those pixels
    // (for tests and the screenshot driver: drag the line there).
    int thresholdPixel() const;
    QWidget *plotWidget() const;
    QRect plotArea() const;

Q_SIGNALS:
    void thresholdDragged(double threshold);   // while the mouse moves
    void thresholdChosen(double threshold);    // the mouse was released

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    double thresholdAtPixel(double x) const;

    QCustomPlot *m_plot = nullptr;
    QCPItemStraightLine *m_line = nullptr;
    QCPItemText *m_lineLabel = nullptr;
    double m_threshold = 0.0;
    double m_low = 0.0;
    double m_high = 1.0;
    bool m_dragging = false;
};

class AnomalyCurves final : public QWidget {
    Q_OBJECT
public:
    explicit AnomalyCurves(QWidget *parent = nullptr);

    // Empty or one-group data: the plots are emptied and a note says why.
    void setScores(const QVector<double> &scores, const QVector<bool> &anomalous);
    void clear();
    // The operating point of the verdicts at the threshold.
    void setVerdicts(const aes::Verdicts &verdicts);
    // The legends' texts ("AUROC 0.912"), for tests.
    QString rocName() const;
    QString prName() const;

private:
    QCustomPlot *m_roc = nullptr;
    QCustomPlot *m_pr = nullptr;
    QLabel *m_note = nullptr;
};
