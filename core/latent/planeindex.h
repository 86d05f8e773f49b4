#pragma once
// Nearest points of a 2-D map: a kd-tree (nanoflann) over the map's coordinates, searched
// with dx^2 + w * dy^2. w = 1 is the map's own metric (decoding near a point, t-SNE's
// approximate inverse); the map widget passes w = ((pixels per unit y) / (pixels per unit
// x))^2 so that "nearest" is what the eye sees. The metric is a sum over the axes, so the
// tree's pruning stays exact for any w: one tree per map, whatever the zoom or the widget's
// size. Microseconds per query at 70k points.
//
// Ownership: a value (not copyable) that copies the coordinates. Threads: one thread at a time
// (a query sets the metric's weight). Failure: none; an empty map finds nothing. Torch-free:
// ui/ includes it.

#include <QVector>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace aes {

class PlaneIndex {
public:
    PlaneIndex(const QVector<float> &x, const QVector<float> &y);
    // count points given as x0, y0, x1, y1, ...
    PlaneIndex(const float *xy, qint64 count);
    ~PlaneIndex();
    PlaneIndex(const PlaneIndex &) = delete;
    PlaneIndex &operator=(const PlaneIndex &) = delete;

    qint64 size() const;
    // The row of the point nearest to (x, y); -1 when empty. Ties: either one.
    qint64 nearest(double x, double y) const;
    // The rows of the min(k, size) points nearest to (x, y), nearest first.
    std::vector<qint64> nearest(double x, double y, qint64 k, double yWeight = 1.0) const;
    // The nearest row that accept() takes; -1 when it takes none.
    qint64 nearestWhere(double x, double y, const std::function<bool(qint64)> &accept, double yWeight = 1.0) const;
    // The weighted squared distance from (x, y) to a row.
    double distance(double x, double y, qint64 row, double yWeight = 1.0) const;

private:
    struct Tree;
    std::unique_ptr<Tree> m_tree;
    void build();
};

} // namespace aes
