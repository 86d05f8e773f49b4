#include "latent/kmeans.h"

#include <ATen/Parallel.h>

#include <QHash>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace aes {

namespace {

float squared(const float *a, const float *b, int dims)
{
    float s = 0.0f;
    for (int j = 0; j < dims; ++j) {
        const float d = a[j] - b[j];
        s += d * d;
    }
    return s;
}

// A uniform double in [0, 1) from 53 bits of the generator: std::uniform_real_distribution
// differs between standard libraries, this does not.
double uniform(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * (1.0 / 9007199254740992.0);
}

// k-means++: the first centre uniformly, each next one with probability proportional to the
// squared distance to the nearest centre chosen so far.
std::vector<float> initialCentres(const CodeTable &codes, int k, std::mt19937_64 &rng)
{
    const int dims = codes.dims;
    std::vector<float> centres(size_t(k) * dims);
    std::vector<double> nearest(size_t(codes.n), std::numeric_limits<double>::infinity());
    qint64 pick = qint64(uniform(rng) * double(codes.n));
    for (int c = 0; c < k; ++c) {
        std::copy_n(codes.row(pick), dims, centres.begin() + ptrdiff_t(c) * dims);
        double total = 0.0;
        for (qint64 i = 0; i < codes.n; ++i) {
            nearest[size_t(i)] = std::min(nearest[size_t(i)], double(squared(codes.row(i), codes.row(pick), dims)));
            total += nearest[size_t(i)];
        }
        if (c + 1 == k)
            break;
        if (total <= 0.0) {  // every code sits on a centre: any row will do
            pick = qint64(uniform(rng) * double(codes.n));
            continue;
        }
        double target = uniform(rng) * total;
        pick = codes.n - 1;
        for (qint64 i = 0; i < codes.n; ++i) {
            target -= nearest[size_t(i)];
            if (target < 0.0) {
                pick = i;
                break;
            }
        }
    }
    return centres;
}

} // namespace

KMeansResult kmeans(const CodeTable &codes, const KMeansOptions &options)
{
    KMeansResult result;
    if (!codes.data || codes.n <= 0 || codes.dims <= 0)
        return result;
    const int dims = codes.dims;
    const int k = int(std::clamp<qint64>(options.k, 1, codes.n));
    std::mt19937_64 rng(options.seed);
    std::vector<float> centres = initialCentres(codes, k, rng);
    std::vector<int> assignment(size_t(codes.n), -1);
    std::vector<double> sums(size_t(k) * dims);
    std::vector<qint64> counts(static_cast<size_t>(k));
    int iteration = 0;
    for (; iteration < std::max(1, options.maxIterations); ++iteration) {
        std::atomic<qint64> changed{0};
        at::parallel_for(0, codes.n, 2048, [&](int64_t begin, int64_t end) {
            qint64 local = 0;
            for (int64_t i = begin; i < end; ++i) {
                int best = 0;
                float bestDistance = std::numeric_limits<float>::infinity();
                for (int c = 0; c < k; ++c) {
                    const float d = squared(codes.row(i), centres.data() + size_t(c) * dims, dims);
                    if (d < bestDistance) {
                        bestDistance = d;
                        best = c;
                    }
                }
                if (assignment[size_t(i)] != best) {
                    assignment[size_t(i)] = best;
                    ++local;
                }
            }
            changed += local;
        });
        if (changed.load() == 0 && iteration > 0)
            break;
        // New centres: means in row order (the same sums with any thread count).
        std::fill(sums.begin(), sums.end(), 0.0);
        std::fill(counts.begin(), counts.end(), 0);
        for (qint64 i = 0; i < codes.n; ++i) {
            const int c = assignment[size_t(i)];
            ++counts[size_t(c)];
            const float *row = codes.row(i);
            double *sum = sums.data() + size_t(c) * dims;
            for (int j = 0; j < dims; ++j)
                sum[j] += row[j];
        }
        for (int c = 0; c < k; ++c) {
            if (counts[size_t(c)] == 0)
                continue;  // an empty cluster keeps its centre
            for (int j = 0; j < dims; ++j)
                centres[size_t(c) * dims + j] = float(sums[size_t(c) * dims + j] / double(counts[size_t(c)]));
        }
    }
    // Clusters renumbered by size, largest first (ties: the older number first).
    std::vector<qint64> sizes(static_cast<size_t>(k), 0);
    for (int c : assignment)
        ++sizes[size_t(c)];
    std::vector<int> order(static_cast<size_t>(k));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sizes[size_t(a)] > sizes[size_t(b)]; });
    std::vector<int> rank(static_cast<size_t>(k));
    for (int r = 0; r < k; ++r)
        rank[size_t(order[size_t(r)])] = r;
    result.k = k;
    result.iterations = iteration + 1 > options.maxIterations ? options.maxIterations : iteration + 1;
    result.assignment.resize(codes.n);
    result.centroids.resize(qsizetype(k) * dims);
    result.sizes.resize(k);
    for (int r = 0; r < k; ++r) {
        const int c = order[size_t(r)];
        result.sizes[r] = sizes[size_t(c)];
        std::copy_n(centres.data() + size_t(c) * dims, dims, result.centroids.begin() + qsizetype(r) * dims);
    }
    double inertia = 0.0;
    for (qint64 i = 0; i < codes.n; ++i) {
        const int r = rank[size_t(assignment[size_t(i)])];
        result.assignment[i] = r;
        inertia += squared(codes.row(i), result.centroids.constData() + qsizetype(r) * dims, dims);
    }
    result.inertia = inertia;
    return result;
}

QVector<ClusterStats> clusterStats(const QVector<int> &assignment, int k, const QVector<int> &labels)
{
    QVector<ClusterStats> stats(std::max(0, k));
    QVector<QHash<int, qint64>> counts(std::max(0, k));
    for (qsizetype i = 0; i < assignment.size(); ++i) {
        const int c = assignment[i];
        if (c < 0 || c >= k)
            continue;
        ++stats[c].size;
        const int label = labels.value(i, -1);
        if (label >= 0) {
            ++counts[c][label];
            ++stats[c].labelled;
        }
    }
    for (int c = 0; c < k; ++c) {
        ClusterStats &s = stats[c];
        for (auto it = counts[c].cbegin(); it != counts[c].cend(); ++it) {
            // The most frequent label; ties go to the smaller label (the same on every run).
            if (it.value() > s.majorityCount || (it.value() == s.majorityCount && it.key() < s.majorityLabel)) {
                s.majorityCount = it.value();
                s.majorityLabel = it.key();
            }
        }
        s.purity = s.labelled > 0 ? double(s.majorityCount) / double(s.labelled)
                                   : std::numeric_limits<double>::quiet_NaN();
    }
    return stats;
}

double overallPurity(const QVector<ClusterStats> &stats)
{
    qint64 majority = 0, labelled = 0;
    for (const ClusterStats &s : stats) {
        majority += s.majorityCount;
        labelled += s.labelled;
    }
    return labelled > 0 ? double(majority) / double(labelled) : std::numeric_limits<double>::quiet_NaN();
}

QStringList clusterNames(int k)
{
    QStringList names;
    for (int c = 0; c < k; ++c)
        names << QStringLiteral("cluster %1").arg(c + 1);
    return names;
}

} // namespace aes
