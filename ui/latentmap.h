#pragma once
// The latent explorer's map: every image of the dataset as a point (one colour per class),
// a legend whose entries hide and show their class, mouse pan (drag) and zoom (wheel).
// Hovering shows the nearest point's image, reconstruction, label, file and error in an
// overlay; clicking empty space asks for the decoded image there (shown in the side panel
// with a probe marker that can be dragged: the image follows), clicking a point pins it in
// the side panel, shift-clicking a point picks it (for an interpolation). The projection is
// chosen in the side panel: automatic, two latent dimensions, PCA or t-SNE.
//
// The plot and its mouse handling live here; the hover card is a PointCard, the side panel
// a LatentMapPanel.
//
// The widget does not talk to the controller: it asks through imageRequested(),
// decodeRequested() and projectionRequested() and is answered through setImage(),
// setPointDetails() and setDecodedImage().
// Ownership: a plain QWidget; owns its plot, hover card, side panel and nearest-point index.
// Threads: GUI thread only.
// Failure: none; an empty map shows a hint instead of points.

#include "controller/trainingcontroller.h"
#include "latent/planeindex.h"

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QVector>
#include <QWidget>

#include <memory>
#include <optional>

class LatentMapPanel;
class PointCard;
class PointLayer;
class QCPGraph;
class QCPItemText;
class QCustomPlot;
class QMouseEvent;

class LatentMap final : public QWidget {
    Q_OBJECT
public:
    // Pixels from the cursor within which a point counts as hovered (and a click as on it).
    static constexpr double kHoverRadius = 12.0;

    explicit LatentMap(QWidget *parent = nullptr);
    ~LatentMap() override;

    // Replaces the points (keeps the user's zoom when the map only moved a little,
    // rescales otherwise) and the hidden classes when the classes changed.
    void setMap(const aes::LatentSnapshot &map);
    void clear();
    const aes::LatentSnapshot &map() const { return m_map; }

    // Answers to imageRequested(): shown if index is still hovered or pinned.
    void setImage(qint64 index, const QImage &image, const QString &label);
    void setPointDetails(const aes::PointDetails &details);
    // Answer to decodeRequested().
    void setDecodedImage(const QImage &image, double x, double y, bool exact);

    void setClassVisible(int classIndex, bool visible);
    bool isClassVisible(int classIndex) const;

    // Pins a point (e.g. chosen in the worst-reconstructions list): ringed on the map and
    // shown in the side panel. -1 unpins.
    void highlightPoint(qint64 index);
    qint64 pinnedPoint() const { return m_pinned; }
    // Interpolation ends, marked "A" and "B" on the map (-1: none).
    void setMarkedPoints(qint64 a, qint64 b);
    // Replaying an older epoch: clicks and the probe do not decode (the worker decodes
    // with the newest map), and the info line says so.
    void setReplay(bool replay, const QString &note = QString());
    // The probe's place on the map, if there is one.
    bool hasProbe() const { return m_hasProbe; }
    QPointF probe() const { return m_probe; }
    // The map region shown (map coordinates; top() is the smallest y).
    QRectF visibleRegion() const;

    // The point under the cursor (-1: none within kHoverRadius).
    qint64 hoveredPoint() const { return m_hovered; }
    // The visible point nearest to a widget pixel of the plot (-1 for an empty map).
    qint64 nearestPoint(const QPointF &plotPixel) const;
    // Where a point is drawn, in pixels of plotWidget().
    QPointF pixelOf(qint64 index) const;
    // Map coordinates of a pixel of plotWidget().
    QPointF coordOf(const QPointF &plotPixel) const;
    QWidget *plotWidget() const;

Q_SIGNALS:
    void hoveredPointChanged(qint64 index);
    void imageRequested(qint64 index);
    void decodeRequested(double x, double y);
    // The user picked a projection: none (automatic), Dims (dimX, dimY), Pca, Tsne or Umap (umap).
    void projectionRequested(std::optional<aes::ProjectionMethod> method, int dimX, int dimY,
                             const aes::UmapParameters &umap);
    // Shift+click on a point.
    void pointPicked(qint64 index);

private:
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    void hover(const QPointF &pixel);
    void updateCard();
    void hideCard();
    void setAxisLabels();
    void rebuildGraphs(bool rescale);
    void updateMarkers();
    double yWeight() const;
    QString caption(qint64 index) const;

    QCustomPlot *m_plot = nullptr;
    PointLayer *m_points = nullptr;      // draws every point (owned by m_plot)
    QCPGraph *m_probeGraph = nullptr;    // recreated with the class graphs
    QCPGraph *m_markGraph = nullptr;     // pinned point (ring) and interpolation ends
    QCPItemText *m_markA = nullptr;
    QCPItemText *m_markB = nullptr;
    PointCard *m_card = nullptr;         // owned by m_plot
    LatentMapPanel *m_panel = nullptr;
    aes::LatentSnapshot m_map;
    QVector<bool> m_classVisible;        // per class; the last entry is "unlabelled"
    mutable std::unique_ptr<aes::PlaneIndex> m_index;
    qint64 m_hovered = -1;
    qint64 m_pinned = -1;
    QImage m_hoverImage;                 // of m_hovered, when it has arrived
    aes::PointDetails m_hoverDetails;    // of m_hovered, when they have arrived
    QPointF m_lastCursor;
    // The mouse: a press becomes a click, a pan of the plot or a drag of the probe.
    QPoint m_pressPos;
    bool m_pressed = false;
    bool m_draggingProbe = false;
    bool m_userView = false;             // the user zoomed or panned: refreshes keep the view
    bool m_hasProbe = false;             // a decoded point is marked at m_probe
    QPointF m_probe;
    bool m_replay = false;
    qint64 m_markedA = -1, m_markedB = -1;
};
