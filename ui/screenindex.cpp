#include "screenindex.h"

#include <nanoflann.hpp>

#include <algorithm>
#include <limits>

namespace {

struct Cloud {
    std::vector<double> xy;  // x0, y0, x1, y1, ...
    size_t kdtree_get_point_count() const { return xy.size() / 2; }
    double kdtree_get_pt(size_t i, size_t dim) const { return xy[2 * i + dim]; }
    template <class Box> bool kdtree_get_bbox(Box &) const { return false; }
};

// nanoflann's distance interface with a weight on y (set before each search).
struct WeightedL2 {
    using ElementType = double;
    using DistanceType = double;
    const Cloud &cloud;
    double yWeight = 1.0;
    explicit WeightedL2(const Cloud &c) : cloud(c) {}
    double evalMetric(const double *a, uint32_t b, size_t) const
    {
        const double dx = a[0] - cloud.xy[2 * size_t(b)], dy = a[1] - cloud.xy[2 * size_t(b) + 1];
        return dx * dx + yWeight * dy * dy;
    }
    template <typename U, typename V>
    double accum_dist(const U a, const V b, size_t dim) const
    {
        const double d = double(a) - double(b);
        return (dim == 1 ? yWeight : 1.0) * d * d;
    }
};

using KdTree = nanoflann::KDTreeSingleIndexAdaptor<WeightedL2, Cloud, 2, uint32_t>;

} // namespace

struct ScreenIndex::Tree {
    Cloud cloud;
    std::unique_ptr<KdTree> tree;  // refers to cloud: built after it, destroyed before it
};

ScreenIndex::ScreenIndex(const QVector<float> &x, const QVector<float> &y) : m_tree(std::make_unique<Tree>())
{
    const qsizetype n = std::min(x.size(), y.size());
    m_tree->cloud.xy.resize(size_t(2 * n));
    for (qsizetype i = 0; i < n; ++i) {
        m_tree->cloud.xy[size_t(2 * i)] = x[i];
        m_tree->cloud.xy[size_t(2 * i + 1)] = y[i];
    }
    if (n > 0)
        m_tree->tree = std::make_unique<KdTree>(2, m_tree->cloud, nanoflann::KDTreeSingleIndexAdaptorParams(16));
}

ScreenIndex::~ScreenIndex() = default;

qint64 ScreenIndex::size() const
{
    return qint64(m_tree->cloud.kdtree_get_point_count());
}

std::vector<uint32_t> ScreenIndex::nearest(double x, double y, double yWeight, size_t k) const
{
    k = std::min(k, size_t(size()));
    if (k == 0)
        return {};
    m_tree->tree->distance.yWeight = yWeight;
    const double query[2] = {x, y};
    std::vector<uint32_t> rows(k);
    std::vector<double> distances(k);
    rows.resize(m_tree->tree->knnSearch(query, k, rows.data(), distances.data()));
    return rows;
}

double ScreenIndex::distance(double x, double y, double yWeight, qint64 row) const
{
    const double dx = x - m_tree->cloud.xy[size_t(2 * row)], dy = y - m_tree->cloud.xy[size_t(2 * row + 1)];
    return dx * dx + yWeight * dy * dy;
}

qint64 ScreenIndex::nearestWhere(double x, double y, double yWeight, const std::function<bool(qint64)> &accept) const
{
    const size_t n = size_t(size());
    // Usually the nearest point is taken; with some refused look a little further, then at all.
    for (size_t k : {size_t(1), size_t(64), size_t(2048)}) {
        k = std::min(k, n);
        for (const uint32_t row : nearest(x, y, yWeight, k))
            if (accept(row))
                return row;
        if (k == n)
            return -1;
    }
    qint64 best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (qint64 i = 0; i < qint64(n); ++i) {
        if (!accept(i))
            continue;
        const double d = distance(x, y, yWeight, i);
        if (d < bestDistance) {
            bestDistance = d;
            best = i;
        }
    }
    return best;
}
