#pragma once
// The "Loss" tab: training loss per step (raw, faint) with a smoothed line on top, and
// the validation loss of each epoch as markers; the y axis can be switched to log scale.
//
// Ownership: owns its QCustomPlot (qcustomplot.h stays out of this header).
// Threads: GUI thread only; replots are queued, so adding many batches is cheap.

#include <QPointF>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QCustomPlot;
class QCPGraph;
class QLabel;

class LossChart final : public QWidget {
    Q_OBJECT
public:
    explicit LossChart(QWidget *parent = nullptr);

    void clear();
    // x = global step, y = training loss of that step.
    void addSteps(const QVector<QPointF> &losses);
    // Plotted at the last step seen so far (the end of the epoch).
    void addValidation(int epoch, double valLoss);
    void setLogScale(bool on);
    bool isLogScale() const;
    int stepCount() const;
    int validationCount() const;

private:
    void rescale();

    QCustomPlot *m_plot = nullptr;
    QCPGraph *m_raw = nullptr;
    QCPGraph *m_smooth = nullptr;
    QCPGraph *m_validation = nullptr;
    QCheckBox *m_logScale = nullptr;
    QLabel *m_latest = nullptr;
    double m_ema = 0.0;          // TensorBoard-style smoothing, debiased at the start
    double m_emaWeight = 0.0;
    double m_lastStep = 0.0;
    double m_lastLoss = 0.0;
};
