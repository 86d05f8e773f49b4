#pragma once
// The latent explorer's map: every image of the dataset as a point (one colour per class),
// a legend whose entries hide and show their class, mouse pan (drag) and zoom (wheel).
// Hovering shows the nearest point's image and label in an overlay; clicking empty space
// asks for the decoded image there (shown in the side panel with a probe marker), clicking
// a point pins its image in the side panel.
//
// The widget does not talk to the controller: it asks through imageRequested() and
// decodeRequested() and is answered through setImage() and setDecodedImage().
// Ownership: a plain QWidget; owns its plot, overlay and nearest-point index.
// Threads: GUI thread only.
// Failure: none; an empty map shows a hint instead of points.

#include "trainingcontroller.h"

#include <QImage>
#include <QPointF>
#include <QVector>
#include <QWidget>

#include <memory>

class QCPGraph;
class QCustomPlot;
class QComboBox;
class QLabel;
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
    // Answer to decodeRequested().
    void setDecodedImage(const QImage &image, double x, double y, bool exact);

    void setClassVisible(int classIndex, bool visible);
    bool isClassVisible(int classIndex) const;

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
    // The user picked a projection: "" (automatic), "pca" or "tsne".
    void projectionRequested(const QString &method);

private:
    struct Index;
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    void hover(const QPointF &pixel);
    void placeOverlay(const QPointF &pixel);
    void updateOverlay();
    void updateInfo();
    void rebuildGraphs(bool rescale);
    void ensureIndex() const;
    QString pointCaption(qint64 index) const;

    QCustomPlot *m_plot = nullptr;
    QCPGraph *m_probeGraph = nullptr;    // recreated with the class graphs
    QLabel *m_overlay = nullptr;
    QLabel *m_info = nullptr;
    QComboBox *m_method = nullptr;
    QLabel *m_panelTitle = nullptr;
    QLabel *m_panelImage = nullptr;
    QLabel *m_panelCaption = nullptr;
    aes::LatentSnapshot m_map;
    QVector<bool> m_classVisible;        // per class; the last entry is "unlabelled"
    mutable std::unique_ptr<Index> m_index;
    qint64 m_hovered = -1;
    qint64 m_pinned = -1;
    QImage m_hoverImage;                 // of m_hovered, when it has arrived
    QString m_hoverLabel;
    QPointF m_lastCursor;
    QPoint m_pressPos;
    bool m_pressed = false;
    bool m_userView = false;
    bool m_hasProbe = false;             // a decoded point is marked at m_probe
    QPointF m_probe;             // the user has panned or zoomed: keep the view
};
