#pragma once
// The Runs tab's chart: the ticked runs' curves over their epochs, one colour per run, for a
// metric chosen above it (validation loss, training loss, validation MSE, PSNR, SSIM, kNN
// accuracy). The legend, beside the plot so it never covers a curve, names each run with only
// the options in which the runs differ (project/runlabels.h); an epoch that early stopping
// kept is ringed.
//
// Ownership: a widget; holds copies of the runs. Threads: GUI thread. Failure: none; a run
// without the metric (kNN on unlabelled data) draws no curve and says so in its legend entry.

#include "project/runlist.h"

#include <QWidget>

class QComboBox;
class QCheckBox;
class QCustomPlot;
class QLabel;

class RunsOverlay final : public QWidget {
    Q_OBJECT
public:
    enum Metric { ValLoss, TrainLoss, ValMse, Psnr, Ssim, Knn, MetricCount };

    explicit RunsOverlay(QWidget *parent = nullptr);

    void setRuns(const QVector<aes::RunEntry> &runs);
    void setMetric(Metric metric);
    Metric metric() const;
    void setLogScale(bool on);
    static QString metricName(Metric metric);

    // What is drawn, for tests: one curve per run with its legend text.
    int curveCount() const;
    QStringList legendTexts() const;
    QCustomPlot *plot() const { return m_plot; }

private:
    void redraw();

    QComboBox *m_metric = nullptr;
    QCheckBox *m_log = nullptr;
    QLabel *m_hint = nullptr;
    QCustomPlot *m_plot = nullptr;
    QVector<aes::RunEntry> m_runs;
};
