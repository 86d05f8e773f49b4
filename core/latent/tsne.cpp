#include "latent/tsne.h"

#include "latent/pca.h"
#include "latent/tsnegradient.h"
#include "util/hotloop.h"

#include <torch/torch.h>

#include <nanoflann.hpp>

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace aes {

namespace {

// ---------------------------------------------------------------------------------------
// Input neighbourhoods

// nanoflann's view of a row-major float matrix.
struct RowMatrix {
    const float *data;
    int64_t rows;
    int64_t dims;
    size_t kdtree_get_point_count() const { return size_t(rows); }
    float kdtree_get_pt(size_t i, size_t d) const { return data[int64_t(i) * dims + int64_t(d)]; }
    template <class BoundingBox>
    bool kdtree_get_bbox(BoundingBox &) const { return false; }
};
// L2_Adaptor (not _Simple): it stops summing a distance once it exceeds the worst kept one.
using InputTree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Adaptor<float, RowMatrix, float>,
                                                      RowMatrix, -1, uint32_t>;

// Gaussian conditional probabilities p(j|i) of one point over its sorted squared
// distances, with the bandwidth found by bisection so that the entropy is log(perplexity)
// (scikit-learn's _binary_search_perplexity: 100 steps, tolerance 1e-5). Distances are
// taken relative to the nearest one, which leaves p unchanged and avoids underflow.
void calibrateRow(const float *distSq, int k, double perplexity, float *p)
{
    const double target = std::log(perplexity);
    const double d0 = distSq[0];
    double beta = 1.0, betaMin = -std::numeric_limits<double>::infinity(),
           betaMax = std::numeric_limits<double>::infinity();
    std::vector<double> w(size_t(k), 0.0);
    for (int step = 0; step < 100; ++step) {
        double sum = 0.0, weighted = 0.0;
        for (int j = 0; j < k; ++j) {
            const double d = double(distSq[j]) - d0;
            w[size_t(j)] = std::exp(-d * beta);
            sum += w[size_t(j)];
            weighted += d * w[size_t(j)];
        }
        const double entropy = std::log(sum) + beta * weighted / sum;
        for (int j = 0; j < k; ++j)
            p[j] = float(w[size_t(j)] / sum);
        const double diff = entropy - target;
        if (std::abs(diff) <= 1e-5)
            break;
        if (diff > 0) {  // too flat: narrow the Gaussian
            betaMin = beta;
            beta = std::isinf(betaMax) ? beta * 2.0 : (beta + betaMax) / 2.0;
        } else {
            betaMax = beta;
            beta = std::isinf(betaMin) ? beta / 2.0 : (beta + betaMin) / 2.0;
        }
    }
}

// The symmetric joint probabilities P = (p(j|i) + p(i|j)) / 2N in compressed rows.
TsneSparseRows symmetrise(int64_t n, int k, const std::vector<int32_t> &neighbours, const std::vector<float> &conditional)
{
    // Each (i, j, p(j|i)) lands in row i and, transposed, in row j; duplicates merge below.
    std::vector<int64_t> count(size_t(n) + 1, 0);
    for (int64_t i = 0; i < n; ++i)
        for (int a = 0; a < k; ++a) {
            ++count[size_t(i) + 1];
            ++count[size_t(neighbours[size_t(i * k + a)]) + 1];
        }
    std::partial_sum(count.begin(), count.end(), count.begin());
    std::vector<std::pair<int32_t, float>> entries(size_t(count.back()));
    std::vector<int64_t> fill(count.begin(), count.end() - 1);
    for (int64_t i = 0; i < n; ++i)
        for (int a = 0; a < k; ++a) {
            const int32_t j = neighbours[size_t(i * k + a)];
            const float p = conditional[size_t(i * k + a)];
            entries[size_t(fill[size_t(i)]++)] = {j, p};
            entries[size_t(fill[size_t(j)]++)] = {int32_t(i), p};
        }
    std::vector<int64_t> kept(size_t(n), 0);
    at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            auto first = entries.begin() + count[size_t(i)], last = entries.begin() + count[size_t(i) + 1];
            std::sort(first, last, [](const auto &x, const auto &y) { return x.first < y.first; });
            // At most two entries share a column (one per direction): a + b is order-free.
            auto out = first;
            for (auto it = first; it != last; ++it) {
                if (out != first && (out - 1)->first == it->first)
                    (out - 1)->second += it->second;
                else
                    *out++ = *it;
            }
            kept[size_t(i)] = out - first;
        }
    });
    // Whole rows, both triangles: the attraction of a row then needs no writes to other rows.
    TsneSparseRows p;
    p.rowStart.assign(size_t(n) + 1, 0);
    for (int64_t i = 0; i < n; ++i)
        p.rowStart[size_t(i) + 1] = p.rowStart[size_t(i)] + kept[size_t(i)];
    p.column.resize(size_t(p.rowStart.back()));
    p.value.resize(size_t(p.rowStart.back()));
    const double scale = 1.0 / (2.0 * double(n));  // every conditional row sums to 1
    at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            for (int64_t e = 0; e < kept[size_t(i)]; ++e) {
                const auto &entry = entries[size_t(count[size_t(i)] + e)];
                p.column[size_t(p.rowStart[size_t(i)] + e)] = entry.first;
                p.value[size_t(p.rowStart[size_t(i)] + e)] = float(double(entry.second) * scale);
            }
    });
    return p;
}

// N x 2 starting layout with a standard deviation of 1e-4 on the first axis (scikit-learn).
std::vector<double> initialLayout(const torch::Tensor &x, const TsneOptions &options)
{
    const int64_t n = x.size(0);
    std::vector<double> y(size_t(2 * n));
    if (options.init == TsneInit::Pca && x.size(1) >= 2 && n >= 2) {
        const torch::Tensor projected = pca(x, 2).projection.to(torch::kFloat64).contiguous();
        const double sd = projected.select(1, 0).std(/*unbiased=*/false).item<double>();
        const double scale = sd > 0 ? 1e-4 / sd : 1.0;
        const double *src = projected.data_ptr<double>();
        for (int64_t i = 0; i < 2 * n; ++i)
            y[size_t(i)] = src[i] * scale;
        if (sd > 0)
            return y;
    }
    // Box-Muller on the standard 64-bit Mersenne Twister: the same layout on every platform.
    std::mt19937_64 random(options.seed);
    const double twoPi = 6.283185307179586;
    for (size_t i = 0; i < y.size(); i += 2) {
        const double u1 = (double(random() >> 11) + 1.0) * 0x1.0p-53, u2 = double(random() >> 11) * 0x1.0p-53;
        const double r = 1e-4 * std::sqrt(-2.0 * std::log(u1));
        y[i] = r * std::cos(twoPi * u2);
        y[i + 1] = r * std::sin(twoPi * u2);
    }
    return y;
}

// A visiting order of the kNN graph, breadth first from point 0 (then from the first
// point not reached yet), and the graph renumbered in it: a point's neighbours then sit at
// nearby numbers, so the attraction's reads of their coordinates stay in the
// near caches instead of wandering over the whole layout (10k Fashion-MNIST points: the
// whole t-SNE 5% faster).
// order[new] = old.
std::vector<int32_t> localityOrder(int64_t n, int k, std::vector<int32_t> *neighbours, std::vector<float> *distSq)
{
    std::vector<int32_t> order, rank(size_t(n), -1);
    order.reserve(size_t(n));
    for (int64_t start = 0; start < n; ++start) {
        if (rank[size_t(start)] >= 0)
            continue;
        rank[size_t(start)] = int32_t(order.size());
        order.push_back(int32_t(start));
        for (size_t head = order.size() - 1; head < order.size(); ++head) {
            const int64_t i = order[head];
            for (int a = 0; a < k; ++a) {
                const int32_t j = (*neighbours)[size_t(i * k + a)];
                if (rank[size_t(j)] < 0) {
                    rank[size_t(j)] = int32_t(order.size());
                    order.push_back(j);
                }
            }
        }
    }
    std::vector<int32_t> renumbered(neighbours->size());
    std::vector<float> distances(distSq->size());
    for (int64_t r = 0; r < n; ++r) {
        const int64_t i = order[size_t(r)];
        for (int a = 0; a < k; ++a) {
            renumbered[size_t(r * k + a)] = rank[size_t((*neighbours)[size_t(i * k + a)])];
            distances[size_t(r * k + a)] = (*distSq)[size_t(i * k + a)];
        }
    }
    *neighbours = std::move(renumbered);
    *distSq = std::move(distances);
    return order;
}

// y (in the order of localityOrder) back in the caller's order, as float.
std::vector<float> toFloat(const std::vector<double> &y, const std::vector<int32_t> &order)
{
    std::vector<float> out(y.size());
    for (size_t r = 0; r < order.size(); ++r) {
        out[2 * size_t(order[r])] = float(y[2 * r]);
        out[2 * size_t(order[r]) + 1] = float(y[2 * r + 1]);
    }
    return out;
}

} // namespace

namespace {

// kd-tree search (nanoflann): fast in the few dimensions of most latent spaces.
bool treeNeighbours(const float *points, int64_t n, int64_t dims, int k, int32_t *indices, float *distancesSq,
                    const std::atomic_bool *cancel)
{
    const RowMatrix matrix{points, n, dims};
    const InputTree tree(size_t(dims), matrix, nanoflann::KDTreeSingleIndexAdaptorParams(/*leaf_max_size=*/16));
    std::atomic_bool stopped{false};
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
        std::vector<uint32_t> found(size_t(k) + 1);
        std::vector<float> dist(size_t(k) + 1);
        for (int64_t i = begin; i < end; ++i) {
            if ((i & 255) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
                stopped.store(true);
                return;
            }
            const size_t got = tree.knnSearch(points + i * dims, size_t(k) + 1, found.data(), dist.data());
            // The point itself is normally first, but duplicates may come before it.
            int out = 0;
            for (size_t a = 0; a < got && out < k; ++a) {
                if (int64_t(found[a]) == i)
                    continue;
                indices[i * k + out] = int32_t(found[a]);
                distancesSq[i * k + out] = dist[a];
                ++out;
            }
        }
    });
    return !stopped.load();
}

// The k nearest candidates of every row, kept while tiles of distances stream past: a
// candidate that beats the row's k-th best so far is appended, and the list is cut back
// to the best k (a selection, O(k)) whenever it fills up: ~2x faster than a heap, whose
// updates per accepted candidate dominated (~500 of them per row at 10k).
class CandidateLists {
public:
    CandidateLists(int64_t n, int k, const float *squares)
        : m_k(k), m_capacity(k + std::max(16, k / 2)), m_sq(squares), m_count(size_t(n), 0),
          m_worst(size_t(n), std::numeric_limits<float>::infinity()), m_best(size_t(n) * size_t(m_capacity))
    {
    }

    // Offers row i the points first, first + 1, ... whose dot products with it are dot[0..count).
    // Distances less |x_i|^2 (the same for the whole row, added at the end); self is skipped.
    AES_HOT_LOOP void offer(int64_t i, const float *dot, int64_t first, int64_t count)
    {
        std::pair<float, int32_t> *best = &m_best[size_t(i) * size_t(m_capacity)];
        int filled = m_count[size_t(i)];
        float worst = m_worst[size_t(i)];
        const float *sq = m_sq + first;
        // A branch-free count (vectorised) over a block decides whether it needs a look at all.
        const int64_t kBlock = 32;
        for (int64_t j = 0; j < count; j += kBlock) {
            const int64_t stop = std::min(count, j + kBlock);
            int hits = 0;
            for (int64_t b = j; b < stop; ++b)
                hits += sq[b] - 2.0f * dot[b] < worst;
            if (hits == 0)
                continue;
            for (int64_t b = j; b < stop; ++b) {
                const float d = sq[b] - 2.0f * dot[b];
                if (!(d < worst) || first + b == i)
                    continue;
                best[filled++] = {d, int32_t(first + b)};
                if (filled == m_capacity) {
                    std::nth_element(best, best + (m_k - 1), best + filled);
                    filled = m_k;
                    worst = best[m_k - 1].first;
                }
            }
        }
        m_count[size_t(i)] = filled;
        m_worst[size_t(i)] = worst;
    }

    // Row i's k nearest, sorted by distance (ties by index), as squared distances.
    void take(int64_t i, int32_t *indices, float *distancesSq)
    {
        std::pair<float, int32_t> *best = &m_best[size_t(i) * size_t(m_capacity)];
        const int filled = m_count[size_t(i)];
        const int kept = std::min(m_k, filled);
        std::partial_sort(best, best + kept, best + filled);
        for (int a = 0; a < kept; ++a) {
            indices[a] = best[a].second;
            distancesSq[a] = std::max(0.0f, best[a].first + m_sq[i]);
        }
    }

private:
    int m_k, m_capacity;
    const float *m_sq;
    std::vector<int> m_count;
    std::vector<float> m_worst;
    std::vector<std::pair<float, int32_t>> m_best;
};

// Every distance by tiles of matrix products (BLAS), each tile of the upper triangle once:
// its rows offered to the rows' lists, and (transposed) its columns to the columns'. In 50
// dimensions a kd-tree visits most points anyway; this is ~7x faster there.
bool blasNeighbours(const float *points, int64_t n, int64_t dims, int k, int32_t *indices, float *distancesSq,
                    const std::atomic_bool *cancel)
{
    const torch::Tensor x = torch::from_blob(const_cast<float *>(points), {n, dims}, torch::kFloat32);
    const torch::Tensor squares = x.pow(2).sum(1).contiguous();
    CandidateLists lists(n, k, squares.data_ptr<float>());
    const int64_t tile = 2048;  // 16 MB of distances
    for (int64_t rowStart = 0; rowStart < n; rowStart += tile) {
        const int64_t rows = std::min(tile, n - rowStart);
        const torch::Tensor block = x.narrow(0, rowStart, rows);
        for (int64_t columnStart = rowStart; columnStart < n; columnStart += tile) {
            if (cancel && cancel->load(std::memory_order_relaxed))
                return false;
            const int64_t columns = std::min(tile, n - columnStart);
            const torch::Tensor dots = torch::mm(block, x.narrow(0, columnStart, columns).t()).contiguous();
            const float *dot = dots.data_ptr<float>();
            at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
                for (int64_t r = begin; r < end; ++r)
                    lists.offer(rowStart + r, dot + r * columns, columnStart, columns);
            });
            if (columnStart == rowStart)
                continue;  // the diagonal tile holds both directions already
            // The transposed tile by a second product: a copy of dots.t() costs more.
            const torch::Tensor transposed = torch::mm(x.narrow(0, columnStart, columns), block.t());
            const float *dotT = transposed.data_ptr<float>();
            at::parallel_for(0, columns, 16, [&](int64_t begin, int64_t end) {
                for (int64_t c = begin; c < end; ++c)
                    lists.offer(columnStart + c, dotT + c * rows, rowStart, rows);
            });
        }
    }
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            lists.take(i, indices + i * k, distancesSq + i * k);
    });
    return true;
}

} // namespace

bool nearestNeighbours(const float *points, int64_t n, int64_t dims, int k, std::vector<int32_t> *indices,
                       std::vector<float> *distancesSq, const std::atomic_bool *cancel)
{
    k = int(std::min<int64_t>(k, n - 1));
    indices->assign(size_t(n * k), 0);
    distancesSq->assign(size_t(n * k), 0.0f);
    if (k <= 0)
        return true;
    // Where kd-trees stop paying off: past ~16 dimensions they approach brute force.
    return dims <= 16 ? treeNeighbours(points, n, dims, k, indices->data(), distancesSq->data(), cancel)
                      : blasNeighbours(points, n, dims, k, indices->data(), distancesSq->data(), cancel);
}

QString layoutInput(const at::Tensor &data, int maxInputDims, const QString &method, at::Tensor *out)
{
    TORCH_CHECK(data.dim() == 2, "layoutInput: expected an N x D matrix, got ", data.sizes());
    if (data.size(0) < 4)
        return QStringLiteral("%1 needs at least 4 points, got %2").arg(method).arg(data.size(0));
    if (data.size(1) < 1)
        return QStringLiteral("%1 needs at least one input dimension").arg(method);
    torch::NoGradGuard noGrad;
    torch::Tensor x = data.to(torch::kFloat32).contiguous();
    if (maxInputDims > 0 && x.size(1) > maxInputDims)
        x = pca(x, maxInputDims).projection.contiguous();
    *out = x;
    return {};
}

TsneResult runTsne(const at::Tensor &data, const TsneOptions &options, TsneControl *control)
{
    TORCH_CHECK(data.dim() == 2, "runTsne: expected an N x D matrix, got ", data.sizes());
    TsneResult result;
    QElapsedTimer clock;
    clock.start();
    const int64_t n = data.size(0);
    if (!(options.perplexity > 0)) {
        result.error = QStringLiteral("the perplexity must be positive");
        return result;
    }
    const auto cancelled = [&] { return control && control->cancel.load(std::memory_order_relaxed); };
    torch::NoGradGuard noGrad;
    torch::Tensor x;
    result.error = layoutInput(data, options.maxInputDims, QStringLiteral("t-SNE"), &x);
    if (!result.error.isEmpty())
        return result;
    const int k = int(std::min<int64_t>(n - 1, int64_t(3.0 * options.perplexity + 1.0)));
    std::vector<int32_t> neighbours;
    std::vector<float> distSq;
    if (!nearestNeighbours(x.data_ptr<float>(), n, x.size(1), k, &neighbours, &distSq, control ? &control->cancel : nullptr)) {
        result.cancelled = true;
        return result;
    }
    const std::vector<int32_t> order = localityOrder(n, k, &neighbours, &distSq);
    std::vector<float> conditional(size_t(n * k));
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            calibrateRow(&distSq[size_t(i * k)], k, options.perplexity, &conditional[size_t(i * k)]);
    });
    const TsneSparseRows p = symmetrise(n, k, neighbours, conditional);
    std::vector<double> y;
    {
        const std::vector<double> start = initialLayout(x, options);
        y.resize(start.size());
        for (int64_t r = 0; r < n; ++r) {
            y[size_t(2 * r)] = start[size_t(2 * order[size_t(r)])];
            y[size_t(2 * r + 1)] = start[size_t(2 * order[size_t(r)] + 1)];
        }
    }
    result.neighbourSeconds = clock.elapsed() / 1000.0;

    const double learningRate = options.learningRate > 0
        ? options.learningRate
        : std::max(double(n) / options.exaggeration / 4.0, 50.0);
    TsneRepulsion repulsion(options);
    std::vector<double> attract, repel, update(y.size(), 0.0), gains(y.size(), 1.0);
    double lastSnapshot = clock.elapsed() / 1000.0;
    const int iterations = std::max(0, options.iterations);
    for (int it = 0; it < iterations; ++it) {
        if (cancelled()) {
            result.cancelled = true;
            break;
        }
        const bool early = it < options.exaggerationIterations;
        if (it == options.exaggerationIterations) {
            // scikit-learn starts its second stage afresh: no momentum carried over, unit gains.
            std::fill(update.begin(), update.end(), 0.0);
            std::fill(gains.begin(), gains.end(), 1.0);
        }
        const double exaggeration = early ? options.exaggeration : 1.0;
        const double momentum = early ? 0.5 : 0.8;
        const double z = repulsion.compute(y, &repel, p, &attract);
        result.splitIterations += repulsion.lastSplit() ? 1 : 0;
        at::parallel_for(0, 2 * n, 4096, [&](int64_t begin, int64_t end) {
            for (int64_t c = begin; c < end; ++c) {
                const size_t s = size_t(c);
                const double grad = 4.0 * (exaggeration * attract[s] - repel[s] / z);
                // Delta-bar-delta: grow the gain while the direction holds, shrink it on a turn.
                gains[s] = update[s] * grad < 0.0 ? gains[s] + 0.2 : std::max(gains[s] * 0.8, 0.01);
                update[s] = momentum * update[s] - learningRate * gains[s] * grad;
                y[s] += update[s];
            }
        });
        result.iterations = it + 1;
        const double now = clock.elapsed() / 1000.0;
        if (control && control->onLayout && now - lastSnapshot >= control->snapshotSeconds && it + 1 < iterations) {
            lastSnapshot = now;
            control->onLayout(TsneSnapshot{it + 1, iterations, now, toFloat(y, order)});
        }
    }
    std::vector<float> layout = toFloat(y, order);
    result.layout = torch::from_blob(layout.data(), {n, 2}, torch::kFloat32).clone();
    result.seconds = clock.elapsed() / 1000.0;
    return result;
}

} // namespace aes
