#include "latentmap.h"

#include "classlist.h"
#include "imagecaption.h"
#include "latent/kmeans.h"
#include "util/jobthread.h"
#include "latent/similar.h"
#include "latentmappanel.h"
#include "pointcard.h"
#include "pointlayer.h"
#include "qcustomplotinclude.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
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
    m_select = new SelectionTool(m_plot, this);
    connect(m_select, &SelectionTool::selectionChanged, this, [this] {
        m_points->setSelectedPoints(pointsOf(selection()));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        Q_EMIT selectionChanged();
    });
    connect(m_select, &SelectionTool::hiddenChanged, this, &LatentMap::applyVisibility);

    m_card = new PointCard(m_plot);
    m_panel = new LatentMapPanel;
    connect(m_panel, &LatentMapPanel::projectionRequested, this, &LatentMap::projectionRequested);
    connect(m_panel, &LatentMapPanel::similarRequested, this, [this](int k) {
        if (m_pinned >= 0)
            findSimilar(m_pinned, k);
    });
    connect(m_panel, &LatentMapPanel::playRequested, this, &LatentMap::playRequested);
    connect(m_panel, &LatentMapPanel::pointCapChanged, this, &LatentMap::pointCapChanged);
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
    for (QToolButton *button : m_select->buttons())
        tools->addWidget(button);
    tools->addStretch(0);  // takes the row's rest while the statement is hidden
    m_sampleNote = new QLabel;
    m_sampleNote->setObjectName(QStringLiteral("sampleNote"));
    m_sampleNote->setTextFormat(Qt::RichText);
    m_sampleNote->setWordWrap(true);  // wraps rather than widening the window beside the tools
    m_sampleNote->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_sampleNote->setToolTip(tr("The map draws a seeded sample of the images (each class keeps its share). "
                                "Find images like this, clusters and exports still use every image."));
    m_sampleNote->hide();
    connect(m_sampleNote, &QLabel::linkActivated, m_panel, &LatentMapPanel::focusPointCap);
    tools->addWidget(m_sampleNote, 1);
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
    const bool sameClasses = map.classNames == m_map.classNames && map.rowCount() == m_map.rowCount();
    const bool sameRows = map.rowCount() == m_map.rowCount();
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
        m_select->reset();
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
    updateSampleNote();
    setAxisLabels();
    // A new map moves the points: the hovered one is found again on the next mouse move.
    if (m_hovered >= 0)
        hideCard();
    rebuildGraphs(!m_userView || !sameClasses);
}

void LatentMap::setPointCap(qint64 cap)
{
    m_panel->setPointCap(cap);
}

qint64 LatentMap::pointCap() const
{
    return m_panel->pointCap();
}

QString LatentMap::sampleNote() const
{
    if (!m_map.sampled())
        return {};
    const QLocale locale;
    return tr("Showing %1 of %2 images (sample)")
        .arg(locale.toString(m_map.pointCount()), locale.toString(m_map.rowCount()));
}

void LatentMap::updateSampleNote()
{
    const QString note = sampleNote();
    m_sampleNote->setVisible(!note.isEmpty());
    if (!note.isEmpty())
        m_sampleNote->setText(QStringLiteral("%1 \u2013 <a href=\"cap\">%2</a>").arg(note.toHtmlEscaped(), tr("change")));
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
    setLayerPoints();
    m_points->setSelectedPoints(pointsOf(selection()));
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

// The rows' points (rows without one, outside the map's sample, left out), in rows' order.
QVector<qint64> LatentMap::pointsOf(const QVector<qint64> &rows) const
{
    if (!m_map.sampled())
        return rows;
    QVector<qint64> points;
    points.reserve(rows.size());
    for (qint64 row : rows)
        if (const qint64 p = m_map.pointOf(row); p >= 0)
            points.append(p);
    return points;
}

// The point layer's points, groups, colours and hidden points (it works in points, the map in rows).
void LatentMap::setLayerPoints()
{
    QVector<int> groups = m_groups.rowGroups();
    QVector<bool> hidden = m_select->hidden();
    if (m_map.sampled()) {
        QVector<int> pointGroups(m_map.pointCount(), -1);
        QVector<bool> pointHidden(hidden.isEmpty() ? 0 : m_map.pointCount(), false);
        for (qint64 p = 0; p < m_map.pointCount(); ++p) {
            const qint64 row = m_map.sampleRows[p];
            pointGroups[p] = groups.value(row, -1);
            if (!pointHidden.isEmpty())
                pointHidden[p] = hidden.value(row, false);
        }
        groups = pointGroups;
        hidden = pointHidden;
    }
    m_points->setPoints(m_map.x, m_map.y, groups, m_groups.colors());
    for (int g = 0; g < m_groups.count(); ++g)
        m_points->setClassVisible(g, m_groups.isVisible(g));
    m_points->setHiddenPoints(hidden);
}

void LatentMap::updateMarkers()
{
    QVector<double> xs, ys;
    if (const qint64 p = m_map.pointOf(m_pinned); p >= 0) {
        xs << m_map.x[p];
        ys << m_map.y[p];
    }
    if (m_markGraph)
        m_markGraph->setData(xs, ys);
    for (auto [mark, index] : {std::pair{m_markA, m_markedA}, std::pair{m_markB, m_markedB}}) {
        const qint64 p = m_map.pointOf(index);
        mark->setVisible(p >= 0);
        if (p >= 0)
            mark->position->setCoords(m_map.x[p], m_map.y[p]);
    }
}

void LatentMap::highlightPoint(qint64 index)
{
    m_pinned = index >= 0 && index < m_map.rowCount() ? index : -1;
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
    setLayerPoints();
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
    return m_groups.isVisible(m_groups.groupOf(row)) && !m_select->isHidden(row);
}

QWidget *LatentMap::plotWidget() const
{
    return m_plot;
}

QPointF LatentMap::pixelOf(qint64 index) const
{
    const qint64 p = m_map.pointOf(index);
    if (p < 0)
        return {};
    return {m_plot->xAxis->coordToPixel(m_map.x[p]), m_plot->yAxis->coordToPixel(m_map.y[p])};
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
    const qint64 point = m_index->nearestWhere(
        coord.x(), coord.y(), [this](qint64 p) { return rowShown(m_map.rowOf(p)); }, yWeight());
    return m_map.rowOf(point);
}

QString LatentMap::caption(qint64 index) const
{
    const QString text = pointCaption(m_map, index, m_hoverDetails);
    // Pinned from a list (worst reconstructions, a search): it may have no point here.
    if (m_map.sampled() && m_map.pointOf(index) < 0)
        return text + QLatin1Char('\n') + tr("(not drawn: outside the map's sample)");
    return text;
}

void LatentMap::onMouseMove(QMouseEvent *event)
{
    if (m_pressed && m_select->dragging()) {
        m_select->extend(event->position());
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
    if (m_pressed && tool() != Tool::Pan) {
        m_select->begin(event->position());
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
    if (m_select->dragging()) {
        m_select->end(event->position(), event->modifiers() & Qt::ShiftModifier, m_map,
                      [this](qint64 row) { return rowShown(row); });
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

bool LatentMap::findSimilar(qint64 row, int k)
{
    const qint64 n = m_map.rowCount();  // every image, on the map's sample or not
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

bool LatentMap::cluster(int k, quint64 seed)
{
    const qint64 n = m_map.rowCount();  // every image's code, on the map's sample or not
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
    if (request != m_clusterRequest || result.assignment.size() != m_map.rowCount())
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
    hide->setEnabled(!selection().isEmpty());
    connect(hide, &QAction::triggered, this, &LatentMap::hideSelection);
    QAction *show = menu.addAction(tr("Show hidden points (%1)").arg(hiddenCount()));
    show->setEnabled(hiddenCount() > 0);
    connect(show, &QAction::triggered, this, &LatentMap::showHiddenPoints);
    QAction *clear = menu.addAction(tr("Clear selection"));
    clear->setEnabled(!selection().isEmpty());
    connect(clear, &QAction::triggered, this, &LatentMap::clearSelection);
    menu.exec(m_plot->mapToGlobal(pos));
}
