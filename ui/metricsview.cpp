#include "metricsview.h"

#include "qcustomplotinclude.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

struct PlotSpec {
    const char *title;
    QColor color;
};

// Each plot shows one metric per epoch: the measures of how good the model is.
const PlotSpec kPlots[4] = {
    {QT_TRANSLATE_NOOP("MetricsView", "Validation MSE (lower is better)"), QColor(31, 119, 180)},
    {QT_TRANSLATE_NOOP("MetricsView", "PSNR in dB (higher is better)"), QColor(255, 127, 14)},
    {QT_TRANSLATE_NOOP("MetricsView", "SSIM (1 = identical)"), QColor(44, 160, 44)},
    {QT_TRANSLATE_NOOP("MetricsView", "kNN accuracy of codes, % (needs labels)"), QColor(148, 103, 189)},
};

double metricValue(const aes::EpochReport &r, int plot)
{
    switch (plot) {
    case 0: return r.valMse;
    case 1: return r.valPsnr;
    case 2: return r.valSsim;
    default: return r.knnAccuracy * 100.0;
    }
}

QString cell(double v, int decimals)
{
    return std::isfinite(v) ? QLocale().toString(v, 'f', decimals) : QStringLiteral("\u2013");
}

} // namespace

MetricsView::MetricsView(QWidget *parent) : QWidget(parent)
{
    auto *plots = new QWidget;
    auto *grid = new QGridLayout(plots);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    for (int i = 0; i < 4; ++i) {
        auto *plot = new QCustomPlot;
        plot->setMinimumSize(240, 150);
        plot->plotLayout()->insertRow(0);
        auto *title = new QCPTextElement(plot, tr(kPlots[i].title));
        QFont f = title->font();
        f.setPointSizeF(f.pointSizeF() * 0.95);
        title->setFont(f);
        plot->plotLayout()->addElement(0, 0, title);
        QCPGraph *graph = plot->addGraph();
        graph->setPen(QPen(kPlots[i].color, 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kPlots[i].color, kPlots[i].color, 6));
        plot->xAxis->setLabel(tr("epoch"));
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        plot->xAxis->setTicker(ticker);
        plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
        m_plots[i] = plot;
        grid->addWidget(plot, i / 2, i % 2);
    }

    m_table = new QTableWidget(0, 9);
    m_table->setHorizontalHeaderLabels({tr("Epoch"), tr("Train loss"), tr("Val loss"), tr("Val MSE"), tr("PSNR (dB)"),
                                        tr("SSIM"), tr("kNN acc. (%)"), tr("Images/s"), tr("Time (s)")});
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);

    m_empty = new QLabel(tr("Validation metrics appear here after each epoch."));
    m_empty->setAlignment(Qt::AlignCenter);
    QPalette p = m_empty->palette();
    p.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_empty->setPalette(p);

    auto *tableBox = new QWidget;
    auto *tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(m_empty);
    tableLayout->addWidget(m_table, 1);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(plots);
    splitter->addWidget(tableBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    clear();
}

void MetricsView::clear()
{
    m_reports.clear();
    m_table->setRowCount(0);
    m_empty->setVisible(true);
    replotAll();
}

void MetricsView::addEpoch(const aes::EpochReport &r)
{
    // A continued run trains an interrupted epoch again: its report replaces the earlier one.
    while (!m_reports.isEmpty() && m_reports.last().epoch >= r.epoch)
        m_reports.removeLast();
    m_reports.append(r);
    m_table->setRowCount(m_reports.size());
    const int row = m_reports.size() - 1;
    const QStringList values = {QString::number(r.epoch), cell(r.trainLoss, 5), cell(r.valLoss, 5), cell(r.valMse, 5),
                                cell(r.valPsnr, 2), cell(r.valSsim, 4), cell(r.knnAccuracy * 100.0, 1),
                                cell(r.imagesPerSecond, 0), cell(r.seconds, 1)};
    for (int c = 0; c < values.size(); ++c) {
        auto *item = new QTableWidgetItem(values[c]);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(row, c, item);
    }
    m_table->scrollToBottom();
    m_empty->setVisible(false);
    replotAll();
}

int MetricsView::plotPointCount(int plot) const
{
    return plot >= 0 && plot < 4 ? m_plots[plot]->graph(0)->dataCount() : 0;
}

void MetricsView::replotAll()
{
    for (int i = 0; i < 4; ++i) {
        QCustomPlot *plot = m_plots[i];
        QVector<double> x, y;
        for (const aes::EpochReport &r : m_reports) {
            if (std::isfinite(metricValue(r, i))) {
                x << r.epoch;
                y << metricValue(r, i);
            }
        }
        plot->graph(0)->setData(x, y, true);
        if (x.isEmpty()) {
            plot->xAxis->setRange(0.5, 5.5);
            plot->yAxis->setRange(0, 1);
        } else {
            plot->xAxis->setRange(0.5, std::max(5.5, x.last() + 0.5));
            const auto [low, high] = std::minmax_element(y.cbegin(), y.cend());
            const double size = *high - *low;
            // One point, or a flat line: a range around it of a tenth of its value.
            const double pad = size > 1e-12 ? 0.15 * size : std::max(1e-3, 0.1 * std::abs(*low));
            // Metrics that cannot be negative keep their axis above zero.
            const double lower = *low >= 0.0 ? std::max(0.0, *low - pad) : *low - pad;
            plot->yAxis->setRange(lower, *high + pad);
        }
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}
