#pragma once
// The "Metrics" tab: after each epoch, the validation MSE, PSNR, SSIM and the latent
// kNN accuracy, as four small plots above a table that also lists the training and
// validation losses, throughput and time.
//
// Ownership: owns its QCustomPlots (qcustomplot.h stays out of this header).
// Threads: GUI thread only.

#include "training/trainoptions.h"

#include <QVector>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QTableWidget;

class MetricsView final : public QWidget {
    Q_OBJECT
public:
    explicit MetricsView(QWidget *parent = nullptr);

    void clear();
    void addEpoch(const aes::EpochReport &report);
    int epochCount() const { return m_reports.size(); }
    QTableWidget *table() const { return m_table; }
    // step, the plot's data points
    int plotPointCount(int plot) const;

private:
    void replotAll();

    QVector<aes::EpochReport> m_reports;
    QCustomPlot *m_plots[4] = {nullptr, nullptr, nullptr, nullptr};
    QTableWidget *m_table = nullptr;
    QLabel *m_empty = nullptr;
};
