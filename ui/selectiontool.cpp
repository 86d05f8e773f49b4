#include "selectiontool.h"

#include "latent/selection.h"
#include "qcustomplotinclude.h"

#include <QButtonGroup>
#include <QToolButton>

#include <algorithm>

SelectionTool::SelectionTool(QCustomPlot *plot, QObject *parent) : QObject(parent), m_plot(plot)
{
    m_shape = new QCPCurve(plot->xAxis, plot->yAxis);
    m_shape->removeFromLegend();
    m_shape->setPen(QPen(QColor(20, 20, 20), 1.5, Qt::DashLine));
    m_shape->setBrush(QColor(30, 120, 220, 40));
    m_shape->setScatterStyle(QCPScatterStyle::ssNone);
    m_shape->setLayer(QStringLiteral("overlay"));

    auto *group = new QButtonGroup(this);
    const struct {
        Tool tool;
        QString text, tip;
    } info[] = {{Tool::Pan, tr("Pan"), tr("Drag pans the map; click pins a point or decodes empty space")},
                {Tool::Rectangle, tr("Rectangle select"), tr("Drag a rectangle to select its points (shift: add to the selection)")},
                {Tool::Lasso, tr("Lasso select"), tr("Draw around points to select them (shift: add to the selection)")}};
    for (const auto &t : info) {
        auto *button = new QToolButton;
        button->setText(t.text);
        button->setToolTip(t.tip);
        button->setCheckable(true);
        button->setAutoRaise(true);
        group->addButton(button);
        const Tool tool = t.tool;
        connect(button, &QToolButton::clicked, this, [this, tool] {
            setTool(tool);
            Q_EMIT toolChanged(tool);
        });
        m_buttons.append(button);
    }
    m_buttons.first()->setChecked(true);
}

void SelectionTool::setTool(Tool tool)
{
    m_tool = tool;
    m_buttons[int(tool)]->setChecked(true);
    // Selection tools drag outlines, not the view.
    m_plot->setInteraction(QCP::iRangeDrag, tool == Tool::Pan);
    m_plot->setCursor(tool == Tool::Pan ? Qt::ArrowCursor : Qt::CrossCursor);
}

QPointF SelectionTool::coordOf(const QPointF &pixel) const
{
    return {m_plot->xAxis->pixelToCoord(pixel.x()), m_plot->yAxis->pixelToCoord(pixel.y())};
}

QPolygonF SelectionTool::outline() const
{
    if (m_tool == Tool::Rectangle && m_path.size() == 2) {
        const QRectF r = QRectF(m_path[0], m_path[1]).normalized();
        return QPolygonF({r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()});
    }
    return QPolygonF(m_path);
}

void SelectionTool::begin(const QPointF &pixel)
{
    m_path = {pixel};
}

void SelectionTool::extend(const QPointF &pixel)
{
    if (m_path.isEmpty())
        return;
    if (m_tool == Tool::Rectangle)
        m_path = {m_path.first(), pixel};
    else if (QLineF(m_path.last(), pixel).length() >= 2.0)
        m_path.append(pixel);
    // The outline in map coordinates, closed.
    const QPolygonF corners = outline();
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

void SelectionTool::end(const QPointF &pixel, bool add, const aes::LatentSnapshot &map,
                        const std::function<bool(qint64)> &shown)
{
    extend(pixel);
    const QPolygonF polygon = outline();
    const bool rectangle = m_tool == Tool::Rectangle && m_path.size() == 2;
    m_path.clear();
    m_shape->data()->clear();
    m_shape->setVisible(false);
    // Points inside the outline as drawn on screen, in map coordinates (the axes are linear).
    QPolygonF mapPolygon;
    for (const QPointF &p : polygon)
        mapPolygon << coordOf(p);
    const auto include = [&map, &shown](qint64 point) { return shown(map.rowOf(point)); };
    QVector<qint64> rows = rectangle ? aes::pointsInRect(map.x, map.y, mapPolygon.boundingRect(), include)
                                     : aes::pointsInPolygon(map.x, map.y, mapPolygon, include);
    if (map.sampled())
        for (qint64 &row : rows)
            row = map.rowOf(row);  // ascending, as the sample's rows are
    if (add && m_distances.isEmpty()) {
        rows += m_rows;
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    }
    setSelection(rows);
}

void SelectionTool::setSelection(const QVector<qint64> &rows, const QVector<float> &distances, qint64 query)
{
    m_rows = rows;
    m_distances = distances.size() == rows.size() ? distances : QVector<float>();
    m_query = query;
    Q_EMIT selectionChanged();
}

void SelectionTool::hideSelected(qint64 rowCount)
{
    if (m_rows.isEmpty())
        return;
    if (m_hidden.size() != rowCount)
        m_hidden = QVector<bool>(rowCount, false);
    for (qint64 row : m_rows)
        if (row >= 0 && row < m_hidden.size())
            m_hidden[row] = true;
    setSelection({});
    Q_EMIT hiddenChanged();
}

void SelectionTool::showHidden()
{
    m_hidden.clear();
    Q_EMIT hiddenChanged();
}

qint64 SelectionTool::hiddenCount() const
{
    return std::count(m_hidden.cbegin(), m_hidden.cend(), true);
}

void SelectionTool::reset()
{
    m_rows.clear();
    m_distances.clear();
    m_query = -1;
    m_hidden.clear();
}
