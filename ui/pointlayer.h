#pragma once
// Every point of the latent map drawn in one pass: each point stamps a small anti-aliased
// disc (premultiplied ARGB, alpha-blended by hand) into one image of the axis rect, which
// is drawn once. QCustomPlot's own scatter drawing costs one QPainter call per point (about
// 2x slower with pixmap markers, 15x with ssDisc at 70k points: bench/latentmap_bench).
// Classes are drawn in order, each hidden class skipped; the class graphs stay (without
// data) for the legend.
//
// Include from .cpp files only: it brings in qcustomplot.h (see qcustomplotinclude.h).
// Ownership: created with new on a QCustomPlot, which owns it (as any layerable).
// Threads: GUI thread only. Failure: none.

#include "qcustomplotinclude.h"

#include <QColor>
#include <QImage>
#include <QVector>

#include <vector>

// The colours of count classes and, last, of unlabelled points (gray): Tableau 10 for up to
// 10 classes, else hues around the circle.
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
    static constexpr int kMarkerSize = 5;  // pixels (device independent)

protected:
    void applyDefaultAntialiasingHint(QCPPainter *) const override {}
    QRect clipRect() const override;
    void draw(QCPPainter *painter) override;

private:
    // The disc of one class at a device pixel ratio: side x side premultiplied ARGB.
    const std::vector<quint32> &stamp(int classIndex, int side);

    std::vector<std::vector<float>> m_xs, m_ys;
    QVector<QColor> m_colors;
    QVector<bool> m_visible;
    std::vector<std::vector<quint32>> m_stamps;
    int m_stampSide = 0;
    QImage m_image;
};
