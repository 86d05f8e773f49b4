#include "runsoverlay.h"

#include "project/runlabels.h"
#include "qcustomplotinclude.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

namespace {

// Matplotlib's tab10: distinct at a glance, the colours of the other charts.
const QColor kColors[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                          {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

double valueOf(const aes::EpochReport &e, RunsOverlay::Metric metric)
{
    switch (metric) {
    case RunsOverlay::ValLoss: return e.valLoss;
    case RunsOverlay::TrainLoss: return e.trainLoss;
    case RunsOverlay::ValMse: return e.valMse;
    case RunsOverlay::Psnr: return e.valPsnr;
    case RunsOverlay::Ssim: return e.valSsim;
    case RunsOverlay::Knn: return e.knnAccuracy;
    default: return std::nan("");
    }
}

} // namespace

RunsOverlay::RunsOverlay(QWidget *parent) : QWidget(parent)
{
    m_metric = new QComboBox(this);
    m_metric->setObjectName(QStringLiteral("overlayMetric"));
    for (int m = 0; m < MetricCount; ++m)
        m_metric->addItem(metricName(Metric(m)));
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
    m_log = new QCheckBox(tr("Log scale"), this);
    connect(m_log, &QCheckBox::toggled, this, [this] { redraw(); });
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);

    m_plot = new QCustomPlot(this);
    m_plot->setAntialiasedElements(QCP::aePlottables);
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMinimumHeight(160);
    // The legend in a row of its own under the axes, two entries a line: it never covers a
    // curve and long labels leave the plot its width.
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(2);
    m_plot->legend->setColumnSpacing(24);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->plotLayout()->setRowSpacing(0);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Curve:"), this));
    bar->addWidget(m_metric);
    bar->addWidget(m_log);
    bar->addWidget(m_hint, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);
    redraw();
}

QString RunsOverlay::metricName(Metric metric)
{
    switch (metric) {
    case ValLoss: return tr("Validation loss");
    case TrainLoss: return tr("Training loss");
    case ValMse: return tr("Validation MSE");
    case Psnr: return tr("PSNR (dB)");
    case Ssim: return tr("SSIM");
    case Knn: return tr("kNN accuracy");
    default: return {};
    }
}

void RunsOverlay::setRuns(const QVector<aes::RunEntry> &runs)
{
    m_runs = runs;
    redraw();
}

void RunsOverlay::setMetric(Metric metric)
{
    m_metric->setCurrentIndex(int(metric));
}

RunsOverlay::Metric RunsOverlay::metric() const
{
    return Metric(m_metric->currentIndex());
}

void RunsOverlay::setLogScale(bool on)
{
    m_log->setChecked(on);
}

int RunsOverlay::curveCount() const
{
    return m_plot->legend->itemCount();
}

QStringList RunsOverlay::legendTexts() const
{
    QStringList texts;
    for (int i = 0; i < m_plot->graphCount(); ++i)
        if (m_plot->graph(i)->visible() && m_plot->legend->hasItemWithPlottable(m_plot->graph(i)))
            texts << m_plot->graph(i)->name();
    return texts;
}

void RunsOverlay::redraw()
{
    m_plot->clearGraphs();
    m_plot->clearItems();
    const Metric metric = this->metric();
    m_plot->yAxis->setLabel(metricName(metric));
    const bool log = m_log->isChecked() && metric != Psnr;
    m_plot->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_plot->yAxis->setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                                 : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_hint->setText(m_runs.isEmpty() ? tr("Tick runs in the table to draw their curves together.") : QString());

    QVector<aes::RunOptions> options;
    for (const aes::RunEntry &run : m_runs)
        options.append({QFileInfo(run.dir).fileName(), run.model, run.train});
    const QStringList labels = aes::runLabels(options);
    int maxEpoch = 1;
    for (int i = 0; i < m_runs.size(); ++i) {
        const aes::RunEntry &run = m_runs[i];
        const QColor color = kColors[i % int(std::size(kColors))];
        QCPGraph *graph = m_plot->addGraph();
        graph->setPen(QPen(color, 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, run.history.size() > 40 ? 0 : 5));
        QVector<double> x, y;
        for (const aes::EpochReport &e : run.history) {
            const double v = valueOf(e, metric);
            if (std::isfinite(v) && (!log || v > 0)) {
                x << e.epoch;
                y << v;
            }
            maxEpoch = std::max(maxEpoch, e.epoch);
        }
        graph->setData(x, y, true);
        QString name = labels.value(i);
        if (x.isEmpty())
            name += tr(" (no %1)").arg(metricName(metric));
        if (run.keptEarlier()) {
            name += tr(" \u00b7 kept %1").arg(run.keptEpoch);
            // A ring around the kept epoch's point.
            for (const aes::EpochReport &e : run.history) {
                const double v = valueOf(e, metric);
                if (e.epoch != run.keptEpoch || !std::isfinite(v))
                    continue;
                QCPGraph *ring = m_plot->addGraph();
                ring->setLineStyle(QCPGraph::lsNone);
                ring->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 2), Qt::NoBrush, 13));
                ring->setData({double(e.epoch)}, {v});
                ring->removeFromLegend();
            }
        }
        graph->setName(name);
    }
    m_plot->rescaleAxes();
    m_plot->xAxis->setRange(m_runs.isEmpty() ? 0.5 : 0.5, maxEpoch + 0.5);
    if (!m_runs.isEmpty()) {
        // A little room above and below the curves.
        const QCPRange r = m_plot->yAxis->range();
        if (!log)
            m_plot->yAxis->setRange(r.lower - 0.05 * r.size(), r.upper + 0.05 * r.size());
    }
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(ticker);
    m_plot->replot();
}
