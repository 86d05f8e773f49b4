#include "latentmap.h"

#include "imagecaption.h"
#include "latentmappanel.h"
#include "pointcard.h"
#include "pointlayer.h"
#include "qcustomplotinclude.h"

#include <QHBoxLayout>
#include <QMouseEvent>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace {

constexpr int kMarkerSize = PointLayer::kMarkerSize;  // pixels (the legend's icons)
constexpr double kClickSlop = 4.0;     // pixels a click may move and still be a click

QPixmap markerPixmap(const QColor &color)
{
    return QPixmap::fromImage(markerDisc(color, kMarkerSize));
}

// A graph outside the legend that only marks places (the probe, the pinned point).
QCPGraph *addMarkGraph(QCustomPlot *plot, QCPScatterStyle::ScatterShape shape, double size)
{
    QCPGraph *graph = plot->addGraph();
    graph->setProperty("classIndex", -1);
    graph->removeFromLegend();
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(QCPScatterStyle(shape, QPen(Qt::black, 2), Qt::NoBrush, size));
    return graph;
}

// An interpolation end's label ("A", "B"), hidden until placed.
QCPItemText *addEndLabel(QCustomPlot *plot, const QString &text)
{
    QFont font = plot->font();
    font.setBold(true);
    auto *mark = new QCPItemText(plot);
    mark->setText(text);
    mark->setFont(font);
    mark->setColor(Qt::black);
    mark->setBrush(QColor(255, 255, 255, 220));
    mark->setPen(QPen(Qt::black));
    mark->setPadding(QMargins(3, 1, 3, 1));
    mark->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
    mark->setVisible(false);
    mark->setLayer(QStringLiteral("overlay"));  // above the points, which are rebuilt per map
    return mark;
}

} // namespace

LatentMap::LatentMap(QWidget *parent) : QWidget(parent)
{
    m_plot = new QCustomPlot;
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->xAxis->setLabel(tr("latent x"));
    m_plot->yAxis->setLabel(tr("latent y"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    m_plot->legend->setIconSize(10, 10);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->setMouseTracking(true);
    m_plot->setMinimumSize(300, 240);
    m_points = new PointLayer(m_plot);

    m_card = new PointCard(m_plot);
    m_panel = new LatentMapPanel;
    connect(m_panel, &LatentMapPanel::projectionRequested, this, &LatentMap::projectionRequested);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_panel);

    m_markA = addEndLabel(m_plot, QStringLiteral("A"));
    m_markB = addEndLabel(m_plot, QStringLiteral("B"));

    connect(m_plot, &QCustomPlot::mouseMove, this, &LatentMap::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &LatentMap::onMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &LatentMap::onMouseRelease);
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this](QWheelEvent *) { m_userView = true; });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent *) {
        m_userView = false;
        rebuildGraphs(true);
    });
    connect(m_plot, &QCustomPlot::legendClick, this,
            [this](QCPLegend *, QCPAbstractLegendItem *item, QMouseEvent *) {
                auto *plottableItem = qobject_cast<QCPPlottableLegendItem *>(item);
                if (!plottableItem)
                    return;
                const int classIndex = plottableItem->plottable()->property("classIndex").toInt();
                setClassVisible(classIndex, !isClassVisible(classIndex));
            });
    clear();
}

LatentMap::~LatentMap() = default;

void LatentMap::clear()
{
    m_pinned = -1;
    m_hasProbe = false;
    m_markedA = m_markedB = -1;
    setMap(aes::LatentSnapshot());
    m_panel->clearPoint();
}

void LatentMap::setMap(const aes::LatentSnapshot &map)
{
    const bool sameClasses = map.classNames == m_map.classNames && map.x.size() == m_map.x.size();
    m_map = map;
    // Built here, not at the first hover: every lookup stays microseconds.
    m_index = m_map.x.isEmpty() ? nullptr : std::make_unique<aes::PlaneIndex>(m_map.x, m_map.y);
    if (!sameClasses) {
        m_classVisible = QVector<bool>(map.classNames.size() + 1, true);
        m_pinned = -1;
        m_markedA = m_markedB = -1;
    }
    m_panel->setMap(map);
    setAxisLabels();
    // A new map moves the points: the hovered one is found again on the next mouse move.
    if (m_hovered >= 0)
        hideCard();
    rebuildGraphs(!m_userView || !sameClasses);
}

// Axes named after what they show.
void LatentMap::setAxisLabels()
{
    using Method = aes::ProjectionMethod;
    QString x = tr("t-SNE x"), y = tr("t-SNE y");
    if (m_map.method == Method::Direct || m_map.method == Method::Dims) {
        const bool dims = m_map.method == Method::Dims;
        x = tr("code number %1").arg(dims ? m_map.dimX : 0);
        y = tr("code number %1").arg(dims ? m_map.dimY : 1);
    } else if (m_map.method == Method::Pca) {
        x = tr("principal component 1");
        y = tr("principal component 2");
    } else if (m_map.method == Method::Umap) {
        x = tr("UMAP x");
        y = tr("UMAP y");
    }
    m_plot->xAxis->setLabel(x);
    m_plot->yAxis->setLabel(y);
}

void LatentMap::hideCard()
{
    m_hovered = -1;
    m_card->hide();
    Q_EMIT hoveredPointChanged(-1);
}

void LatentMap::rebuildGraphs(bool rescale)
{
    m_plot->clearGraphs();
    // The points are drawn by m_points in one pass; the class graphs (without data) give
    // the legend its entries.
    const int classes = m_map.classNames.size();
    const QVector<QColor> colors = classColors(classes);
    m_points->setPoints(m_map.x, m_map.y, m_map.labels, colors);
    for (int c = 0; c <= classes; ++c) {
        m_points->setClassVisible(c, m_classVisible.value(c, true));
        if (m_points->classSize(c) == 0)
            continue;
        QCPGraph *graph = m_plot->addGraph();
        graph->setProperty("classIndex", c);
        graph->setName(c < classes ? m_map.classNames.at(c) : tr("unlabelled"));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setPen(QPen(colors.at(c)));
        graph->setScatterStyle(QCPScatterStyle(markerPixmap(colors.at(c))));
        graph->setVisible(m_classVisible.value(c, true));
        if (auto *item = m_plot->legend->itemWithPlottable(graph))
            item->setTextColor(graph->visible() ? Qt::black : Qt::gray);
    }
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 1);
    // Marks where the side panel's decoded image comes from.
    m_probeGraph = addMarkGraph(m_plot, QCPScatterStyle::ssCrossCircle, 14);
    m_probeGraph->setData({m_probe.x()}, {m_probe.y()});
    m_probeGraph->setVisible(m_hasProbe);
    m_markGraph = addMarkGraph(m_plot, QCPScatterStyle::ssCircle, 13);
    updateMarkers();
    if (rescale && !m_map.x.isEmpty()) {
        const auto [minX, maxX] = std::minmax_element(m_map.x.cbegin(), m_map.x.cend());
        const auto [minY, maxY] = std::minmax_element(m_map.y.cbegin(), m_map.y.cend());
        for (auto [axis, low, high] : {std::tuple{m_plot->xAxis, double(*minX), double(*maxX)},
                                       std::tuple{m_plot->yAxis, double(*minY), double(*maxY)}}) {
            const double margin = std::max((high - low) * 0.04, 1e-6);
            axis->setRange(low - margin, high + margin);
        }
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LatentMap::updateMarkers()
{
    QVector<double> xs, ys;
    if (m_pinned >= 0 && m_pinned < m_map.x.size()) {
        xs << m_map.x[m_pinned];
        ys << m_map.y[m_pinned];
    }
    if (m_markGraph)
        m_markGraph->setData(xs, ys);
    for (auto [mark, index] : {std::pair{m_markA, m_markedA}, std::pair{m_markB, m_markedB}}) {
        const bool shown = index >= 0 && index < m_map.x.size();
        mark->setVisible(shown);
        if (shown)
            mark->position->setCoords(m_map.x[index], m_map.y[index]);
    }
}

void LatentMap::highlightPoint(qint64 index)
{
    m_pinned = index >= 0 && index < m_map.x.size() ? index : -1;
    updateMarkers();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    if (m_pinned >= 0) {
        m_panel->showPinned(caption(m_pinned));
        Q_EMIT imageRequested(m_pinned);
    }
}

void LatentMap::setMarkedPoints(qint64 a, qint64 b)
{
    m_markedA = a;
    m_markedB = b;
    updateMarkers();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LatentMap::setReplay(bool replay, const QString &note)
{
    m_replay = replay;
    m_panel->setReplay(replay, note);
}

QRectF LatentMap::visibleRegion() const
{
    const QCPRange x = m_plot->xAxis->range(), y = m_plot->yAxis->range();
    return QRectF(x.lower, y.lower, x.size(), y.size());
}

void LatentMap::setClassVisible(int classIndex, bool visible)
{
    if (classIndex < 0 || classIndex >= m_classVisible.size())
        return;
    m_classVisible[classIndex] = visible;
    m_points->setClassVisible(classIndex, visible);
    for (int g = 0; g < m_plot->graphCount(); ++g) {
        QCPGraph *graph = m_plot->graph(g);
        if (graph->property("classIndex").toInt() != classIndex)
            continue;
        graph->setVisible(visible);
        if (auto *item = m_plot->legend->itemWithPlottable(graph))
            item->setTextColor(visible ? Qt::black : Qt::gray);
    }
    if (m_hovered >= 0 && !visible)
        hideCard();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool LatentMap::isClassVisible(int classIndex) const
{
    return m_classVisible.value(classIndex, true);
}

QWidget *LatentMap::plotWidget() const
{
    return m_plot;
}

QPointF LatentMap::pixelOf(qint64 index) const
{
    if (index < 0 || index >= m_map.x.size())
        return {};
    return {m_plot->xAxis->coordToPixel(m_map.x[index]), m_plot->yAxis->coordToPixel(m_map.y[index])};
}

QPointF LatentMap::coordOf(const QPointF &plotPixel) const
{
    return {m_plot->xAxis->pixelToCoord(plotPixel.x()), m_plot->yAxis->pixelToCoord(plotPixel.y())};
}

// The squared ratio of pixels per unit y to pixels per unit x: on-screen distances.
double LatentMap::yWeight() const
{
    const double kx = std::abs(m_plot->xAxis->coordToPixel(1.0) - m_plot->xAxis->coordToPixel(0.0));
    const double ky = std::abs(m_plot->yAxis->coordToPixel(1.0) - m_plot->yAxis->coordToPixel(0.0));
    const double ratio = kx > 0.0 && ky > 0.0 ? ky / kx : 1.0;
    return ratio * ratio;
}

qint64 LatentMap::nearestPoint(const QPointF &plotPixel) const
{
    const qint64 n = m_map.x.size();
    if (n == 0)
        return -1;
    if (!m_index)
        m_index = std::make_unique<aes::PlaneIndex>(m_map.x, m_map.y);
    const QPointF coord = coordOf(plotPixel);
    const int classes = m_map.classNames.size();
    const auto visible = [&](qint64 i) {
        const int label = m_map.labels.value(i, -1);
        return m_classVisible.value(label >= 0 && label < classes ? label : classes, true);
    };
    return m_index->nearestWhere(coord.x(), coord.y(), visible, yWeight());
}

QString LatentMap::caption(qint64 index) const
{
    return pointCaption(m_map, index, m_hoverDetails);
}

void LatentMap::onMouseMove(QMouseEvent *event)
{
    if (m_draggingProbe) {
        // The probe follows the mouse and asks for each place; the worker serves the newest.
        const QPointF coord = coordOf(event->position());
        m_probe = coord;
        m_probeGraph->setData({coord.x()}, {coord.y()});
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        Q_EMIT decodeRequested(coord.x(), coord.y());
        return;
    }
    hover(event->position());
}

void LatentMap::hover(const QPointF &pixel)
{
    m_lastCursor = pixel;
    qint64 nearest = m_plot->axisRect()->rect().contains(pixel.toPoint()) ? nearestPoint(pixel) : -1;
    if (nearest >= 0 && QLineF(pixelOf(nearest), pixel).length() > kHoverRadius)
        nearest = -1;
    if (nearest != m_hovered) {
        m_hovered = nearest;
        m_hoverImage = QImage();
        Q_EMIT hoveredPointChanged(nearest);
        if (nearest >= 0)
            Q_EMIT imageRequested(nearest);
        updateCard();
    }
    if (m_hovered >= 0)
        m_card->placeBeside(pixel);
}

void LatentMap::updateCard()
{
    if (m_hovered < 0) {
        m_card->hide();
        return;
    }
    const QImage reconstruction = m_hoverDetails.index == m_hovered ? m_hoverDetails.reconstruction : QImage();
    m_card->showPoint(caption(m_hovered), m_hoverImage, reconstruction, m_lastCursor);
}

void LatentMap::setImage(qint64 index, const QImage &image, const QString &label)
{
    Q_UNUSED(label);  // the map's own labels name the class
    if (index == m_hovered) {
        m_hoverImage = image;
        updateCard();
    }
    if (index == m_pinned)
        m_panel->showPinnedImage(image, caption(index));
}

void LatentMap::setPointDetails(const aes::PointDetails &details)
{
    if (details.index == m_hovered) {
        m_hoverDetails = details;
        m_hoverImage = details.image;
        updateCard();
    }
    if (details.index == m_pinned)
        m_panel->showPinnedDetails(details.image, details.reconstruction, caption(details.index), details.file);
}

void LatentMap::setDecodedImage(const QImage &image, double x, double y, bool exact)
{
    m_pinned = -1;
    updateMarkers();
    if (!m_draggingProbe) {
        m_hasProbe = true;
        m_probe = QPointF(x, y);
        m_probeGraph->setData({x}, {y});
    }
    m_probeGraph->setVisible(true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    m_panel->showDecoded(image, x, y, exact);
}

void LatentMap::onMousePress(QMouseEvent *event)
{
    m_pressed = event->button() == Qt::LeftButton;
    m_pressPos = event->pos();
    if (m_pressed && m_hasProbe && !m_replay && !m_map.x.isEmpty()) {
        const QPointF probePixel(m_plot->xAxis->coordToPixel(m_probe.x()), m_plot->yAxis->coordToPixel(m_probe.y()));
        if (QLineF(probePixel, event->position()).length() <= kHoverRadius) {
            // Grabbing the probe: the plot must not pan meanwhile.
            m_draggingProbe = true;
            m_plot->setInteraction(QCP::iRangeDrag, false);
            m_card->hide();
        }
    }
}

void LatentMap::onMouseRelease(QMouseEvent *event)
{
    if (!m_pressed || event->button() != Qt::LeftButton)
        return;
    m_pressed = false;
    if (m_draggingProbe) {
        m_draggingProbe = false;
        m_plot->setInteraction(QCP::iRangeDrag, true);
        if (QLineF(m_pressPos, event->pos()).length() > kClickSlop)
            return;  // a drag of the probe; a click on it decodes there once more below
    }
    if (QLineF(m_pressPos, event->pos()).length() > kClickSlop) {
        m_userView = true;  // a drag: the user pans
        return;
    }
    if (m_map.x.isEmpty() || !m_plot->axisRect()->rect().contains(event->pos()))
        return;
    if (m_plot->legend->visible() && m_plot->legend->outerRect().contains(event->pos()))
        return;  // legend clicks toggle classes
    const QPointF pixel = event->position();
    const qint64 nearest = nearestPoint(pixel);
    if (nearest >= 0 && QLineF(pixelOf(nearest), pixel).length() <= kHoverRadius / 2) {
        if (event->modifiers() & Qt::ShiftModifier) {
            Q_EMIT pointPicked(nearest);
            return;
        }
        highlightPoint(nearest);
        return;
    }
    if (m_replay)
        return;  // the worker decodes with the newest map, not the one replayed
    const QPointF coord = coordOf(pixel);
    Q_EMIT decodeRequested(coord.x(), coord.y());
}
