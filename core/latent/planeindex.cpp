#include "latent/planeindex.h"

#include <nanoflann.hpp>

#include <algorithm>
#include <limits>

namespace aes {

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

struct PlaneIndex::Tree {
    Cloud cloud;
    std::unique_ptr<KdTree> tree;  // refers to cloud: built after it, destroyed before it
};

PlaneIndex::PlaneIndex(const QVector<float> &x, const QVector<float> &y) : m_tree(std::make_unique<Tree>())
{
    const qsizetype n = std::min(x.size(), y.size());
    m_tree->cloud.xy.resize(size_t(2 * n));
    for (qsizetype i = 0; i < n; ++i) {
        m_tree->cloud.xy[size_t(2 * i)] = x[i];
        m_tree->cloud.xy[size_t(2 * i + 1)] = y[i];
    }
    build();
}

PlaneIndex::PlaneIndex(const float *xy, qint64 count) : m_tree(std::make_unique<Tree>())
{
    m_tree->cloud.xy.assign(xy, xy + 2 * std::max<qint64>(count, 0));
    build();
}

void PlaneIndex::build()
{
    if (!m_tree->cloud.xy.empty())
        m_tree->tree = std::make_unique<KdTree>(2, m_tree->cloud, nanoflann::KDTreeSingleIndexAdaptorParams(16));
}

PlaneIndex::~PlaneIndex() = default;

qint64 PlaneIndex::size() const
{
    return qint64(m_tree->cloud.kdtree_get_point_count());
}

qint64 PlaneIndex::nearest(double x, double y) const
{
    const std::vector<qint64> rows = nearest(x, y, 1);
    return rows.empty() ? -1 : rows.front();
}

std::vector<qint64> PlaneIndex::nearest(double x, double y, qint64 k, double yWeight) const
{
    const size_t want = size_t(std::clamp<qint64>(k, 0, size()));
    if (want == 0)
        return {};
    m_tree->tree->distance.yWeight = yWeight;
    const double query[2] = {x, y};
    std::vector<uint32_t> rows(want);
    std::vector<double> distances(want);
    rows.resize(m_tree->tree->knnSearch(query, want, rows.data(), distances.data()));
    return std::vector<qint64>(rows.begin(), rows.end());
}

double PlaneIndex::distance(double x, double y, qint64 row, double yWeight) const
{
    const double dx = x - m_tree->cloud.xy[size_t(2 * row)], dy = y - m_tree->cloud.xy[size_t(2 * row + 1)];
    return dx * dx + yWeight * dy * dy;
}

qint64 PlaneIndex::nearestWhere(double x, double y, const std::function<bool(qint64)> &accept, double yWeight) const
{
    const qint64 n = size();
    // Usually the nearest point is taken; with some refused look a little further, then at all.
    for (qint64 k : {qint64(1), qint64(64), qint64(2048)}) {
        k = std::min(k, n);
        for (const qint64 row : nearest(x, y, k, yWeight))
            if (accept(row))
                return row;
        if (k == n)
            return -1;
    }
    qint64 best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (qint64 i = 0; i < n; ++i) {
        if (!accept(i))
            continue;
        const double d = distance(x, y, i, yWeight);
        if (d < bestDistance) {
            bestDistance = d;
            best = i;
        }
    }
    return best;
}

} // namespace aes
