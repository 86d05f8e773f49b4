#include "latentmap.h"

#include "classlist.h"
#include "imagecaption.h"
#include "latent/kmeans.h"
#include "util/jobthread.h"
#include "latent/selection.h"
#include "latent/similar.h"
#include "latentmappanel.h"
#include "pointcard.h"
#include "pointlayer.h"
#include "qcustomplotinclude.h"

#include <QApplication>
#include <QButtonGroup>
#include <QHBoxLayout>
#include <QMenu>
#include <QMouseEvent>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace {

constexpr double kClickSlop = 4.0;     // pixels a click may move and still be a click
constexpr int kDefaultNeighbours = 10;

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
    m_plot->legend->setVisible(false);  // the class list beside the map is the legend
    m_plot->setMouseTracking(true);
    m_plot->setMinimumSize(300, 240);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, &LatentMap::showContextMenu);
    m_points = new PointLayer(m_plot);
    m_shape = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
    m_shape->removeFromLegend();
    m_shape->setPen(QPen(QColor(20, 20, 20), 1.5, Qt::DashLine));
    m_shape->setBrush(QColor(30, 120, 220, 40));
    m_shape->setScatterStyle(QCPScatterStyle::ssNone);
    m_shape->setLayer(QStringLiteral("overlay"));

    m_card = new PointCard(m_plot);
    m_panel = new LatentMapPanel;
    connect(m_panel, &LatentMapPanel::projectionRequested, this, &LatentMap::projectionRequested);
    connect(m_panel, &LatentMapPanel::similarRequested, this, [this](int k) {
        if (m_pinned >= 0)
            findSimilar(m_pinned, k);
    });
    connect(m_panel, &LatentMapPanel::playRequested, this, &LatentMap::playRequested);
    m_classes = new ClassList;
    connect(m_classes, &ClassList::visibilityToggled, this, &LatentMap::setClassVisible);
    connect(m_classes, &ClassList::soloRequested, this, [this](int group) {
        m_groups.solo(group);
        applyVisibility();
    });
    connect(m_classes, &ClassList::setAllRequested, this, [this](const QVector<int> &groups, bool visible) {
        for (int g : groups)
            m_groups.setVisible(g, visible);
        applyVisibility();
    });
    connect(m_classes, &ClassList::colourByClusters, this, &LatentMap::setColourByCluster);
    connect(m_classes, &ClassList::clusterRequested, this, [this](int k, quint64 seed) {
        if (!cluster(k, seed))
            Q_EMIT message(tr("No codes to cluster yet: train a model, or wait for the next map."));
    });
    connect(m_classes, &ClassList::exportClustersRequested, this, &LatentMap::exportClustersRequested);

    // The mouse's tools, above the plot.
    auto *tools = new QHBoxLayout;
    tools->setContentsMargins(4, 2, 4, 0);
    auto *toolGroup = new QButtonGroup(this);
    const struct {
        Tool tool;
        QString text, tip;
    } toolInfo[] = {{Tool::Pan, tr("Pan"), tr("Drag pans the map; click pins a point or decodes empty space")},
                    {Tool::Rectangle, tr("Rectangle select"), tr("Drag a rectangle to select its points (shift: add to the selection)")},
                    {Tool::Lasso, tr("Lasso select"), tr("Draw around points to select them (shift: add to the selection)")}};
    for (int t = 0; t < 3; ++t) {
        auto *button = new QToolButton;
        button->setText(toolInfo[t].text);
        button->setToolTip(toolInfo[t].tip);
        button->setCheckable(true);
        button->setAutoRaise(true);
        toolGroup->addButton(button);
        const Tool tool = toolInfo[t].tool;
        connect(button, &QToolButton::clicked, this, [this, tool] { setTool(tool); });
        tools->addWidget(button);
        m_toolButtons[t] = button;
    }
    m_toolButtons[0]->setChecked(true);
    tools->addStretch(1);
    auto *centre = new QVBoxLayout;
    centre->setContentsMargins(0, 0, 0, 0);
    centre->setSpacing(0);
    centre->addLayout(tools);
    centre->addWidget(m_plot, 1);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_classes);
    layout->addLayout(centre, 1);
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
    clear();
}

LatentMap::~LatentMap()
{
    m_jobs.reset();  // waits for a running k-means, whose answer is then dropped with this object
}

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
    const bool sameRows = map.x.size() == m_map.x.size();
    m_map = map;
    // Built here, not at the first hover: every lookup stays microseconds.
    m_index = m_map.x.isEmpty() ? nullptr : std::make_unique<aes::PlaneIndex>(m_map.x, m_map.y);
    const bool hadClusters = m_groups.hasClusters();
    m_groups.setMap(map);
    if (!sameClasses) {
        m_pinned = -1;
        m_markedA = m_markedB = -1;
    }
    if (!sameRows) {
        m_selection.clear();
        m_selectionDistances.clear();
        m_selectionQuery = -1;
        m_hidden.clear();
        m_codes.clear();
        m_codeDims = 0;
    }
    // Intermediate layouts carry no codes: the last ones of these rows stay.
    if (!map.codes.isEmpty() && map.latentSize > 0) {
        m_codes = map.codes;
        m_codeDims = map.latentSize;
    }
    m_classes->setCanCluster(hasCodes());
    if (hadClusters != m_groups.hasClusters())
        Q_EMIT clustersChanged();
    if (!sameRows)
        Q_EMIT selectionChanged();
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
    // Every point is drawn by m_points in one pass.
    m_points->setPoints(m_map.x, m_map.y, m_groups.rowGroups(), m_groups.colors());
    for (int g = 0; g < m_groups.count(); ++g)
        m_points->setClassVisible(g, m_groups.isVisible(g));
    m_points->setHiddenPoints(m_hidden);
    m_points->setSelectedPoints(m_selection);
    updateClassList();
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
    if (classIndex < 0 || classIndex >= m_groups.count())
        return;
    m_groups.setVisible(classIndex, visible);
    applyVisibility();
}

bool LatentMap::isClassVisible(int classIndex) const
{
    return m_groups.isVisible(classIndex);
}

// Which groups are shown changed: points, colours (they follow the groups shown beyond 20)
// and the list.
void LatentMap::applyVisibility()
{
    m_points->setPoints(m_map.x, m_map.y, m_groups.rowGroups(), m_groups.colors());
    for (int g = 0; g < m_groups.count(); ++g)
        m_points->setClassVisible(g, m_groups.isVisible(g));
    m_points->setHiddenPoints(m_hidden);
    updateClassList();
    if (m_hovered >= 0 && !rowShown(m_hovered))
        hideCard();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LatentMap::updateClassList()
{
    m_classes->setClustersAvailable(m_groups.hasClusters());
    m_classes->setGroups(m_groups.entries(), m_groups.byCluster(), m_groups.note());
}

bool LatentMap::rowShown(qint64 row) const
{
    return m_groups.isVisible(m_groups.groupOf(row)) && !m_hidden.value(row, false);
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
    return m_index->nearestWhere(coord.x(), coord.y(), [this](qint64 i) { return rowShown(i); }, yWeight());
}

QString LatentMap::caption(qint64 index) const
{
    return pointCaption(m_map, index, m_hoverDetails);
}

void LatentMap::onMouseMove(QMouseEvent *event)
{
    if (m_pressed && m_tool != Tool::Pan) {
        dragSelection(event->position());
        return;
    }
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

void LatentMap::setSpectrograms(bool on, bool canPlay, const QString &reason)
{
    m_card->setSpectrograms(on);
    m_panel->setSpectrograms(on, canPlay, reason);
}

bool LatentMap::playHovered()
{
    if (m_hovered < 0 || m_hoverImage.isNull())
        return false;
    Q_EMIT playRequested(m_hoverImage, caption(m_hovered).section(QLatin1Char('\n'), 0, 0));
    return true;
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
    if (m_pressed && m_tool != Tool::Pan) {
        m_dragPath = {event->position()};
        m_card->hide();
        return;
    }
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
    if (m_tool != Tool::Pan) {
        dragSelection(event->position());
        finishSelection(event->modifiers() & Qt::ShiftModifier);
        return;
    }
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

void LatentMap::setTool(Tool tool)
{
    m_tool = tool;
    m_toolButtons[int(tool)]->setChecked(true);
    // Selection tools drag shapes, not the view.
    m_plot->setInteraction(QCP::iRangeDrag, tool == Tool::Pan);
    m_plot->setCursor(tool == Tool::Pan ? Qt::ArrowCursor : Qt::CrossCursor);
}

void LatentMap::dragSelection(const QPointF &pixel)
{
    if (m_dragPath.isEmpty())
        return;
    if (m_tool == Tool::Rectangle)
        m_dragPath = {m_dragPath.first(), pixel};
    else if (QLineF(m_dragPath.last(), pixel).length() >= 2.0)
        m_dragPath.append(pixel);
    // The outline in map coordinates, closed.
    QVector<QPointF> corners = m_dragPath;
    if (m_tool == Tool::Rectangle && corners.size() == 2) {
        const QRectF r = QRectF(corners[0], corners[1]).normalized();
        corners = {r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()};
    }
    QVector<double> t, xs, ys;
    for (int i = 0; i <= corners.size(); ++i) {
        const QPointF c = coordOf(corners[i % corners.size()]);
        t << i;
        xs << c.x();
        ys << c.y();
    }
    m_shape->setData(t, xs, ys);
    m_shape->setVisible(true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LatentMap::finishSelection(bool add)
{
    QPolygonF polygon;
    if (m_tool == Tool::Rectangle && m_dragPath.size() == 2) {
        const QRectF r = QRectF(m_dragPath[0], m_dragPath[1]).normalized();
        polygon << r.topLeft() << r.topRight() << r.bottomRight() << r.bottomLeft();
    } else {
        polygon = QPolygonF(m_dragPath);
    }
    m_dragPath.clear();
    m_shape->data()->clear();
    m_shape->setVisible(false);
    // Points inside the shape as drawn on screen, in map coordinates (the axes are linear).
    QPolygonF mapPolygon;
    for (const QPointF &p : polygon)
        mapPolygon << coordOf(p);
    const auto shown = [this](qint64 row) { return rowShown(row); };
    QVector<qint64> rows = m_tool == Tool::Rectangle && mapPolygon.size() == 4
                               ? aes::pointsInRect(m_map.x, m_map.y, mapPolygon.boundingRect(), shown)
                               : aes::pointsInPolygon(m_map.x, m_map.y, mapPolygon, shown);
    if (add && m_selectionDistances.isEmpty()) {
        rows += m_selection;
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    }
    setSelection(rows);
}

void LatentMap::setSelection(const QVector<qint64> &rows, const QVector<float> &distances, qint64 query)
{
    m_selection = rows;
    m_selectionDistances = distances.size() == rows.size() ? distances : QVector<float>();
    m_selectionQuery = query;
    m_points->setSelectedPoints(m_selection);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT selectionChanged();
}

bool LatentMap::findSimilar(qint64 row, int k)
{
    const qint64 n = m_map.x.size();
    if (m_codes.isEmpty() || m_codeDims <= 0 || row < 0 || row >= n || m_codes.size() != n * m_codeDims)
        return false;
    const aes::CodeTable table{m_codes.constData(), n, m_codeDims};
    const QVector<aes::Neighbour> found =
        aes::nearestCodes(table, table.row(row), k, [this, row](qint64 i) { return i == row || rowShown(i); }, row);
    QVector<qint64> rows;
    QVector<float> distances;
    for (const aes::Neighbour &nb : found) {
        rows << nb.row;
        distances << nb.distance;
    }
    setSelection(rows, distances, row);
    return true;
}

void LatentMap::hideSelection()
{
    if (m_selection.isEmpty())
        return;
    if (m_hidden.size() != m_map.x.size())
        m_hidden = QVector<bool>(m_map.x.size(), false);
    for (qint64 row : m_selection)
        if (row >= 0 && row < m_hidden.size())
            m_hidden[row] = true;
    setSelection({});
    applyVisibility();
}

void LatentMap::showHiddenPoints()
{
    m_hidden.clear();
    applyVisibility();
}

qint64 LatentMap::hiddenCount() const
{
    return std::count(m_hidden.cbegin(), m_hidden.cend(), true);
}

bool LatentMap::cluster(int k, quint64 seed)
{
    const qint64 n = m_map.x.size();
    if (m_codes.isEmpty() || m_codeDims <= 0 || m_codes.size() != n * m_codeDims)
        return false;
    // Seconds at hundreds of thousands of codes: off the GUI thread, the newest request wins.
    if (!m_jobs)
        m_jobs = std::make_unique<aes::JobThread>(QStringLiteral("k-means"));
    const quint64 request = ++m_clusterRequest;
    const QVector<float> codes = m_codes;  // shared: the job reads it while new maps arrive
    const int dims = m_codeDims;
    Q_EMIT message(tr("Clustering %1 codes into %2 clusters\u2026").arg(n).arg(k));
    m_jobs->post([this, request, codes, n, dims, k, seed] {
        aes::KMeansResult result = aes::kmeans({codes.constData(), n, dims}, {k, seed, 100});
        QMetaObject::invokeMethod(this, [this, request, result = std::move(result)] { applyClusters(request, result); },
                                  Qt::QueuedConnection);
    });
    return true;
}

void LatentMap::applyClusters(quint64 request, const aes::KMeansResult &result)
{
    // A newer request, or a map of other rows since, makes these clusters stale.
    if (request != m_clusterRequest || result.assignment.size() != m_map.x.size())
        return;
    m_groups.setClusters(result.assignment, result.k);
    m_groups.setByCluster(true);
    rebuildGraphs(false);
    Q_EMIT message(tr("%1 clusters after %2 iterations").arg(result.k).arg(result.iterations));
    Q_EMIT clustersChanged();
}

void LatentMap::setColourByCluster(bool byCluster)
{
    m_groups.setByCluster(byCluster);
    if (m_hovered >= 0)
        hideCard();
    rebuildGraphs(false);
}

void LatentMap::showContextMenu(const QPoint &pos)
{
    if (m_map.x.isEmpty())
        return;
    const qint64 nearest = nearestPoint(pos);
    const bool onPoint = nearest >= 0 && QLineF(pixelOf(nearest), pos).length() <= kHoverRadius;
    QMenu menu(this);
    if (onPoint) {
        QAction *similar = menu.addAction(tr("Find %1 images like this").arg(kDefaultNeighbours));
        similar->setEnabled(hasCodes());
        connect(similar, &QAction::triggered, this, [this, nearest] { findSimilar(nearest, kDefaultNeighbours); });
        connect(menu.addAction(tr("Pin")), &QAction::triggered, this, [this, nearest] { highlightPoint(nearest); });
        menu.addSeparator();
    }
    QAction *hide = menu.addAction(tr("Hide selected points"));
    hide->setEnabled(!m_selection.isEmpty());
    connect(hide, &QAction::triggered, this, &LatentMap::hideSelection);
    QAction *show = menu.addAction(tr("Show hidden points (%1)").arg(hiddenCount()));
    show->setEnabled(hiddenCount() > 0);
    connect(show, &QAction::triggered, this, &LatentMap::showHiddenPoints);
    QAction *clear = menu.addAction(tr("Clear selection"));
    clear->setEnabled(!m_selection.isEmpty());
    connect(clear, &QAction::triggered, this, &LatentMap::clearSelection);
    menu.exec(m_plot->mapToGlobal(pos));
}
