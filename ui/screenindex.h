#pragma once
// Nearest points of a 2-D map as the eye sees them: a kd-tree (nanoflann) over the map's
// coordinates, searched with dx^2 + w * dy^2, where w = ((pixels per unit y) / (pixels per
// unit x))^2 is given with each query. The metric is a sum over the axes, so the tree's
// pruning stays exact for any w: one tree per map, whatever the zoom or the widget's size.
//
// Ownership: a value type (not copyable) that copies the coordinates. Threads: any one
// thread at a time. Failure: none; an empty map finds nothing.

#include <QVector>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

class ScreenIndex {
public:
    ScreenIndex(const QVector<float> &x, const QVector<float> &y);
    ~ScreenIndex();
    ScreenIndex(const ScreenIndex &) = delete;
    ScreenIndex &operator=(const ScreenIndex &) = delete;

    qint64 size() const;
    // The rows of the min(k, size) points nearest to (x, y), nearest first.
    std::vector<uint32_t> nearest(double x, double y, double yWeight, size_t k) const;
    // The nearest row that accept() takes, -1 when it takes none.
    qint64 nearestWhere(double x, double y, double yWeight, const std::function<bool(qint64)> &accept) const;
    // The weighted squared distance from (x, y) to a row.
    double distance(double x, double y, double yWeight, qint64 row) const;

private:
    struct Tree;
    std::unique_ptr<Tree> m_tree;
};
