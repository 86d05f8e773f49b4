#include "anomalycharts.h"

#include "qcustomplotinclude.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

const QColor kNormalColor(31, 119, 180);
const QColor kAnomalousColor(214, 39, 40);
const QColor kThresholdColor(20, 20, 20);
constexpr int kGrabPixels = 8;

QCustomPlot *makePlot(QWidget *parent)
{
    auto *plot = new QCustomPlot(parent);
    plot->setAntialiasedElements(QCP::aePlottables);
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setBorderPen(QPen(QColor(0, 0, 0, 60)));
    return plot;
}

// A filled step outline of one group's histogram.
void addHistogram(QCustomPlot *plot, const QString &name, const QColor &color, const QVector<double> &x,
                  const QVector<double> &y)
{
    QCPGraph *graph = plot->addGraph();
    graph->setName(name);
    graph->setLineStyle(QCPGraph::lsStepCenter);
    graph->setPen(QPen(color, 1.5));
    QColor fill = color;
    fill.setAlpha(60);
    graph->setBrush(fill);
    graph->setData(x, y, true);
}

} // namespace

AnomalyHistogram::AnomalyHistogram(QWidget *parent) : QWidget(parent)
{
    m_plot = makePlot(this);
    m_plot->xAxis->setLabel(tr("score (higher: more anomalous)"));
    m_plot->yAxis->setLabel(tr("images"));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_line = new QCPItemStraightLine(m_plot);
    m_line->setPen(QPen(kThresholdColor, 2, Qt::DashLine));
    m_line->setVisible(false);
    m_lineLabel = new QCPItemText(m_plot);
    m_lineLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_lineLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_lineLabel->setPadding(QMargins(4, 2, 4, 2));
    m_lineLabel->setBrush(QColor(255, 255, 255, 200));
    m_lineLabel->setVisible(false);
    m_plot->setToolTip(tr("Drag the dashed line, or click, to set the threshold"));
    m_plot->installEventFilter(this);
    m_plot->setMinimumHeight(180);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
}

void AnomalyHistogram::clear()
{
    setScores({}, {});
}

void AnomalyHistogram::setScores(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    m_plot->clearGraphs();
    m_line->setVisible(!scores.isEmpty());
    m_lineLabel->setVisible(!scores.isEmpty());
    if (scores.isEmpty()) {
        m_plot->replot();
        return;
    }
    const auto [lo, hi] = std::minmax_element(scores.begin(), scores.end());
    m_low = *lo;
    m_high = *hi > *lo ? *hi : *lo + 1.0;
    const double width = (m_high - m_low) / kBins;
    const bool groups = anomalous.size() == scores.size() && anomalous.contains(true) && anomalous.contains(false);
    QVector<double> centres(kBins);
    for (int b = 0; b < kBins; ++b)
        centres[b] = m_low + (b + 0.5) * width;
    QVector<double> counts[2] = {QVector<double>(kBins, 0.0), QVector<double>(kBins, 0.0)};
    qint64 sizes[2] = {0, 0};
    for (int i = 0; i < scores.size(); ++i) {
        const int group = groups && anomalous[i] ? 1 : 0;
        const int bin = std::clamp(int((scores[i] - m_low) / width), 0, kBins - 1);
        counts[group][bin] += 1.0;
        ++sizes[group];
    }
    if (groups) {
        // Each group as a share of itself: a few anomalies still show beside many normal images.
        for (int g = 0; g < 2; ++g)
            for (double &c : counts[g])
                c /= double(sizes[g]);
        m_plot->yAxis->setLabel(tr("share of the group"));
        addHistogram(m_plot, tr("normal (%L1)").arg(sizes[0]), kNormalColor, centres, counts[0]);
        addHistogram(m_plot, tr("anomalous (%L1)").arg(sizes[1]), kAnomalousColor, centres, counts[1]);
    } else {
        m_plot->yAxis->setLabel(tr("images"));
        addHistogram(m_plot, tr("all images (%L1)").arg(sizes[0]), kNormalColor, centres, counts[0]);
    }
    m_plot->xAxis->setRange(m_low - width, m_high + width);
    m_plot->yAxis->rescale();
    m_plot->yAxis->setRangeLower(0.0);
    m_plot->yAxis->setRangeUpper(m_plot->yAxis->range().upper * 1.1);
    setThreshold(m_threshold);
}

void AnomalyHistogram::setThreshold(double threshold)
{
    m_threshold = threshold;
    m_line->point1->setCoords(threshold, 0.0);
    m_line->point2->setCoords(threshold, 1.0);
    m_lineLabel->position->setCoords(threshold, 0.35);  // below the legend, above the tail
    m_lineLabel->setText(tr("threshold %1").arg(threshold, 0, 'g', 4));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int AnomalyHistogram::thresholdPixel() const
{
    return int(std::lround(m_plot->xAxis->coordToPixel(m_threshold)));
}

QWidget *AnomalyHistogram::plotWidget() const
{
    return m_plot;
}

QRect AnomalyHistogram::plotArea() const
{
    return m_plot->axisRect()->rect();
}

double AnomalyHistogram::thresholdAtPixel(double x) const
{
    return std::clamp(m_plot->xAxis->pixelToCoord(x), m_low, m_high);
}

bool AnomalyHistogram::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_plot || !m_line->visible())
        return QWidget::eventFilter(watched, event);
    const auto *mouse = dynamic_cast<QMouseEvent *>(event);
    switch (event->type()) {
    case QEvent::MouseButtonPress:
        if (mouse->button() == Qt::LeftButton && m_plot->axisRect()->rect().contains(mouse->position().toPoint())) {
            m_dragging = true;
            setThreshold(thresholdAtPixel(mouse->position().x()));
            Q_EMIT thresholdDragged(m_threshold);
            return true;
        }
        break;
    case QEvent::MouseMove:
        if (m_dragging) {
            setThreshold(thresholdAtPixel(mouse->position().x()));
            Q_EMIT thresholdDragged(m_threshold);
            return true;
        }
        // The resize cursor near the line says it can be dragged.
        m_plot->setCursor(std::abs(mouse->position().x() - thresholdPixel()) <= kGrabPixels ? Qt::SizeHorCursor
                                                                                             : Qt::ArrowCursor);
        break;
    case QEvent::MouseButtonRelease:
        if (m_dragging && mouse->button() == Qt::LeftButton) {
            m_dragging = false;
            setThreshold(thresholdAtPixel(mouse->position().x()));
            Q_EMIT thresholdChosen(m_threshold);
            return true;
        }
        break;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

AnomalyCurves::AnomalyCurves(QWidget *parent) : QWidget(parent)
{
    m_roc = makePlot(this);
    m_roc->xAxis->setLabel(tr("false-positive rate"));
    m_roc->yAxis->setLabel(tr("true-positive rate"));
    m_pr = makePlot(this);
    m_pr->xAxis->setLabel(tr("recall"));
    m_pr->yAxis->setLabel(tr("precision"));
    for (QCustomPlot *plot : {m_roc, m_pr}) {
        plot->xAxis->setRange(0.0, 1.0);
        plot->yAxis->setRange(0.0, 1.02);
        plot->setMinimumHeight(160);
        QFont small = plot->legend->font();
        small.setPointSizeF(small.pointSizeF() * 0.85);
        plot->legend->setFont(small);
        plot->legend->setRowSpacing(0);
    }
    m_roc->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_pr->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignLeft);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setAlignment(Qt::AlignCenter);
    auto *plots = new QHBoxLayout;
    plots->addWidget(m_roc);
    plots->addWidget(m_pr);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(plots, 1);
    layout->addWidget(m_note);
    clear();
}

void AnomalyCurves::clear()
{
    setScores({}, {});
}

void AnomalyCurves::setScores(const QVector<double> &scores, const QVector<bool> &anomalous)
{
    for (QCustomPlot *plot : {m_roc, m_pr}) {
        plot->clearPlottables();
        plot->legend->setVisible(false);
    }
    const bool groups = anomalous.size() == scores.size() && anomalous.contains(true) && anomalous.contains(false);
    m_note->setVisible(!groups);
    m_note->setText(scores.isEmpty()
        ? tr("Score a dataset to see how well the scores separate normal from anomalous images.")
        : tr("The ROC and precision-recall curves need normal and anomalous images: name the normal "
             "classes (the others count as anomalous), or score labelled data with a class the model "
             "was not trained on."));
    if (groups) {
        const aes::Curve roc = aes::rocCurve(scores, anomalous);
        const aes::Curve pr = aes::precisionRecallCurve(scores, anomalous);
        const double auroc = aes::auroc(scores, anomalous);
        const double aupr = aes::averagePrecision(scores, anomalous);
        auto *chance = new QCPCurve(m_roc->xAxis, m_roc->yAxis);
        chance->setData(QVector<double>{0.0, 1.0}, QVector<double>{0.0, 1.0});
        chance->setPen(QPen(Qt::gray, 1, Qt::DotLine));
        chance->removeFromLegend();  // the dotted diagonal speaks for itself
        auto *rocCurve = new QCPCurve(m_roc->xAxis, m_roc->yAxis);
        rocCurve->setData(roc.x, roc.y);
        rocCurve->setPen(QPen(kAnomalousColor, 2));
        rocCurve->setName(tr("AUROC %1").arg(auroc, 0, 'f', 3));
        auto *prCurve = new QCPCurve(m_pr->xAxis, m_pr->yAxis);
        prCurve->setData(pr.x, pr.y);
        prCurve->setPen(QPen(kNormalColor, 2));
        prCurve->setName(tr("AUPR %1").arg(aupr, 0, 'f', 3));
        for (QCustomPlot *plot : {m_roc, m_pr}) {
            auto *point = new QCPGraph(plot->xAxis, plot->yAxis);
            point->setLineStyle(QCPGraph::lsNone);
            point->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kThresholdColor, Qt::white, 9));
            point->removeFromLegend();  // the verdicts box below says what the ring is
            plot->legend->setVisible(true);
        }
    }
    m_roc->replot();
    m_pr->replot();
}

void AnomalyCurves::setVerdicts(const aes::Verdicts &v)
{
    if (m_roc->graphCount() == 0 || m_pr->graphCount() == 0)
        return;
    const auto ratio = [](qint64 a, qint64 b) { return a + b > 0 ? double(a) / double(a + b) : 1.0; };
    const double tpr = ratio(v.truePositives, v.falseNegatives);
    m_roc->graph(0)->setData(QVector<double>{ratio(v.falsePositives, v.trueNegatives)}, QVector<double>{tpr});
    m_pr->graph(0)->setData(QVector<double>{tpr}, QVector<double>{ratio(v.truePositives, v.falsePositives)});
    m_roc->replot(QCustomPlot::rpQueuedReplot);
    m_pr->replot(QCustomPlot::rpQueuedReplot);
}

QString AnomalyCurves::rocName() const
{
    return m_roc->plottableCount() > 1 ? m_roc->plottable(1)->name() : QString();
}

QString AnomalyCurves::prName() const
{
    return m_pr->plottableCount() > 0 ? m_pr->plottable(0)->name() : QString();
}
