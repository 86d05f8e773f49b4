#pragma once
// The "Loss" tab: training loss per step (raw, faint) with a smoothed line on top, the
// validation loss of each epoch as markers, and a dashed vertical marker wherever the user
// changed the learning rate; under it, a short plot of the learning rate of every step (the
// schedule). Log-scale toggle; the view follows new data (auto-range) until
// the user zooms (wheel) or drags, and "Auto range" (or a double click) follows again.
// Moving the mouse over the plot reads out the values under the cursor; the context menu
// exports the chart as PNG or PDF and the data as CSV.
//
// Ownership: owns its QCustomPlot (qcustomplot.h stays out of this header).
// Threads: GUI thread only; replots are queued, so adding many batches is cheap.
// Failure: the export functions return false when the file cannot be written.

#include <QPointF>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPItemTracer;
class QLabel;
class QMouseEvent;
class QPushButton;

class LossChart final : public QWidget {
    Q_OBJECT
public:
    explicit LossChart(QWidget *parent = nullptr);

    void clear();
    // x = global step, y = training loss of that step.
    void addSteps(const QVector<QPointF> &losses);
    // Plotted at the last step seen so far (the end of the epoch).
    void addValidation(int epoch, double valLoss);
    // The rate training starts with (for the CSV), and a change from `step` on (a marker).
    void setInitialLearningRate(double lr);
    void addLearningRateChange(qint64 step, double lr);
    // The rate of step (from the schedule), drawn in the learning-rate plot under the loss.
    void addLearningRate(qint64 step, double lr);
    void setLogScale(bool on);
    bool isLogScale() const;
    // Follow the data (true) or keep the user's zoom (false).
    void setAutoRange(bool on);
    bool isAutoRange() const { return m_autoRange; }
    int stepCount() const;
    int validationCount() const;
    int learningRateMarkerCount() const { return m_lrChanges.size(); }
    // What the readout says for a point of the widget (plot coordinates), as on mouse-over.
    QString readoutAt(const QPoint &plotPos);
    QString readoutText() const;

    bool exportPng(const QString &path, int width = 1200, int height = 700);
    bool exportPdf(const QString &path);
    // step, train_loss, smoothed_loss, val_loss (at the end of an epoch), learning_rate.
    bool exportCsv(const QString &path) const;

Q_SIGNALS:
    void logScaleChanged(bool on);

private:
    void rescale();
    void showContextMenu(const QPoint &pos);
    void exportWithDialog(const QString &filter, const QString &suffix);
    void onMouseMove(QMouseEvent *event);

    QCustomPlot *m_plot = nullptr;
    QCPGraph *m_raw = nullptr;
    QCPGraph *m_smooth = nullptr;
    QCPGraph *m_validation = nullptr;
    QCPAxisRect *m_lrRect = nullptr;
    QCPGraph *m_lrGraph = nullptr;
    QCPItemTracer *m_tracer = nullptr;
    QCheckBox *m_logScale = nullptr;
    QPushButton *m_autoRangeButton = nullptr;
    QLabel *m_latest = nullptr;
    QLabel *m_readout = nullptr;
    bool m_autoRange = true;
    double m_ema = 0.0;          // TensorBoard-style smoothing, debiased at the start
    double m_emaWeight = 0.0;
    double m_lastStep = 0.0;
    double m_lastLoss = 0.0;
    double m_initialLr = 0.0;
    QVector<QPair<qint64, double>> m_lrChanges;
    QVector<QPair<int, double>> m_validationEpochs;  // epoch and value, parallel to m_validation
};
