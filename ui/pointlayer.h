#pragma once
// Every point of the latent map drawn in one pass: each point stamps a small anti-aliased
// disc (premultiplied ARGB, alpha-blended by hand) into one image of the axis rect, which
// is drawn once. QCustomPlot's own scatter drawing costs one QPainter call per point (about
// 2x slower with pixmap markers, 15x with ssDisc at 70k points: bench/latentmap_bench).
// Groups (classes, or clusters) are drawn in order, each hidden group and each hidden point
// skipped; then the selected points, ringed in black, above all.
//
// Include from .cpp files only: it brings in qcustomplot.h (see qcustomplotinclude.h).
// Ownership: created with new on a QCustomPlot, which owns it (as any layerable).
// Threads: GUI thread only. Failure: none.

#include "qcustomplotinclude.h"

#include <QColor>
#include <QImage>
#include <QVector>

#include <vector>

// The colours of count classes and, last, of unlabelled points (light gray): Tableau 10 for up
// to 10 classes, 20 colours of maximum contrast for up to kDistinctColors, else hues around
// the circle (neighbours then look alike: the class list offers showing a group of classes).
inline constexpr int kDistinctColors = 20;
QVector<QColor> classColors(int count);
// The map's marker: an anti-aliased disc of side pixels in color at alpha 190, premultiplied
// ARGB (also what QCustomPlot's legend shows through a pixmap scatter style).
QImage markerDisc(const QColor &color, int side);

class PointLayer final : public QCPLayerable {
public:
    explicit PointLayer(QCustomPlot *plot);

    // Point i in the colour of its class labels[i]; a label outside 0..colors.size() - 2 (or
    // none) puts it in the last class, the unlabelled points.
    void setPoints(const QVector<float> &x, const QVector<float> &y, const QVector<int> &labels, QVector<QColor> colors);
    // How many points a class has.
    qsizetype classSize(int classIndex) const;
    void setClassVisible(int classIndex, bool visible);
    // Points not drawn whatever their group (hidden[i] for row i; empty: none hidden).
    void setHiddenPoints(const QVector<bool> &hidden);
    // Points drawn last with a black ring (rows of the points given to setPoints).
    void setSelectedPoints(const QVector<qint64> &rows);
    static constexpr int kMarkerSize = 5;  // pixels (device independent)

protected:
    void applyDefaultAntialiasingHint(QCPPainter *) const override {}
    QRect clipRect() const override;
    void draw(QCPPainter *painter) override;

private:
    // The disc of one class at a device pixel ratio: side x side premultiplied ARGB.
    const std::vector<quint32> &stamp(int classIndex, int side);
    static void blend(const quint32 *disc, int side, double cx, double cy, quint32 *bits, qsizetype stride, int w, int h);

    std::vector<std::vector<float>> m_xs, m_ys;
    std::vector<std::vector<qint64>> m_rows;  // the row of each point, per group
    QVector<float> m_x, m_y;                  // every point, by row
    QVector<int> m_group;                     // group of each row
    QVector<bool> m_hidden;
    QVector<qint64> m_selected;
    std::vector<quint32> m_selectedStamp;     // ring of side m_stampSide + 4
    QVector<QColor> m_colors;
    QVector<bool> m_visible;
    std::vector<std::vector<quint32>> m_stamps;
    int m_stampSide = 0;
    QImage m_image;
};
