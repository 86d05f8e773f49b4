#include "latentmap.h"

#include "pointlayer.h"
#include "qcustomplotinclude.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

namespace {

constexpr int kMarkerSize = PointLayer::kMarkerSize;  // pixels (the legend's icons)
constexpr int kPanelImageSize = 168;
constexpr int kOverlayImageSize = 96;
constexpr double kClickSlop = 4.0;     // pixels a click may move and still be a click

// Tableau 10: distinct for the usual 10 classes; more classes take hues around the circle.
QColor classColor(int index, int count)
{
    static const QRgb kColors[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                   0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    if (count <= 10)
        return QColor(kColors[index % 10]);
    return QColor::fromHsvF(double(index) / count, 0.75, 0.85);
}

QPixmap markerPixmap(const QColor &color)
{
    return QPixmap::fromImage(markerDisc(color, kMarkerSize));
}

QPixmap scaledUp(const QImage &image, int size)
{
    if (image.isNull())
        return QPixmap();
    // Whole-number factors keep small images crisp.
    const int factor = std::max(1, size / std::max(image.width(), image.height()));
    const QImage big = factor > 1 ? image.scaled(image.size() * factor, Qt::KeepAspectRatio, Qt::FastTransformation)
                                  : image.scaled(size, size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return QPixmap::fromImage(big);
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

    m_overlay = new QLabel(m_plot);
    m_overlay->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_overlay->setStyleSheet(QStringLiteral(
        "QLabel { background: rgba(255,255,255,235); border: 1px solid #888; border-radius: 3px; padding: 4px; }"));
    m_overlay->setAlignment(Qt::AlignCenter);
    m_overlay->hide();

    m_info = new QLabel;
    m_info->setWordWrap(true);
    m_method = new QComboBox;
    // Data: the ProjectionMethod, -1 for automatic.
    m_method->addItem(tr("Automatic"), -1);
    m_method->addItem(tr("Two dimensions"), int(aes::ProjectionMethod::Dims));
    m_method->addItem(tr("PCA"), int(aes::ProjectionMethod::Pca));
    m_method->addItem(tr("t-SNE"), int(aes::ProjectionMethod::Tsne));
    m_method->setToolTip(tr("How codes become points of the map. Automatic: the code itself for a 2-number code, "
                            "else PCA. Two dimensions: two numbers of the code, the others at their mean when "
                            "decoding. t-SNE separates classes best but takes a while, runs only when training "
                            "is stopped, and is decoded approximately."));
    connect(m_method, &QComboBox::activated, this, [this] { requestProjection(); });
    m_dimX = new QSpinBox;
    m_dimY = new QSpinBox;
    m_dimY->setValue(1);
    for (QSpinBox *spin : {m_dimX, m_dimY}) {
        spin->setRange(0, 1);
        spin->setToolTip(tr("A latent dimension (0 = the code's first number)"));
        connect(spin, &QSpinBox::valueChanged, this, [this] { requestProjection(); });
    }
    m_dimsRow = new QWidget;
    auto *dimsLayout = new QHBoxLayout(m_dimsRow);
    dimsLayout->setContentsMargins(0, 0, 0, 0);
    dimsLayout->addWidget(new QLabel(tr("x")));
    dimsLayout->addWidget(m_dimX, 1);
    dimsLayout->addWidget(new QLabel(tr("y")));
    dimsLayout->addWidget(m_dimY, 1);
    m_dimsRow->hide();
    auto *help = new QLabel(tr("Hover a point to see it; click a point to pin it, shift+click to pick it "
                               "for an interpolation; click empty space to decode there and drag the "
                               "probe. Wheel zooms, double-click fits. Click a legend entry to hide its class."));
    help->setWordWrap(true);
    help->setStyleSheet(QStringLiteral("color: #606060;"));
    m_panelTitle = new QLabel;
    m_panelTitle->setWordWrap(true);
    m_panelImage = new QLabel;
    m_panelImage->setFixedSize(kPanelImageSize, kPanelImageSize);
    m_panelImage->setAlignment(Qt::AlignCenter);
    m_panelImage->setStyleSheet(QStringLiteral("QLabel { background: palette(base); border: 1px solid palette(mid); }"));
    m_panelCaption = new QLabel;
    m_panelCaption->setWordWrap(true);

    auto *panel = new QWidget;
    panel->setFixedWidth(kPanelImageSize + 24);
    auto *panelLayout = new QVBoxLayout(panel);
    panelLayout->addWidget(m_info);
    panelLayout->addWidget(m_method);
    panelLayout->addWidget(m_dimsRow);
    panelLayout->addWidget(help);
    panelLayout->addSpacing(12);
    panelLayout->addWidget(m_panelTitle);
    panelLayout->addWidget(m_panelImage);
    panelLayout->addWidget(m_panelCaption);
    panelLayout->addStretch(1);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addWidget(panel);

    QFont markFont = font();
    markFont.setBold(true);
    for (QCPItemText **mark : {&m_markA, &m_markB}) {
        *mark = new QCPItemText(m_plot);
        (*mark)->setFont(markFont);
        (*mark)->setColor(Qt::black);
        (*mark)->setBrush(QColor(255, 255, 255, 220));
        (*mark)->setPen(QPen(Qt::black));
        (*mark)->setPadding(QMargins(3, 1, 3, 1));
        (*mark)->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
        (*mark)->setVisible(false);
        (*mark)->setLayer(QStringLiteral("overlay"));  // above the points, which are rebuilt per map
    }
    m_markA->setText(QStringLiteral("A"));
    m_markB->setText(QStringLiteral("B"));

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
    m_panelTitle->clear();
    m_panelImage->clear();
    m_panelCaption->clear();
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
    updateDimsRange();
    // Axes named after what they show.
    using Method = aes::ProjectionMethod;
    switch (map.method) {
    case Method::Dims:
        m_plot->xAxis->setLabel(tr("code number %1").arg(map.dimX));
        m_plot->yAxis->setLabel(tr("code number %1").arg(map.dimY));
        break;
    case Method::Direct:
        m_plot->xAxis->setLabel(tr("code number 0"));
        m_plot->yAxis->setLabel(tr("code number 1"));
        break;
    case Method::Pca:
        m_plot->xAxis->setLabel(tr("principal component 1"));
        m_plot->yAxis->setLabel(tr("principal component 2"));
        break;
    case Method::Tsne:
        m_plot->xAxis->setLabel(tr("t-SNE x"));
        m_plot->yAxis->setLabel(tr("t-SNE y"));
        break;
    }
    // A new map moves the points: the hovered one is found again on the next mouse move.
    if (m_hovered >= 0) {
        m_hovered = -1;
        m_overlay->hide();
        Q_EMIT hoveredPointChanged(-1);
    }
    rebuildGraphs(!m_userView || !sameClasses);
    updateInfo();
}

void LatentMap::rebuildGraphs(bool rescale)
{
    m_plot->clearGraphs();
    const int classes = m_map.classNames.size();
    std::vector<std::vector<float>> xs(size_t(classes) + 1), ys(size_t(classes) + 1);
    const qint64 n = m_map.x.size();
    for (qint64 i = 0; i < n; ++i) {
        const int label = i < m_map.labels.size() ? m_map.labels[i] : -1;
        const size_t c = size_t(label >= 0 && label < classes ? label : classes);
        xs[c].push_back(m_map.x[i]);
        ys[c].push_back(m_map.y[i]);
    }
    // The points are drawn by m_points in one pass; the class graphs (without data) give
    // the legend its entries.
    QVector<QColor> colors;
    for (int c = 0; c <= classes; ++c)
        colors.append(c < classes ? classColor(c, classes) : QColor(Qt::gray));
    for (int c = 0; c <= classes; ++c) {
        if (xs[size_t(c)].empty())
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
    m_points->setPoints(std::move(xs), std::move(ys), colors);
    for (int c = 0; c <= classes; ++c)
        m_points->setClassVisible(c, m_classVisible.value(c, true));
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 1);
    // Marks where the side panel's decoded image comes from.
    m_probeGraph = m_plot->addGraph();
    m_probeGraph->setProperty("classIndex", -1);
    m_probeGraph->removeFromLegend();
    m_probeGraph->setLineStyle(QCPGraph::lsNone);
    m_probeGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QPen(Qt::black, 2), Qt::NoBrush, 14));
    m_probeGraph->setData({m_probe.x()}, {m_probe.y()});
    m_probeGraph->setVisible(m_hasProbe);
    m_markGraph = m_plot->addGraph();
    m_markGraph->setProperty("classIndex", -1);
    m_markGraph->removeFromLegend();
    m_markGraph->setLineStyle(QCPGraph::lsNone);
    m_markGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 2), Qt::NoBrush, 13));
    updateMarkers();
    if (rescale && n > 0) {
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

void LatentMap::updateInfo()
{
    if (m_map.x.isEmpty()) {
        m_info->setText(tr("<b>No map yet.</b><br>Train a model: after each epoch every image appears "
                           "here at its code's place."));
        return;
    }
    using Method = aes::ProjectionMethod;
    QString method = m_map.method == Method::Direct ? tr("the 2 code numbers")
                   : m_map.method == Method::Dims   ? tr("code numbers %1 and %2").arg(m_map.dimX).arg(m_map.dimY)
                   : m_map.method == Method::Pca    ? tr("PCA")
                                                    : tr("t-SNE");
    if (m_map.partial)
        method = tr("t-SNE, iteration %1 of %2").arg(m_map.iteration).arg(m_map.iterations);
    QString text = tr("<b>%1 images</b>, epoch %2<br>projected with %3")
                       .arg(QLocale().toString(qlonglong(m_map.x.size())))
                       .arg(m_map.epoch)
                       .arg(method);
    if (m_replay)
        text += QStringLiteral("<br><i>%1</i>").arg(m_replayNote.toHtmlEscaped());
    m_info->setText(text);
}

void LatentMap::requestProjection()
{
    const int data = m_method->currentData().toInt();
    const std::optional<aes::ProjectionMethod> method =
        data < 0 ? std::nullopt : std::optional<aes::ProjectionMethod>(aes::ProjectionMethod(data));
    m_dimsRow->setVisible(method == aes::ProjectionMethod::Dims);
    if (method == aes::ProjectionMethod::Dims && m_dimX->value() == m_dimY->value())
        return;  // the second spin box is on its way to another dimension
    Q_EMIT projectionRequested(method, m_dimX->value(), m_dimY->value());
}

void LatentMap::updateDimsRange()
{
    if (m_map.latentSize < 2)
        return;
    for (QSpinBox *spin : {m_dimX, m_dimY}) {
        const QSignalBlocker block(spin);
        spin->setMaximum(m_map.latentSize - 1);
    }
    // The panel shows what the map is, also when another part of the app asked for it.
    if (m_map.method == aes::ProjectionMethod::Dims || m_map.method == aes::ProjectionMethod::Tsne) {
        const QSignalBlocker block(m_method);
        m_method->setCurrentIndex(m_method->findData(int(m_map.method)));
    }
    if (m_map.method == aes::ProjectionMethod::Dims) {
        const QSignalBlocker blockX(m_dimX), blockY(m_dimY);
        m_dimX->setValue(m_map.dimX);
        m_dimY->setValue(m_map.dimY);
    }
    m_dimsRow->setVisible(m_method->currentData().toInt() == int(aes::ProjectionMethod::Dims));
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
        m_panelTitle->setText(tr("<b>Pinned</b>"));
        m_panelCaption->setText(pointCaption(m_pinned));
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
    m_replayNote = note;
    updateInfo();
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
    if (m_hovered >= 0 && !visible) {
        m_hovered = -1;
        m_overlay->hide();
        Q_EMIT hoveredPointChanged(-1);
    }
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
    const double weight = yWeight();
    const int classes = m_map.classNames.size();
    auto visible = [&](qint64 i) {
        const int label = m_map.labels.value(i, -1);
        return m_classVisible.value(label >= 0 && label < classes ? label : classes, true);
    };
    // Usually the nearest point is visible; with hidden classes look a little further.
    for (size_t k : {size_t(1), size_t(64), size_t(2048)}) {
        k = std::min(k, size_t(n));
        for (const qint64 row : m_index->nearest(coord.x(), coord.y(), qint64(k), weight))
            if (visible(row))
                return row;
        if (k == size_t(n))
            return -1;
    }
    qint64 best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (qint64 i = 0; i < n; ++i) {
        if (!visible(i))
            continue;
        const double distance = m_index->distance(coord.x(), coord.y(), i, weight);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

QString LatentMap::pointCaption(qint64 index) const
{
    const QString name = m_map.classNameAt(index);
    QString caption = name.isEmpty() ? tr("image %1").arg(index) : tr("%1 (image %2)").arg(name).arg(index);
    // The file: its name for folders, "#123" for an IDX entry.
    QString file = m_map.files.value(int(index));
    if (file.isEmpty() && m_hoverDetails.index == index)
        file = m_hoverDetails.file;
    if (!file.isEmpty()) {
        const int slash = int(file.lastIndexOf(QLatin1Char('/')));
        const int hash = int(file.lastIndexOf(QLatin1Char('#')));
        bool idx = false;
        if (hash > slash)
            file.mid(hash + 1).toLongLong(&idx);
        caption += QLatin1Char('\n') + (idx ? file.mid(hash) : file.mid(slash + 1));
    }
    const double error = index < m_map.errors.size() ? double(m_map.errors[index])
                       : m_hoverDetails.index == index ? m_hoverDetails.error
                                                        : -1.0;
    if (error >= 0.0)
        caption += QLatin1Char('\n') + tr("MSE %1").arg(error, 0, 'g', 3);
    return caption;
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
        m_hoverLabel.clear();
        Q_EMIT hoveredPointChanged(nearest);
        if (nearest >= 0)
            Q_EMIT imageRequested(nearest);
        updateOverlay();
    }
    if (m_hovered >= 0)
        placeOverlay(pixel);
}

void LatentMap::updateOverlay()
{
    if (m_hovered < 0) {
        m_overlay->hide();
        return;
    }
    const QString caption = pointCaption(m_hovered);
    if (m_hoverImage.isNull()) {
        m_overlay->setText(caption);
    } else {
        // The image and, once it has arrived, its reconstruction beside it.
        const QPixmap image = scaledUp(m_hoverImage, kOverlayImageSize);
        const QPixmap reconstruction = m_hoverDetails.index == m_hovered ? scaledUp(m_hoverDetails.reconstruction, kOverlayImageSize)
                                                                         : QPixmap();
        const QFontMetrics metrics(m_overlay->font());
        const QStringList lines = caption.split(QLatin1Char('\n'));
        int textWidth = 0;
        for (const QString &line : lines)
            textWidth = std::max(textWidth, metrics.horizontalAdvance(line));
        const int gap = 6;
        const int imagesWidth = image.width() + (reconstruction.isNull() ? 0 : gap + reconstruction.width());
        const int width = std::max(imagesWidth, textWidth);
        const int textTop = image.height() + metrics.height() + 4;
        QPixmap card(width, textTop + int(lines.size()) * metrics.height() + 2);
        card.fill(Qt::transparent);
        QPainter painter(&card);
        int x = (width - imagesWidth) / 2;
        painter.drawPixmap(x, 0, image);
        painter.setPen(QColor(0x60, 0x60, 0x60));
        painter.drawText(QRect(x, image.height() + 1, image.width(), metrics.height()), Qt::AlignCenter, tr("image"));
        if (!reconstruction.isNull()) {
            x += image.width() + gap;
            painter.drawPixmap(x, 0, reconstruction);
            painter.drawText(QRect(x, image.height() + 1, reconstruction.width(), metrics.height()), Qt::AlignCenter,
                             tr("reconstructed"));
        }
        painter.setPen(Qt::black);
        for (int i = 0; i < lines.size(); ++i)
            painter.drawText(QRect(0, textTop + i * metrics.height(), width, metrics.height()), Qt::AlignCenter, lines.at(i));
        painter.end();
        m_overlay->setPixmap(card);
    }
    m_overlay->adjustSize();
    m_overlay->show();
    m_overlay->raise();
    placeOverlay(m_lastCursor);
}

void LatentMap::placeOverlay(const QPointF &pixel)
{
    // Beside the cursor, flipped to stay inside the plot.
    QPoint pos = pixel.toPoint() + QPoint(16, 16);
    if (pos.x() + m_overlay->width() > m_plot->width())
        pos.rx() = int(pixel.x()) - 16 - m_overlay->width();
    if (pos.y() + m_overlay->height() > m_plot->height())
        pos.ry() = int(pixel.y()) - 16 - m_overlay->height();
    m_overlay->move(std::max(0, pos.x()), std::max(0, pos.y()));
}

void LatentMap::setImage(qint64 index, const QImage &image, const QString &label)
{
    Q_UNUSED(label);  // the map's own labels name the class
    if (index == m_hovered) {
        m_hoverImage = image;
        updateOverlay();
    }
    if (index == m_pinned) {
        m_panelTitle->setText(tr("<b>Pinned</b>"));
        m_panelImage->setPixmap(scaledUp(image, kPanelImageSize - 8));
        m_panelCaption->setText(pointCaption(index));
    }
}

void LatentMap::setPointDetails(const aes::PointDetails &details)
{
    if (details.index == m_hovered) {
        m_hoverDetails = details;
        m_hoverImage = details.image;
        updateOverlay();
    }
    if (details.index == m_pinned) {
        // Image and reconstruction side by side in the panel.
        const int half = (kPanelImageSize - 12) / 2;
        const QPixmap image = scaledUp(details.image, half), reconstruction = scaledUp(details.reconstruction, half);
        QPixmap both(kPanelImageSize - 8, std::max(image.height(), reconstruction.height()));
        both.fill(Qt::transparent);
        QPainter painter(&both);
        painter.drawPixmap((half - image.width()) / 2, 0, image);
        painter.drawPixmap(half + 4 + (half - reconstruction.width()) / 2, 0, reconstruction);
        painter.end();
        m_panelTitle->setText(tr("<b>Pinned</b>: image and its reconstruction"));
        m_panelImage->setPixmap(both);
        QString caption = pointCaption(details.index);
        if (!details.file.isEmpty())
            m_panelCaption->setToolTip(details.file);
        m_panelCaption->setText(caption);
    }
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
    m_panelTitle->setText(tr("<b>Decoded</b> at (%1, %2)").arg(x, 0, 'g', 3).arg(y, 0, 'g', 3));
    m_panelImage->setPixmap(scaledUp(image, kPanelImageSize - 8));
    m_panelCaption->setToolTip(QString());
    m_panelCaption->setText(exact ? tr("Exact: the code at this point of the map. Drag the probe to morph it.")
                                  : tr("Approximate: the mean code of the nearest points (t-SNE has no inverse)."));
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
            m_overlay->hide();
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
