#include "latent/umap.h"

#include "latent/pca.h"
#include "latent/tsne.h"

#include <torch/torch.h>

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

namespace aes {

namespace {

// ---------------------------------------------------------------------------------------
// The fuzzy simplicial set

// rho (the distance to the nearest neighbour) and sigma of one point over its sorted
// Euclidean distances to `count` neighbours, so that sum exp(-(d - rho) / sigma) = target;
// then the memberships themselves (umap-learn's smooth_knn_dist and
// compute_membership_strengths: 64 bisection steps, tolerance 1e-5, sigma at least 1e-3
// times the mean distance).
void memberships(const float *distance, int count, double target, double meanOfAll, float *weight)
{
    double rho = 0.0;
    for (int j = 0; j < count; ++j)
        if (distance[j] > 0.0f) {
            rho = distance[j];
            break;
        }
    double lo = 0.0, hi = std::numeric_limits<double>::infinity(), mid = 1.0;
    for (int step = 0; step < 64; ++step) {
        double sum = 0.0;
        for (int j = 0; j < count; ++j) {
            const double d = double(distance[j]) - rho;
            sum += d > 0.0 ? std::exp(-d / mid) : 1.0;
        }
        if (std::abs(sum - target) < 1e-5)
            break;
        if (sum > target) {
            hi = mid;
            mid = (lo + hi) / 2.0;
        } else {
            lo = mid;
            mid = std::isinf(hi) ? mid * 2.0 : (lo + hi) / 2.0;
        }
    }
    double mean = 0.0;
    for (int j = 0; j < count; ++j)
        mean += distance[j];
    mean = count > 0 ? mean / count : 0.0;
    const double sigma = std::max(mid, 1e-3 * (rho > 0.0 ? mean : meanOfAll));
    for (int j = 0; j < count; ++j) {
        const double d = double(distance[j]) - rho;
        weight[j] = d > 0.0 ? float(std::exp(-d / sigma)) : 1.0f;
    }
}

// A symmetric sparse graph in compressed rows (both directions stored), columns ascending.
struct Graph {
    std::vector<int64_t> rowStart;
    std::vector<int32_t> column;
    std::vector<float> weight;
};

// The fuzzy union W + W^T - W o W^T of the directed k-NN memberships W (n x k).
Graph fuzzyUnion(int64_t n, int k, const std::vector<int32_t> &neighbours, const std::vector<float> &w)
{
    struct Entry {
        int32_t column;
        float forward;   // W_ij
        float backward;  // W_ji
    };
    std::vector<int64_t> count(size_t(n) + 1, 0);
    for (int64_t i = 0; i < n; ++i)
        for (int a = 0; a < k; ++a) {
            ++count[size_t(i) + 1];
            ++count[size_t(neighbours[size_t(i * k + a)]) + 1];
        }
    std::partial_sum(count.begin(), count.end(), count.begin());
    std::vector<Entry> entries(size_t(count.back()));
    std::vector<int64_t> fill(count.begin(), count.end() - 1);
    for (int64_t i = 0; i < n; ++i)
        for (int a = 0; a < k; ++a) {
            const int32_t j = neighbours[size_t(i * k + a)];
            const float v = w[size_t(i * k + a)];
            entries[size_t(fill[size_t(i)]++)] = {j, v, 0.0f};
            entries[size_t(fill[size_t(j)]++)] = {int32_t(i), 0.0f, v};
        }
    std::vector<int64_t> kept(size_t(n), 0);
    at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            auto first = entries.begin() + count[size_t(i)], last = entries.begin() + count[size_t(i) + 1];
            std::sort(first, last, [](const Entry &x, const Entry &y) { return x.column < y.column; });
            auto out = first;
            for (auto it = first; it != last; ++it) {
                if (out != first && (out - 1)->column == it->column) {
                    (out - 1)->forward += it->forward;  // one of the two is zero
                    (out - 1)->backward += it->backward;
                } else {
                    *out++ = *it;
                }
            }
            kept[size_t(i)] = out - first;
        }
    });
    Graph g;
    g.rowStart.assign(size_t(n) + 1, 0);
    for (int64_t i = 0; i < n; ++i)
        g.rowStart[size_t(i) + 1] = g.rowStart[size_t(i)] + kept[size_t(i)];
    g.column.resize(size_t(g.rowStart.back()));
    g.weight.resize(size_t(g.rowStart.back()));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t e = 0; e < kept[size_t(i)]; ++e) {
            const Entry &entry = entries[size_t(count[size_t(i)] + e)];
            const float f = entry.forward, b = entry.backward;
            g.column[size_t(g.rowStart[size_t(i)] + e)] = entry.column;
            g.weight[size_t(g.rowStart[size_t(i)] + e)] = f + b - f * b;
        }
    return g;
}

// Drops the edges below threshold (both directions have the same weight).
Graph pruned(const Graph &g, float threshold)
{
    const int64_t n = int64_t(g.rowStart.size()) - 1;
    Graph out;
    out.rowStart.assign(size_t(n) + 1, 0);
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t e = g.rowStart[size_t(i)]; e < g.rowStart[size_t(i) + 1]; ++e)
            if (g.weight[size_t(e)] >= threshold) {
                out.column.push_back(g.column[size_t(e)]);
                out.weight.push_back(g.weight[size_t(e)]);
            }
        out.rowStart[size_t(i) + 1] = int64_t(out.column.size());
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Random numbers: one stream per point and epoch (splitmix64), so that no two threads
// share a generator and the draws do not depend on which thread moves which point.

inline uint64_t splitmix(uint64_t &state)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// An index in [0, n) (Lemire's multiply-shift; the bias is below n / 2^64).
inline int64_t below(uint64_t &state, int64_t n)
{
    return int64_t((unsigned __int128)splitmix(state) * (unsigned __int128)uint64_t(n) >> 64);
}

// x^b for x > 0 as 2^(b log2 x), both by series, to ~1e-6 relative (libm's powf took
// half of the optimisation's time). log2 on the mantissa scaled into [sqrt(1/2), sqrt(2)):
// 2 atanh(t) / ln 2 with t = (m - 1) / (m + 1), |t| < 0.172, to t^9; 2^f for |f| <= 1/2
// by Taylor to f^7.
inline float fastPow(float x, float b)
{
    int32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    int32_t exponent = ((bits >> 23) & 0xff) - 127;
    bits = (bits & 0x007fffff) | 0x3f800000;
    float m;
    std::memcpy(&m, &bits, sizeof m);
    if (m > 1.41421356f) {
        m *= 0.5f;
        ++exponent;
    }
    const float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
    const float series = t * (2.0f + t2 * (2.0f / 3.0f + t2 * (2.0f / 5.0f + t2 * (2.0f / 7.0f + t2 * (2.0f / 9.0f)))));
    const float y = std::clamp(b * (float(exponent) + series * 1.44269504f), -125.0f, 125.0f);
    const int32_t whole = int32_t(y + 126.5f) - 126;  // y rounded (truncation of a positive number)
    const float f = (y - float(whole)) * 0.69314718f;
    const float e = 1.0f + f * (1.0f + f * (0.5f + f * (1.0f / 6.0f + f * (1.0f / 24.0f + f * (1.0f / 120.0f + f * (1.0f / 720.0f + f * (1.0f / 5040.0f)))))));
    const int32_t scale = (whole + 127) << 23;
    float s;
    std::memcpy(&s, &scale, sizeof s);
    return e * s;
}

// The same four at a time (SSE2 through GCC's vector extensions, as in tsnegradient.cpp).
typedef float Float4 __attribute__((vector_size(16)));
typedef int32_t Int4 __attribute__((vector_size(16)));

inline Float4 splat(float x)
{
    return Float4{x, x, x, x};
}

inline Int4 splatInt(int32_t x)
{
    return Int4{x, x, x, x};
}

inline Float4 fastPow4(Float4 x, float b)
{
    Int4 bits = (Int4)x;
    Int4 exponent = ((bits >> 23) & splatInt(0xff)) - splatInt(127);
    bits = (bits & splatInt(0x007fffff)) | splatInt(0x3f800000);
    Float4 m = (Float4)bits;
    const Int4 big = m > splat(1.41421356f);  // -1 where true
    m = (Float4)(((Int4)(m * splat(0.5f)) & big) | ((Int4)m & ~big));
    exponent -= big;
    const Float4 t = (m - splat(1.0f)) / (m + splat(1.0f)), t2 = t * t;
    const Float4 series = t * (splat(2.0f) + t2 * (splat(2.0f / 3.0f) + t2 * (splat(2.0f / 5.0f)
                              + t2 * (splat(2.0f / 7.0f) + t2 * splat(2.0f / 9.0f)))));
    Float4 y = splat(b) * (__builtin_convertvector(exponent, Float4) + series * splat(1.44269504f));
    y = y < splat(-125.0f) ? splat(-125.0f) : y;
    y = y > splat(125.0f) ? splat(125.0f) : y;
    const Int4 whole = __builtin_convertvector(y + splat(126.5f), Int4) - splatInt(126);
    const Float4 f = (y - __builtin_convertvector(whole, Float4)) * splat(0.69314718f);
    const Float4 e = splat(1.0f) + f * (splat(1.0f) + f * (splat(0.5f) + f * (splat(1.0f / 6.0f) + f * (splat(1.0f / 24.0f)
                     + f * (splat(1.0f / 120.0f) + f * (splat(1.0f / 720.0f) + f * splat(1.0f / 5040.0f)))))));
    return e * (Float4)((whole + splatInt(127)) << 23);
}

inline Float4 clip4(Float4 g)
{
    g = g < splat(-4.0f) ? splat(-4.0f) : g;
    return g > splat(4.0f) ? splat(4.0f) : g;
}

inline float clip4(float g)
{
    return std::clamp(g, -4.0f, 4.0f);
}

// N x 2 starting layout: the input's principal plane scaled to +-10 (umap-learn's "pca"
// initialisation); a seeded uniform square when the input has no spread.
std::vector<float> initialLayout(const torch::Tensor &x, quint64 seed)
{
    const int64_t n = x.size(0);
    std::vector<float> y(size_t(2 * n), 0.0f);
    if (x.size(1) >= 2) {
        const torch::Tensor projected = pca(x, 2).projection.contiguous();
        const double extent = projected.abs().max().item<double>();
        if (extent > 0 && std::isfinite(extent)) {
            const float scale = float(10.0 / extent);
            const float *src = projected.data_ptr<float>();
            for (int64_t i = 0; i < 2 * n; ++i)
                y[size_t(i)] = src[i] * scale;
            return y;
        }
    }
    uint64_t state = seed ^ 0x5eedULL;
    for (float &v : y)
        v = float(double(splitmix(state) >> 11) * 0x1.0p-53 * 20.0 - 10.0);
    return y;
}

} // namespace

UmapCurve umapCurve(double minDist, double spread)
{
    // Levenberg-Marquardt on the residuals r = 1 / (1 + a x^2b) - target, as scipy's
    // curve_fit does from (1, 1).
    const int m = 300;
    std::vector<double> xs(m), target(m);
    for (int i = 0; i < m; ++i) {
        xs[size_t(i)] = 3.0 * spread * i / (m - 1);
        target[size_t(i)] = xs[size_t(i)] < minDist ? 1.0 : std::exp(-(xs[size_t(i)] - minDist) / spread);
    }
    const auto cost = [&](double a, double b) {
        double s = 0.0;
        for (int i = 0; i < m; ++i) {
            const double x = xs[size_t(i)];
            const double f = 1.0 / (1.0 + a * (x > 0 ? std::pow(x, 2 * b) : 0.0));
            s += (f - target[size_t(i)]) * (f - target[size_t(i)]);
        }
        return s;
    };
    UmapCurve c;
    double lambda = 1e-3, current = cost(c.a, c.b);
    for (int it = 0; it < 200; ++it) {
        double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
        for (int i = 0; i < m; ++i) {
            const double x = xs[size_t(i)];
            if (x <= 0)
                continue;  // f = 1 there whatever a and b
            const double p = std::pow(x, 2 * c.b);
            const double f = 1.0 / (1.0 + c.a * p);
            const double r = f - target[size_t(i)];
            const double da = -f * f * p, db = -f * f * c.a * p * 2.0 * std::log(x);
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        bool improved = false;
        for (int tries = 0; tries < 30 && !improved; ++tries) {
            const double haa = jaa * (1 + lambda), hbb = jbb * (1 + lambda);
            const double det = haa * hbb - jab * jab;
            if (!(std::abs(det) > 0))
                break;
            const double stepA = -(hbb * ga - jab * gb) / det, stepB = -(haa * gb - jab * ga) / det;
            const double next = cost(c.a + stepA, c.b + stepB);
            if (next < current && c.a + stepA > 0 && c.b + stepB > 0) {
                c.a += stepA;
                c.b += stepB;
                improved = current - next > 1e-15 * current;
                current = next;
                lambda = std::max(lambda / 10.0, 1e-12);
                if (!improved)
                    return c;
            } else {
                lambda *= 10.0;
            }
        }
        if (!improved)
            break;
    }
    return c;
}

UmapResult runUmap(const at::Tensor &data, const UmapOptions &options, LayoutControl *control)
{
    TORCH_CHECK(data.dim() == 2, "runUmap: expected an N x D matrix, got ", data.sizes());
    UmapResult result;
    QElapsedTimer clock;
    clock.start();
    const int64_t n = data.size(0);
    if (options.neighbours < 2) {
        result.error = QStringLiteral("UMAP needs n_neighbors of at least 2, not %1").arg(options.neighbours);
        return result;
    }
    if (!(options.spread > 0) || !(options.minDist >= 0) || options.minDist > options.spread) {
        result.error = QStringLiteral("UMAP needs 0 <= min_dist <= spread (%1), not %2").arg(options.spread).arg(options.minDist);
        return result;
    }
    const auto cancelled = [&] { return control && control->cancel.load(std::memory_order_relaxed); };
    torch::NoGradGuard noGrad;
    torch::Tensor x;
    result.error = layoutInput(data, options.maxInputDims, QStringLiteral("UMAP"), &x);
    if (!result.error.isEmpty())
        return result;
    // n_neighbors counts the point itself, as in umap-learn.
    const int k = int(std::min<int64_t>(n - 1, options.neighbours - 1));
    std::vector<int32_t> neighbours;
    std::vector<float> distance;
    if (!nearestNeighbours(x.data_ptr<float>(), n, x.size(1), k, &neighbours, &distance,
                           control ? &control->cancel : nullptr)) {
        result.cancelled = true;
        return result;
    }
    double meanOfAll = 0.0;
    for (float &d : distance) {
        d = std::sqrt(d);
        meanOfAll += d;
    }
    meanOfAll /= double(distance.size());
    std::vector<float> weight(distance.size());
    const double target = std::log2(double(std::min<int64_t>(n, options.neighbours)));
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            memberships(&distance[size_t(i * k)], k, target, meanOfAll, &weight[size_t(i * k)]);
    });
    const int epochs = options.epochs > 0 ? options.epochs : n <= 10000 ? 500 : 200;
    Graph graph = fuzzyUnion(n, k, neighbours, weight);
    const float maxWeight = *std::max_element(graph.weight.begin(), graph.weight.end());
    graph = pruned(graph, maxWeight / float(epochs));
    std::vector<float> y = initialLayout(x, options.seed);
    result.edges = int64_t(graph.column.size());
    result.plannedEpochs = epochs;
    result.neighbourSeconds = clock.elapsed() / 1000.0;
    if (cancelled()) {
        result.cancelled = true;
        return result;
    }

    // Each edge is sampled every maxWeight / weight epochs, with negativeSamples negative
    // samples each time (umap-learn's make_epochs_per_sample).
    const size_t edges = graph.column.size();
    std::vector<double> perSample(edges), nextSample(edges), perNegative(edges), nextNegative(edges);
    const double negatives = std::max(1, options.negativeSamples);
    for (size_t e = 0; e < edges; ++e) {
        perSample[e] = double(maxWeight) / double(graph.weight[e]);
        nextSample[e] = perSample[e];
        perNegative[e] = perSample[e] / negatives;
        nextNegative[e] = perNegative[e];
    }
    const UmapCurve curve = umapCurve(options.minDist, options.spread);
    const float a = float(curve.a), b = float(curve.b), gamma = float(options.repulsionStrength);
    const bool negativeOn = options.negativeSamples > 0;
    std::vector<float> previous(y.size());
    constexpr int kBatch = 8;
    double lastSnapshot = clock.elapsed() / 1000.0;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        if (cancelled()) {
            result.cancelled = true;
            break;
        }
        const float alpha = float(options.learningRate * (1.0 - double(epoch) / double(epochs)));
        std::copy(y.begin(), y.end(), previous.begin());
        at::parallel_for(0, n, 512, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                uint64_t state = options.seed * 0x2545f4914f6cdd1dULL ^ (uint64_t(epoch) << 32 ^ uint64_t(i));
                splitmix(state);
                float yx = y[size_t(2 * i)], yy = y[size_t(2 * i + 1)];
                for (int64_t e = graph.rowStart[size_t(i)]; e < graph.rowStart[size_t(i) + 1]; ++e) {
                    if (nextSample[size_t(e)] > epoch)
                        continue;
                    const int64_t j = graph.column[size_t(e)];
                    const float dx = yx - previous[size_t(2 * j)], dy = yy - previous[size_t(2 * j + 1)];
                    const float d2 = dx * dx + dy * dy;
                    if (d2 > 0.0f) {
                        const float pb = fastPow(d2, b);
                        const float c = -2.0f * a * b * pb / d2 / (a * pb + 1.0f);
                        // Twice: this end's pull and the other end's, which umap-learn makes
                        // when it samples the reverse edge.
                        yx += 2.0f * alpha * clip4(c * dx);
                        yy += 2.0f * alpha * clip4(c * dy);
                    }
                    nextSample[size_t(e)] += perSample[size_t(e)];
                    if (!negativeOn)
                        continue;
                    const int count = int((epoch - nextNegative[size_t(e)]) / perNegative[size_t(e)]);
                    // The negative samples of one edge all push from the same position and
                    // their moves are summed: independent computations (the CPU overlaps
                    // them), where a chain of moves made each wait for the one before.
                    for (int first = 0; first < count; first += kBatch) {
                        const int batch = std::min(kBatch, count - first);
                        // Lanes past the batch, and a draw of the point itself, carry no force.
                        alignas(16) float qx[kBatch] = {}, qy[kBatch] = {};
                        alignas(16) int32_t use[kBatch] = {};
                        for (int s = 0; s < batch; ++s) {
                            const int64_t m = below(state, n);
                            if (m == i)
                                continue;
                            qx[s] = yx - previous[size_t(2 * m)];
                            qy[s] = yy - previous[size_t(2 * m + 1)];
                            use[s] = -1;
                        }
                        Float4 mx = splat(0.0f), my = mx;
                        for (int s = 0; s < batch; s += 4) {
                            Float4 dx, dy;
                            Int4 on;
                            std::memcpy(&dx, qx + s, sizeof dx);
                            std::memcpy(&dy, qy + s, sizeof dy);
                            std::memcpy(&on, use + s, sizeof on);
                            const Float4 q2 = dx * dx + dy * dy;
                            const Int4 apart = q2 > splat(0.0f);
                            // Coincident points are pushed apart by the largest step.
                            const Float4 safe = (Float4)(((Int4)q2 & apart) | ((Int4)splat(1.0f) & ~apart));
                            const Float4 c = splat(2.0f * gamma * b)
                                / ((splat(0.001f) + safe) * (splat(a) * fastPow4(safe, b) + splat(1.0f)));
                            const Float4 gx = (Float4)(((Int4)clip4(c * dx) & apart) | ((Int4)splat(4.0f) & ~apart));
                            const Float4 gy = (Float4)(((Int4)clip4(c * dy) & apart) | ((Int4)splat(4.0f) & ~apart));
                            mx += (Float4)((Int4)gx & on);
                            my += (Float4)((Int4)gy & on);
                        }
                        yx += alpha * ((mx[0] + mx[1]) + (mx[2] + mx[3]));
                        yy += alpha * ((my[0] + my[1]) + (my[2] + my[3]));
                    }
                    nextNegative[size_t(e)] += count * perNegative[size_t(e)];
                }
                y[size_t(2 * i)] = yx;
                y[size_t(2 * i + 1)] = yy;
            }
        });
        result.epochs = epoch + 1;
        const double now = clock.elapsed() / 1000.0;
        if (control && control->onLayout && now - lastSnapshot >= control->snapshotSeconds && epoch + 1 < epochs) {
            lastSnapshot = now;
            control->onLayout(LayoutSnapshot{epoch + 1, epochs, now, y});
        }
    }
    result.layout = torch::from_blob(y.data(), {n, 2}, torch::kFloat32).clone();
    result.seconds = clock.elapsed() / 1000.0;
    return result;
}

at::Tensor placeByNeighbours(const at::Tensor &codesIn, const at::Tensor &layoutIn, const at::Tensor &newIn, int k)
{
    TORCH_CHECK(codesIn.dim() == 2 && newIn.dim() == 2 && codesIn.size(1) == newIn.size(1),
                "placeByNeighbours: codes ", codesIn.sizes(), " and new codes ", newIn.sizes());
    TORCH_CHECK(layoutIn.dim() == 2 && layoutIn.size(0) == codesIn.size(0) && layoutIn.size(1) == 2,
                "placeByNeighbours: layout ", layoutIn.sizes(), " for codes ", codesIn.sizes());
    torch::NoGradGuard noGrad;
    const torch::Tensor codes = codesIn.to(torch::kFloat32).contiguous();
    const torch::Tensor layout = layoutIn.to(torch::kFloat32).contiguous();
    const torch::Tensor fresh = newIn.to(torch::kFloat32).contiguous();
    const int64_t m = fresh.size(0);
    k = int(std::clamp<int64_t>(k, 1, codes.size(0)));
    torch::Tensor out = torch::empty({m, 2}, torch::kFloat32);
    const double meanOfAll = 1.0;  // only used when every neighbour coincides with the point
    const double target = std::log2(double(k));
    const int64_t block = 1024;
    for (int64_t start = 0; start < m; start += block) {
        const int64_t rows = std::min(block, m - start);
        const auto [dist, index] = torch::cdist(fresh.narrow(0, start, rows), codes).topk(k, 1, /*largest=*/false);
        const torch::Tensor d = dist.contiguous(), idx = index.contiguous();
        std::vector<float> w(static_cast<size_t>(k));
        for (int64_t r = 0; r < rows; ++r) {
            memberships(d.data_ptr<float>() + r * k, k, target, meanOfAll, w.data());
            double sx = 0.0, sy = 0.0, sw = 0.0;
            for (int j = 0; j < k; ++j) {
                const int64_t row = idx.data_ptr<int64_t>()[r * k + j];
                sx += w[size_t(j)] * layout.data_ptr<float>()[2 * row];
                sy += w[size_t(j)] * layout.data_ptr<float>()[2 * row + 1];
                sw += w[size_t(j)];
            }
            out[start + r][0] = float(sx / sw);
            out[start + r][1] = float(sy / sw);
        }
    }
    return out;
}

} // namespace aes
