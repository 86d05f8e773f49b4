#include "losschart.h"

#include "util/atomicfile.h"
#include "qcustomplotinclude.h"

#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPair>
#include <QPushButton>
#include <QSaveFile>
#include <QTextStream>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

namespace {

constexpr double kSmoothing = 0.9;  // weight of the history: ~10 steps, so the line keeps up with the steep start
constexpr int kValidationHitPixels = 8;

const QColor kTrainColor(31, 119, 180);
const QColor kValColor(214, 39, 40);
const QColor kLrColor(44, 160, 44);

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

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

    // The learning rate of each step, in a short plot under the loss that shares its steps.
    m_lrRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(1, 0, m_lrRect);
    m_plot->plotLayout()->setRowStretchFactor(0, 4.0);
    m_plot->plotLayout()->setRowStretchFactor(1, 1.0);
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_lrRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_plot->xAxis->setLabel(QString());
    m_lrRect->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    m_lrRect->axis(QCPAxis::atLeft)->setLabel(tr("learning rate"));
    m_lrRect->setRangeDrag(Qt::Horizontal);
    m_lrRect->setRangeZoom(Qt::Horizontal);
    m_lrGraph = m_plot->addGraph(m_lrRect->axis(QCPAxis::atBottom), m_lrRect->axis(QCPAxis::atLeft));
    m_lrGraph->setName(tr("learning rate"));
    m_lrGraph->setPen(QPen(kLrColor, 1.5));
    m_lrGraph->setLineStyle(QCPGraph::lsLine);  // sampled with each batch of steps
    m_lrGraph->removeFromLegend();
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), m_lrRect->axis(QCPAxis::atBottom),
            qOverload<const QCPRange &>(&QCPAxis::setRange));
    connect(m_lrRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged), m_plot->xAxis,
            qOverload<const QCPRange &>(&QCPAxis::setRange));

    m_tracer = new QCPItemTracer(m_plot);
    m_tracer->setStyle(QCPItemTracer::tsCircle);
    m_tracer->setSize(7);
    m_tracer->setPen(QPen(kTrainColor.darker(130), 1.5));
    m_tracer->setBrush(Qt::white);
    m_tracer->setVisible(false);

    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->legend->setBorderPen(QPen(QColor(0, 0, 0, 60)));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    m_plot->setToolTip(tr("Wheel: zoom \u00b7 drag: move \u00b7 double click: follow the data again \u00b7 "
                          "right click: export"));
    connect(m_plot, &QCustomPlot::customContextMenuRequested, this, &LossChart::showContextMenu);
    connect(m_plot, &QCustomPlot::mouseMove, this, &LossChart::onMouseMove);
    // The user's zoom or drag wins over following the data, until asked to follow again.
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { setAutoRange(false); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        if (event->button() == Qt::LeftButton)
            setAutoRange(false);
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { setAutoRange(true); });

    m_logScale = new QCheckBox(tr("Log scale"), this);
    m_logScale->setToolTip(tr("Logarithmic loss axis: shows progress once the loss is small"));
    connect(m_logScale, &QCheckBox::toggled, this, &LossChart::setLogScale);
    m_autoRangeButton = new QPushButton(tr("Auto range"), this);
    m_autoRangeButton->setToolTip(tr("Show all the data and follow new steps (or double-click the plot)"));
    m_autoRangeButton->setEnabled(false);
    connect(m_autoRangeButton, &QPushButton::clicked, this, [this] { setAutoRange(true); });
    m_latest = new QLabel(this);
    m_latest->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_readout = new QLabel(this);
    m_readout->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_latest, 1);
    bar->addWidget(m_readout, 1);
    bar->addWidget(m_autoRangeButton);
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
    m_lrGraph->data()->clear();
    m_validationEpochs.clear();
    m_lrChanges.clear();
    // Items other than the tracer are learning-rate markers and their labels.
    for (int i = m_plot->itemCount() - 1; i >= 0; --i)
        if (m_plot->item(i) != m_tracer)
            m_plot->removeItem(i);
    m_tracer->setVisible(false);
    m_ema = 0.0;
    m_emaWeight = 0.0;
    m_lastStep = 0.0;
    m_lastLoss = 0.0;
    m_latest->setText(tr("The training loss appears here as soon as training starts."));
    m_readout->clear();
    m_plot->xAxis->setRange(0, 100);
    m_plot->yAxis->setRange(m_logScale->isChecked() ? 0.001 : 0.0, 0.1);
    setAutoRange(true);
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
        m_latest->setText(tr("step %1 \u00b7 smoothed loss %2").arg(qint64(m_lastStep)).arg(number(m_lastLoss)));
    rescale();
}

void LossChart::addValidation(int epoch, double valLoss)
{
    if (!std::isfinite(valLoss))
        return;
    m_validation->addData(m_lastStep, valLoss);
    m_validationEpochs.append({epoch, valLoss});
    m_latest->setText(tr("step %1 \u00b7 smoothed loss %2 \u00b7 validation loss after epoch %3: %4")
                          .arg(qint64(m_lastStep)).arg(number(m_lastLoss)).arg(epoch).arg(number(valLoss)));
    rescale();
}

void LossChart::setInitialLearningRate(double lr)
{
    m_initialLr = lr;
}

void LossChart::addLearningRate(qint64 step, double lr)
{
    if (!std::isfinite(lr) || lr <= 0.0)
        return;
    m_lrGraph->addData(double(step), lr);
    rescale();
}

void LossChart::addLearningRateChange(qint64 step, double lr)
{
    m_lrChanges.append({step, lr});
    // A dashed line over the whole height at the first step with the new rate.
    auto *line = new QCPItemStraightLine(m_plot);
    line->setPen(QPen(kLrColor, 1.2, Qt::DashLine));
    line->point1->setTypeX(QCPItemPosition::ptPlotCoords);
    line->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point2->setTypeX(QCPItemPosition::ptPlotCoords);
    line->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point1->setCoords(double(step), 0.0);
    line->point2->setCoords(double(step), 1.0);
    auto *label = new QCPItemText(m_plot);
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    // At the bottom, on a light box: the legend holds the top right, where late changes fall.
    label->position->setCoords(double(step), 1.0);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    label->setPadding(QMargins(4, 2, 4, 2));
    label->setBrush(QColor(255, 255, 255, 210));
    label->setColor(kLrColor.darker(130));
    label->setText(tr("lr %1").arg(number(lr)));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
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
    // Another scale needs another range: follow the data again.
    setAutoRange(true);
    Q_EMIT logScaleChanged(on);
}

bool LossChart::isLogScale() const
{
    return m_logScale->isChecked();
}

void LossChart::setAutoRange(bool on)
{
    m_autoRange = on;
    m_autoRangeButton->setEnabled(!on);
    if (on)
        rescale();
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
    if (!m_autoRange || (m_raw->dataCount() == 0 && m_validation->dataCount() == 0)) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m_plot->rescaleAxes();
    // A little room on the right, so the newest validation marker is not cut in half.
    const QCPRange x = m_plot->xAxis->range();
    m_plot->xAxis->setRange(0.0, x.upper + std::max(1.0, 0.02 * x.upper));
    if (m_lrGraph->dataCount() > 0) {
        bool found = false;
        const QCPRange rates = m_lrGraph->getValueRange(found);
        if (found)
            m_lrRect->axis(QCPAxis::atLeft)->setRange(0.0, rates.upper * 1.15);
    }
    if (m_plot->yAxis->scaleType() == QCPAxis::stLinear) {
        // Losses are positive: keep zero in sight, with a little headroom above.
        QCPRange y = m_plot->yAxis->range();
        m_plot->yAxis->setRange(0.0, y.upper * 1.05);
    } else {
        m_plot->yAxis->scaleRange(1.1, m_plot->yAxis->range().center());
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString LossChart::readoutAt(const QPoint &plotPos)
{
    if (m_raw->dataCount() == 0 || !m_plot->axisRect()->rect().contains(plotPos)) {
        m_tracer->setVisible(false);
        return QString();
    }
    const double x = m_plot->xAxis->pixelToCoord(plotPos.x());
    // The step nearest to the cursor.
    auto it = m_raw->data()->findBegin(x, false);
    if (it == m_raw->data()->constEnd())
        --it;
    if (it != m_raw->data()->constBegin()) {
        auto before = it - 1;
        if (std::abs(before->key - x) < std::abs(it->key - x))
            it = before;
    }
    const double step = it->key;
    const int index = int(it - m_raw->data()->constBegin());
    const double smoothed = (m_smooth->data()->constBegin() + index)->value;
    double lr = m_initialLr;
    for (const auto &[from, rate] : m_lrChanges)
        if (from <= step)
            lr = rate;
    QString text = tr("step %1: loss %2, smoothed %3").arg(qint64(step)).arg(number(it->value), number(smoothed));
    if (lr > 0)
        text += tr(", lr %1").arg(number(lr));
    // A validation marker under the cursor.
    for (int i = 0; i < m_validation->dataCount(); ++i) {
        const auto point = m_validation->data()->constBegin() + i;
        const QPointF pixel(m_plot->xAxis->coordToPixel(point->key), m_plot->yAxis->coordToPixel(point->value));
        if (std::abs(pixel.x() - plotPos.x()) <= kValidationHitPixels
            && std::abs(pixel.y() - plotPos.y()) <= kValidationHitPixels && i < m_validationEpochs.size())
            text += tr(" \u00b7 validation after epoch %1: %2").arg(m_validationEpochs[i].first).arg(number(point->value));
    }
    m_tracer->setGraph(m_smooth);
    m_tracer->setGraphKey(step);
    m_tracer->setVisible(true);
    return text;
}

QString LossChart::readoutText() const
{
    return m_readout->text();
}

void LossChart::onMouseMove(QMouseEvent *event)
{
    m_readout->setText(readoutAt(event->pos()));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossChart::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(tr("Auto range"), this, [this] { setAutoRange(true); })->setEnabled(!m_autoRange);
    QAction *log = menu.addAction(tr("Log scale"), this, &LossChart::setLogScale);
    log->setCheckable(true);
    log->setChecked(isLogScale());
    menu.addSeparator();
    const bool hasData = m_raw->dataCount() > 0;
    menu.addAction(tr("Export as PNG\u2026"), this,
                   [this] { exportWithDialog(tr("PNG images (*.png)"), QStringLiteral("png")); })->setEnabled(hasData);
    menu.addAction(tr("Export as PDF\u2026"), this,
                   [this] { exportWithDialog(tr("PDF documents (*.pdf)"), QStringLiteral("pdf")); })->setEnabled(hasData);
    menu.addAction(tr("Export data as CSV\u2026"), this,
                   [this] { exportWithDialog(tr("CSV files (*.csv)"), QStringLiteral("csv")); })->setEnabled(hasData);
    menu.exec(m_plot->mapToGlobal(pos));
}

void LossChart::exportWithDialog(const QString &filter, const QString &suffix)
{
    QString path = QFileDialog::getSaveFileName(this, tr("Export the loss chart"),
                                                QStringLiteral("loss.%1").arg(suffix), filter);
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1Char('.') + suffix, Qt::CaseInsensitive))
        path += QLatin1Char('.') + suffix;
    const bool ok = suffix == QLatin1String("png") ? exportPng(path)
                    : suffix == QLatin1String("pdf") ? exportPdf(path)
                                                     : exportCsv(path);
    if (!ok)
        QMessageBox::warning(this, tr("Export failed"), tr("Cannot write %1").arg(path));
}

// Both written atomically, like every file the app writes: a failure keeps the previous one.
bool LossChart::exportPng(const QString &path, int width, int height)
{
    return aes::writeImageAtomically(path, m_plot->toPixmap(width, height).toImage()).isEmpty();
}

bool LossChart::exportPdf(const QString &path)
{
    // QCustomPlot writes PDFs to a path only: a temporary one beside the target, then its bytes.
    QTemporaryFile temporary(QDir(QFileInfo(path).absolutePath()).filePath(QStringLiteral(".loss-XXXXXX.pdf")));
    if (!temporary.open())
        return false;
    temporary.close();
    if (!m_plot->savePdf(temporary.fileName(), 1000, 600))
        return false;
    if (!temporary.open())
        return false;
    return aes::writeFileAtomically(path, temporary.readAll()).isEmpty();
}

bool LossChart::exportCsv(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    std::map<qint64, double> validation;
    for (int i = 0; i < m_validation->dataCount(); ++i) {
        const auto p = m_validation->data()->constBegin() + i;
        validation[qint64(p->key)] = p->value;
    }
    QTextStream out(&file);
    out << "step,train_loss,smoothed_loss,val_loss,learning_rate\n";
    double lr = m_initialLr;
    int nextChange = 0;
    auto smooth = m_smooth->data()->constBegin();
    for (auto it = m_raw->data()->constBegin(); it != m_raw->data()->constEnd(); ++it, ++smooth) {
        const qint64 step = qint64(it->key);
        while (nextChange < m_lrChanges.size() && m_lrChanges[nextChange].first <= step)
            lr = m_lrChanges[nextChange++].second;
        const auto val = validation.find(step);
        out << step << ',' << QString::number(it->value, 'g', 8) << ',' << QString::number(smooth->value, 'g', 8)
            << ',' << (val != validation.end() ? QString::number(val->second, 'g', 8) : QString())
            << ',' << (lr > 0 ? QString::number(lr, 'g', 6) : QString()) << '\n';
    }
    out.flush();
    return out.status() == QTextStream::Ok && aes::commitSaveFile(file).isEmpty();
}
