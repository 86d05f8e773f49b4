#pragma once
// The latent explorer's map: every image of the dataset as a point, or a stated seeded
// sample of them when there are more than the point cap set in the side panel (one colour
// per class, or per k-means cluster), the class list beside it (ClassList: hide, show, solo, filter, counts,
// clustering), mouse pan (drag) and zoom (wheel), and selections: a rectangle or a lasso
// drawn with the selection tools (shift adds to the selection), or the k images nearest in
// latent space to a point ("find images like this": right-click a point, or the side panel's
// button for the pinned point). Selected points are ringed; they can be hidden.
// Hovering shows the nearest point's image, reconstruction, label, file and error in an
// overlay; clicking empty space asks for the decoded image there (shown in the side panel
// with a probe marker that can be dragged: the image follows), clicking a point pins it in
// the side panel, shift-clicking a point picks it (for an interpolation). The projection is
// chosen in the side panel: automatic, two latent dimensions, PCA or t-SNE.
//
// The plot and its mouse handling live here; the hover card is a PointCard, the side panel
// a LatentMapPanel.
//
// Every index in this interface is a dataset row (LatentSnapshot::rowOf/pointOf convert):
// hovered, pinned, picked and selected images, hidden points, clusters. A sampled map draws
// and hovers only its points, while "find images like this" and k-means reach every row's
// code (a result outside the sample is selected, not drawn).
//
// The widget does not talk to the controller: it asks through imageRequested(),
// decodeRequested() and projectionRequested() and is answered through setImage(),
// setPointDetails() and setDecodedImage().
// Ownership: a plain QWidget; owns its plot, hover card, side panel and nearest-point index.
// Threads: GUI thread only.
// Failure: none; an empty map shows a hint instead of points.

#include "controller/trainingcontroller.h"
#include "latent/planeindex.h"
#include "mapgroups.h"
#include "selectiontool.h"

#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QVector>
#include <QWidget>

#include <memory>
#include <optional>

namespace aes {
class JobThread;
struct KMeansResult;
}
class ClassList;
class LatentMapPanel;
class QLabel;
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

    // The most points a map should draw (0: every image): shown in the side panel, emitted
    // as pointCapChanged() when the user changes it (the engine samples the map, see
    // TrainingController::setMapPointCap).
    void setPointCap(qint64 cap);
    qint64 pointCap() const;
    // The statement above the plot for a sampled map ("Showing 200,000 of 1,000,000 images").
    QString sampleNote() const;

    // Answers to imageRequested(): shown if index is still hovered or pinned.
    void setImage(qint64 index, const QImage &image, const QString &label);
    void setPointDetails(const aes::PointDetails &details);
    // Answer to decodeRequested().
    void setDecodedImage(const QImage &image, double x, double y, bool exact);

    // Visibility of a group of the colouring shown: a class (the last: unlabelled) or a cluster.
    void setClassVisible(int classIndex, bool visible);
    bool isClassVisible(int classIndex) const;
    ClassList *classList() const { return m_classes; }

    // Selection tools (SelectionTool): the mouse pans (and clicks), or drags a rectangle or a lasso.
    using Tool = SelectionTool::Tool;
    void setTool(Tool tool) { m_select->setTool(tool); }
    Tool tool() const { return m_select->tool(); }
    // The selection (rows of the map, in row order or, for a search, nearest first);
    // distances: parallel to rows for a search, else empty; query: the searched row or -1.
    void setSelection(const QVector<qint64> &rows, const QVector<float> &distances = {}, qint64 query = -1)
    {
        m_select->setSelection(rows, distances, query);
    }
    void clearSelection() { setSelection({}); }
    const QVector<qint64> &selection() const { return m_select->rows(); }
    const QVector<float> &selectionDistances() const { return m_select->distances(); }
    qint64 selectionQuery() const { return m_select->query(); }
    // "Find images like this": selects the k rows whose codes lie nearest to row's (itself
    // first, at distance 0), among the points shown. False when the map has no codes.
    bool findSimilar(qint64 row, int k);
    bool hasCodes() const { return !m_codes.isEmpty(); }
    // Hides the selected points (hidden points are neither drawn, hovered nor selected) or
    // shows every hidden point again.
    void hideSelection() { m_select->hideSelected(m_map.rowCount()); }
    void showHiddenPoints() { m_select->showHidden(); }
    qint64 hiddenCount() const { return m_select->hiddenCount(); }

    // k-means over the codes (latent/kmeans) on a background thread; when it ends the map is
    // coloured by cluster and clustersChanged() is emitted. A newer request or a map of other
    // rows drops an older answer. False (and nothing starts) without codes.
    bool cluster(int k, quint64 seed);
    void setColourByCluster(bool byCluster);
    const MapGroups &groups() const { return m_groups; }

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
    // Audio data: the card and the panel show spectrograms in colour, with play hints/buttons.
    // canPlay false (no audio output): play buttons disabled with reason as their tooltip.
    void setSpectrograms(bool on, bool canPlay = true, const QString &reason = {});
    // Asks to play the hovered point's clip (the P key); false when none is hovered or its
    // spectrogram has not arrived yet.
    bool playHovered();
    // The visible point nearest to a widget pixel of the plot (-1 for an empty map).
    qint64 nearestPoint(const QPointF &plotPixel) const;
    // Where a point is drawn, in pixels of plotWidget().
    QPointF pixelOf(qint64 index) const;
    // Map coordinates of a pixel of plotWidget().
    QPointF coordOf(const QPointF &plotPixel) const;
    QWidget *plotWidget() const;

Q_SIGNALS:
    // A spectrogram to play (the hovered clip, the pinned point, the probe), named for messages.
    void playRequested(const QImage &spectrogram, const QString &what);
    void hoveredPointChanged(qint64 index);
    void imageRequested(qint64 index);
    void decodeRequested(double x, double y);
    // The user picked a projection: none (automatic), Dims (dimX, dimY), Pca, Tsne or Umap (umap).
    void projectionRequested(std::optional<aes::ProjectionMethod> method, int dimX, int dimY,
                             const aes::UmapParameters &umap);
    // Shift+click on a point.
    void pointPicked(qint64 index);
    void selectionChanged();
    // Clusters were computed (or dropped with a new dataset).
    void clustersChanged();
    // The class list's "Export clusters as folders".
    void exportClustersRequested();
    // A problem to tell the user ("no codes yet").
    void message(const QString &text);
    // The user changed the point cap (a new map is asked for through projectionRequested()).
    void pointCapChanged(qint64 cap);

private:
    void applyClusters(quint64 request, const aes::KMeansResult &result);
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    void showContextMenu(const QPoint &pos);
    void updateClassList();
    void applyVisibility();
    void setLayerPoints();
    QVector<qint64> pointsOf(const QVector<qint64> &rows) const;
    void updateSampleNote();
    bool rowShown(qint64 row) const;
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
    MapGroups m_groups;                  // classes or clusters, and which are shown
    ClassList *m_classes = nullptr;
    QLabel *m_sampleNote = nullptr;      // above the plot, for a sampled map
    SelectionTool *m_select = nullptr;   // tools, outline, selected and hidden rows
    QVector<float> m_codes;              // of the newest map that had them (same rows)
    int m_codeDims = 0;
    mutable std::unique_ptr<aes::PlaneIndex> m_index;
    std::unique_ptr<aes::JobThread> m_jobs;  // k-means, started on the first request
    quint64 m_clusterRequest = 0;
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
