#pragma once
// The latent map's selection: the mouse's tools (Pan, Rectangle, Lasso buttons above the
// plot), the outline drawn while a rectangle or lasso is dragged, the selected rows (in row
// order, or nearest first after a search, with distances and the searched row) and the
// hidden rows.
//
// Everything here is in dataset rows; a sampled map's points are turned into rows when an
// outline is closed (LatentSnapshot::rowOf). The map draws what this holds: it listens to
// selectionChanged() and hiddenChanged().
// Ownership: a QObject beside the LatentMap; the outline is an item of the plot (owned by
// it), the buttons are widgets for the map's layout. Threads: GUI thread only. Failure: none.

#include "controller/controllertypes.h"

#include <QPointF>
#include <QVector>
#include <QObject>

#include <functional>

class QCPCurve;
class QCustomPlot;
class QToolButton;
class QWidget;

class SelectionTool final : public QObject {
    Q_OBJECT
public:
    enum class Tool { Pan, Rectangle, Lasso };

    SelectionTool(QCustomPlot *plot, QObject *parent = nullptr);

    // The three tool buttons, to be placed above the plot (the caller's layout owns them).
    QVector<QToolButton *> buttons() const { return m_buttons; }
    // Pan lets the plot drag its view; the others draw outlines (cross cursor).
    void setTool(Tool tool);
    Tool tool() const { return m_tool; }

    // A drag with Rectangle or Lasso, in pixels of the plot: begun, extended, then ended,
    // which selects the shown rows (shown(row)) whose points lie inside the outline; add
    // (shift) keeps the rows selected before, unless they came from a search.
    void begin(const QPointF &pixel);
    void extend(const QPointF &pixel);
    void end(const QPointF &pixel, bool add, const aes::LatentSnapshot &map, const std::function<bool(qint64)> &shown);
    bool dragging() const { return !m_path.isEmpty(); }

    // The selection: distances parallel to rows after a search (else empty), query the
    // searched row (else -1).
    void setSelection(const QVector<qint64> &rows, const QVector<float> &distances = {}, qint64 query = -1);
    const QVector<qint64> &rows() const { return m_rows; }
    const QVector<float> &distances() const { return m_distances; }
    qint64 query() const { return m_query; }

    // Hidden rows: never drawn, hovered or selected. hideSelected() hides the selection
    // (of a map of rowCount images) and clears it.
    void hideSelected(qint64 rowCount);
    void showHidden();
    bool isHidden(qint64 row) const { return m_hidden.value(row, false); }
    const QVector<bool> &hidden() const { return m_hidden; }  // per row; empty: none
    qint64 hiddenCount() const;

    // A map of other rows: selection and hidden rows cleared, without signals.
    void reset();

Q_SIGNALS:
    void toolChanged(SelectionTool::Tool tool);
    void selectionChanged();
    void hiddenChanged();

private:
    QPolygonF outline() const;  // the drag's corners in pixels (a rectangle's four)
    QPointF coordOf(const QPointF &pixel) const;

    QCustomPlot *m_plot;
    QCPCurve *m_shape = nullptr;      // the outline being drawn
    QVector<QToolButton *> m_buttons;
    Tool m_tool = Tool::Pan;
    QVector<QPointF> m_path;          // pixels of the plot: a rectangle's two corners, a lasso's trail
    QVector<qint64> m_rows;
    QVector<float> m_distances;
    qint64 m_query = -1;
    QVector<bool> m_hidden;
};
