#include "losschart.h"

#include "qcustomplotinclude.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

constexpr double kSmoothing = 0.95;  // weight of the history in the smoothed line

const QColor kTrainColor(31, 119, 180);
const QColor kValColor(214, 39, 40);

} // namespace

LossChart::LossChart(QWidget *parent) : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setAntialiasedElements(QCP::aePlottables);
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->yAxis->setLabel(tr("loss"));

    QColor faint = kTrainColor;
    faint.setAlpha(70);
    m_raw = m_plot->addGraph();
    m_raw->setName(tr("training (each step)"));
    m_raw->setPen(QPen(faint, 1));

    m_smooth = m_plot->addGraph();
    m_smooth->setName(tr("training (smoothed)"));
    m_smooth->setPen(QPen(kTrainColor, 2));

    m_validation = m_plot->addGraph();
    m_validation->setName(tr("validation (each epoch)"));
    m_validation->setPen(QPen(kValColor, 1.5));
    m_validation->setLineStyle(QCPGraph::lsNone);
    m_validation->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kValColor, Qt::white, 8));

    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->legend->setBorderPen(QPen(QColor(0, 0, 0, 60)));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    m_logScale = new QCheckBox(tr("Log scale"), this);
    m_logScale->setToolTip(tr("Logarithmic loss axis: shows progress once the loss is small"));
    connect(m_logScale, &QCheckBox::toggled, this, &LossChart::setLogScale);
    m_latest = new QLabel(this);
    m_latest->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_latest, 1);
    bar->addWidget(m_logScale);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_plot, 1);
    layout->addLayout(bar);
    clear();
}

void LossChart::clear()
{
    m_raw->data()->clear();
    m_smooth->data()->clear();
    m_validation->data()->clear();
    m_ema = 0.0;
    m_emaWeight = 0.0;
    m_lastStep = 0.0;
    m_lastLoss = 0.0;
    m_latest->setText(tr("The training loss appears here as soon as training starts."));
    m_plot->xAxis->setRange(0, 100);
    m_plot->yAxis->setRange(m_logScale->isChecked() ? 0.001 : 0.0, 0.1);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossChart::addSteps(const QVector<QPointF> &losses)
{
    for (const QPointF &p : losses) {
        if (!std::isfinite(p.y()))
            continue;
        m_raw->addData(p.x(), p.y());
        // Exponential moving average divided by the weight it has accumulated, so the
        // line starts at the first losses instead of climbing up from zero.
        m_ema = kSmoothing * m_ema + (1.0 - kSmoothing) * p.y();
        m_emaWeight = kSmoothing * m_emaWeight + (1.0 - kSmoothing);
        m_smooth->addData(p.x(), m_ema / m_emaWeight);
        m_lastStep = p.x();
        m_lastLoss = m_ema / m_emaWeight;
    }
    if (!losses.isEmpty())
        m_latest->setText(tr("step %1   smoothed loss %2").arg(qint64(m_lastStep)).arg(m_lastLoss, 0, 'g', 4));
    rescale();
}

void LossChart::addValidation(int epoch, double valLoss)
{
    if (!std::isfinite(valLoss))
        return;
    m_validation->addData(m_lastStep, valLoss);
    m_latest->setText(tr("step %1   smoothed loss %2   validation loss after epoch %3: %4")
                          .arg(qint64(m_lastStep)).arg(m_lastLoss, 0, 'g', 4).arg(epoch).arg(valLoss, 0, 'g', 4));
    rescale();
}

void LossChart::setLogScale(bool on)
{
    if (m_logScale->isChecked() != on) {
        m_logScale->setChecked(on);  // comes back here through toggled()
        return;
    }
    if (on) {
        m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    } else {
        m_plot->yAxis->setScaleType(QCPAxis::stLinear);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    rescale();
}

bool LossChart::isLogScale() const
{
    return m_logScale->isChecked();
}

int LossChart::stepCount() const
{
    return m_raw->dataCount();
}

int LossChart::validationCount() const
{
    return m_validation->dataCount();
}

void LossChart::rescale()
{
    if (m_raw->dataCount() == 0 && m_validation->dataCount() == 0) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m_plot->rescaleAxes();
    // A little room on the right, so the newest validation marker is not cut in half.
    const QCPRange x = m_plot->xAxis->range();
    m_plot->xAxis->setRange(0.0, x.upper + std::max(1.0, 0.02 * x.upper));
    if (m_plot->yAxis->scaleType() == QCPAxis::stLinear) {
        // Losses are positive: keep zero in sight, with a little headroom above.
        QCPRange y = m_plot->yAxis->range();
        m_plot->yAxis->setRange(0.0, y.upper * 1.05);
    } else {
        m_plot->yAxis->scaleRange(1.1, m_plot->yAxis->range().center());
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}
