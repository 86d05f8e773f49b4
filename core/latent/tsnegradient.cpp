#include "latent/tsnegradient.h"

#include "latent/tsne.h"
#include "util/hotloop.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define AES_GATHER_AVX2 1
#endif

namespace aes {

namespace {

// Eight floats: one AVX register where the hot loops are compiled for AVX2 as well
// (AES_HOT_LOOP, util/hotloop.h), two SSE registers on baseline x86-64; comparisons and selects stay vector
// instructions. Sums keep a fixed lane order, so results stay deterministic.
#pragma GCC diagnostic ignored "-Wpsabi"  // the helpers below are inlined, never called across files
typedef float Float8 __attribute__((vector_size(32)));
typedef int32_t Int8 __attribute__((vector_size(32)));

inline Float8 load8(const float *p)
{
    Float8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline void store8(float *p, Float8 v)
{
    std::memcpy(p, &v, sizeof v);
}

inline Float8 splat8(float x)
{
    return Float8{x, x, x, x, x, x, x, x};
}

inline double sum8(Float8 v)
{
    return ((double(v[0]) + double(v[1])) + (double(v[2]) + double(v[3])))
           + ((double(v[4]) + double(v[5])) + (double(v[6]) + double(v[7])));
}

inline double cauchySquared(double u)
{
    const double w = 1.0 / (1.0 + u);
    return w * w;
}

// The kernel as a function of u = d^2, split at radius R: the smooth part is K itself
// beyond R and, inside, its tangent in u at R^2 (value and slope continuous): a flat
// paraboloid in d that a coarse grid interpolates well. The rest, K - smooth, is zero
// beyond R and summed exactly. Measured on a 10k layout (bench/tsne_bench.cpp accuracy=),
// the tangent beats the second- and third-order Taylor polynomials (0.7% force error
// against 0.9% and 1.4% at R = 4, node spacing 1): the flatter inside, the smaller the
// interpolation error, which outweighs the kink in the curvature at R.
struct KernelSplit {
    double r2 = 0.0;  // R^2; 0 = no split
    double k0 = 0.0, k1 = 0.0;
    explicit KernelSplit(double radius)
    {
        if (!(radius > 0))
            return;
        r2 = radius * radius;
        const double w = 1.0 / (1.0 + r2);
        k0 = w * w;
        k1 = -2.0 * w * w * w;
    }
    double smooth(double u) const { return u >= r2 ? cauchySquared(u) : k0 + (u - r2) * k1; }
};

const int kCellsPerRadius = 2;

struct Geometry {
    int boxes = 0;
    double boxWidth = 0.0;
    int64_t grid = 0;    // nodes per side
    int64_t padded = 0;  // FFT size per side
};

// The transform of the kernel at every node offset, laid out circularly for the padded
// convolution; kept while the grid, spacing and kernel stay the same.
struct KernelTransform {
    torch::Tensor hat;
    int64_t padded = 0;
    double spacing = 0.0;
};

// The smallest m >= n whose factors are 2, 3 and 5: the padded FFT size 2 * nodes * m stays fast.
int smoothAtLeast(int n)
{
    for (int m = std::max(1, n);; ++m) {
        int r = m;
        for (int f : {2, 3, 5})
            while (r % f == 0)
                r /= f;
        if (r == 1)
            return m;
    }
}

// Work of the four padded transforms per iteration, in units of one pair of the near
// field; the ratio was measured on this code (bench/tsne_bench.cpp, a 10k layout).
double fftCost(int64_t padded)
{
    const double kPairsPerNodeLog = 12.0;
    return kPairsPerNodeLog * double(padded) * double(padded) * std::log2(double(std::max<int64_t>(2, padded)));
}

} // namespace

namespace {

// Runs of rows, one per thread, with equal numbers of pairs (rows differ in length).
std::vector<int64_t> attractionBounds(const TsneSparseRows &p, int threads)
{
    const int64_t n = int64_t(p.rowStart.size()) - 1;
    std::vector<int64_t> bound(size_t(threads) + 1, n);
    bound[0] = 0;
    for (int t = 1; t < threads; ++t) {
        const int64_t target = p.rowStart[size_t(n)] * t / threads;
        bound[size_t(t)] = std::upper_bound(p.rowStart.begin(), p.rowStart.end() - 1, target) - p.rowStart.begin() - 1;
    }
    return bound;
}

// The attraction of rows [begin, end) of p, written to force (2 per point). yf: the layout
// in float, which halves the memory the random reads touch.
void attractionRowsPortable(const TsneSparseRows &p, const std::vector<float> &yf, int64_t begin, int64_t end,
                                 double *force)
{
    // A row's differences are gathered first (random access), then weighted eight at a time
    // (the last partial group by lanes that carry P = 0).
    std::vector<float> dx, dy;
    for (int64_t i = begin; i < end; ++i) {
        const int64_t first = p.rowStart[size_t(i)], count = p.rowStart[size_t(i) + 1] - first;
        const int64_t padded = (count + 7) & ~int64_t(7);
        if (int64_t(dx.size()) < padded) {
            dx.resize(size_t(padded));
            dy.resize(size_t(padded));
        }
        const float yx = yf[size_t(2 * i)], yy = yf[size_t(2 * i + 1)];
        const int32_t *column = &p.column[size_t(first)];
        for (int64_t e = 0; e < count; ++e) {
            const int64_t j = column[e];
            dx[size_t(e)] = yx - yf[size_t(2 * j)];
            dy[size_t(e)] = yy - yf[size_t(2 * j + 1)];
        }
        float tail[8] = {};
        for (int64_t e = count & ~int64_t(7); e < count; ++e)  // a loop: memmove's call costs more
            tail[e & 7] = p.value[size_t(first + e)];
        Float8 fx = splat8(0.0f), fy = fx;
        const Float8 one = splat8(1.0f);
        for (int64_t e = 0; e < padded; e += 8) {
            const float *pe = e + 8 <= count ? &p.value[size_t(first + e)] : tail;
            const Float8 x = load8(&dx[size_t(e)]), z = load8(&dy[size_t(e)]);
            const Float8 w = load8(pe) / (one + x * x + z * z);
            fx += w * x;
            fy += w * z;
        }
        force[2 * i] = sum8(fx);
        force[2 * i + 1] = sum8(fy);
    }
}

#ifdef AES_GATHER_AVX2
// The same sums with the neighbours' coordinates gathered eight at a time (AVX2 gathers, no
// copy through memory): the portable version's scalar gather loop was 60% of its time.
__attribute__((target("avx2,fma"))) void attractionRowsAvx2(const TsneSparseRows &p, const std::vector<float> &yf,
                                                           int64_t begin, int64_t end, double *force)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    for (int64_t i = begin; i < end; ++i) {
        const int64_t first = p.rowStart[size_t(i)], count = p.rowStart[size_t(i) + 1] - first;
        const int32_t *column = p.column.data() + first;
        const float *value = p.value.data() + first;
        const __m256 xi = _mm256_set1_ps(yf[size_t(2 * i)]), yi = _mm256_set1_ps(yf[size_t(2 * i + 1)]);
        __m256 fx = _mm256_setzero_ps(), fy = fx;
        // The last partial group: lanes past the row read point 0 and carry P = 0.
        alignas(32) int32_t tailColumn[8] = {};
        alignas(32) float tailValue[8] = {};
        for (int64_t e = count & ~int64_t(7); e < count; ++e) {
            tailColumn[e & 7] = column[e];
            tailValue[e & 7] = value[e];
        }
        for (int64_t e = 0; e < count; e += 8) {
            const bool whole = e + 8 <= count;
            const __m256i j = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(whole ? column + e : tailColumn));
            const __m256i twice = _mm256_add_epi32(j, j);
            const __m256 dx = _mm256_sub_ps(xi, _mm256_i32gather_ps(yf.data(), twice, 4));
            const __m256 dy = _mm256_sub_ps(yi, _mm256_i32gather_ps(yf.data() + 1, twice, 4));
            const __m256 q = _mm256_add_ps(one, _mm256_add_ps(_mm256_mul_ps(dx, dx), _mm256_mul_ps(dy, dy)));
            const __m256 w = _mm256_div_ps(_mm256_loadu_ps(whole ? value + e : tailValue), q);
            fx = _mm256_add_ps(fx, _mm256_mul_ps(w, dx));
            fy = _mm256_add_ps(fy, _mm256_mul_ps(w, dy));
        }
        Float8 sx, sy;
        std::memcpy(&sx, &fx, sizeof sx);
        std::memcpy(&sy, &fy, sizeof sy);
        force[2 * i] = sum8(sx);
        force[2 * i + 1] = sum8(sy);
    }
}
#endif

void attractionRows(const TsneSparseRows &p, const std::vector<float> &yf, int64_t begin, int64_t end, double *force)
{
#ifdef AES_GATHER_AVX2
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2) {
        attractionRowsAvx2(p, yf, begin, end, force);
        return;
    }
#endif
    attractionRowsPortable(p, yf, begin, end, force);
}

} // namespace

void tsneAttraction(const TsneSparseRows &p, const std::vector<double> &y, std::vector<double> *force)
{
    const int threads = std::max(1, at::get_num_threads());
    const std::vector<float> yf(y.begin(), y.end());
    const std::vector<int64_t> bound = attractionBounds(p, threads);
    force->resize(y.size());
    at::parallel_for(0, threads, 1, [&](int64_t pieceBegin, int64_t pieceEnd) {
        attractionRows(p, yf, bound[size_t(pieceBegin)], bound[size_t(pieceEnd)], force->data());
    });
}

// ---------------------------------------------------------------------------------------
// Repulsion
//
// The repulsive term needs, for every point i, sums over all j of the kernel K(i, j)
// times the charges 1, y_j (two coordinates) and |y_j|^2. The layout's square bounding
// box is cut into boxes with a few equispaced nodes each; charges are spread to the nodes
// with Lagrange weights, the node-to-node sums are one convolution on a uniform grid
// (done by FFT with zero padding), and the potentials are interpolated back with the same
// weights. From them:
//   sum_j K (y_i - y_j)       = y_i * phi_1 - phi_y
//   sum_j K (1 + d_ij^2)      = (1 + |y_i|^2) phi_1 - 2 y_i . phi_y + phi_|y|^2,
// the second summed over i (less the N self terms) being Z, as K (1 + d^2) = 1 / (1 + d^2).
// When split, the grid carries the smooth kernel and the near field adds the exact rest
// of both sums.

struct TsneRepulsion::State {
    int nodes = 3;
    int minBoxes = 50;
    double boxesPerUnit = 1.0;
    double coarseSpacing = 1.0;
    KernelSplit split{0.0};
    std::vector<double> inverseDenominator;
    std::vector<int> box;
    std::vector<double> weight;
    std::vector<double> zTerm;
    std::vector<float> potential;  // 4 x grid x grid
    KernelTransform fine, coarse;
    // Cell lists of the near field: points sorted by cell, their coordinates in that order.
    int cellsX = 0, cellsY = 0;
    std::vector<int32_t> cellStart, order, rank, cellOf;  // rank: a point's place in sorted order
    std::vector<float> sortedX, sortedY;
    std::vector<double> rowWork;      // pairs counted up to each row of cells (bin)
    std::vector<float> nearForce;     // per thread: 2 per point, in sorted order
    std::vector<float> yf;            // the layout in float, for the attraction
    std::vector<double> nodePosition;
    bool lastSplit = false;

    void lagrange(double u, double *weights) const
    {
        for (int a = 0; a < nodes; ++a) {
            double w = inverseDenominator[size_t(a)];
            for (int b = 0; b < nodes; ++b)
                if (b != a)
                    w *= u - nodePosition[size_t(b)];
            weights[a] = w;
        }
    }

    Geometry fineGeometry(double span) const
    {
        // Boxes of a fixed width once the layout is wide enough: the node spacing, and so
        // the kernel's transform, then change only when the box count does.
        Geometry g;
        g.boxes = smoothAtLeast(std::max(1, minBoxes));
        g.boxWidth = span / g.boxes;
        if (span * boxesPerUnit > g.boxes) {
            g.boxes = smoothAtLeast(int(std::ceil(span * boxesPerUnit)));
            g.boxWidth = 1.0 / boxesPerUnit;
        }
        g.grid = int64_t(g.boxes) * nodes;
        g.padded = 2 * g.grid;
        return g;
    }

    Geometry coarseGeometry(double span) const
    {
        Geometry g;
        g.boxWidth = coarseSpacing * nodes;
        g.boxes = smoothAtLeast(std::max(1, int(std::ceil(span / g.boxWidth))));
        g.grid = int64_t(g.boxes) * nodes;
        g.padded = 2 * g.grid;
        return g;
    }

    void prepareKernel(KernelTransform *t, int64_t padded, double spacing, bool splitKernel)
    {
        if (t->hat.defined() && t->padded == padded && t->spacing == spacing)
            return;
        const int64_t grid = padded / 2;
        torch::Tensor kernel = torch::zeros({padded, padded}, torch::kFloat32);
        float *k = kernel.data_ptr<float>();
        for (int64_t r = 0; r < padded; ++r) {
            if (r == grid)
                continue;  // offset +-grid never occurs
            const double dy = double(r < grid ? r : padded - r) * spacing;
            for (int64_t s = 0; s < padded; ++s) {
                if (s == grid)
                    continue;
                const double dx = double(s < grid ? s : padded - s) * spacing;
                const double u = dx * dx + dy * dy;
                k[r * padded + s] = float(splitKernel ? split.smooth(u) : cauchySquared(u));
            }
        }
        t->hat = torch::fft::rfft2(kernel);
        t->padded = padded;
        t->spacing = spacing;
    }

    // Sorts the points into square cells of side R over the bounding box and returns the
    // number of pairs the near field would visit. Cells of side R / kCellsPerRadius: a
    // point meets the (2 kCellsPerRadius + 1)^2 cells around it, an area of 6.25 R^2 for
    // 2 per radius against 9 R^2 for cells of side R (the disc is 3.14 R^2).
    double bin(const std::vector<double> &y, int64_t n, double minX, double minY, double spanX, double spanY)
    {
        const double cell = std::max(std::sqrt(split.r2) / kCellsPerRadius, std::max(spanX, spanY) / 4096.0);
        cellsX = int(spanX / cell) + 1;
        cellsY = int(spanY / cell) + 1;
        const int cells = cellsX * cellsY;
        cellStart.assign(size_t(cells) + 1, 0);
        cellOf.resize(size_t(n));
        for (int64_t i = 0; i < n; ++i) {
            const int cx = std::min(cellsX - 1, int((y[size_t(2 * i)] - minX) / cell));
            const int cy = std::min(cellsY - 1, int((y[size_t(2 * i + 1)] - minY) / cell));
            cellOf[size_t(i)] = cy * cellsX + cx;
            ++cellStart[size_t(cellOf[size_t(i)]) + 1];
        }
        for (int c = 0; c < cells; ++c)
            cellStart[size_t(c) + 1] += cellStart[size_t(c)];
        order.resize(size_t(n));
        rank.resize(size_t(n));
        sortedX.resize(size_t(n));
        sortedY.resize(size_t(n));
        std::vector<int32_t> fill(cellStart.begin(), cellStart.end() - 1);
        for (int64_t i = 0; i < n; ++i) {
            const int32_t at = fill[size_t(cellOf[size_t(i)])]++;
            order[size_t(at)] = int32_t(i);
            rank[size_t(i)] = at;
            sortedX[size_t(at)] = float(y[size_t(2 * i)] - minX);
            sortedY[size_t(at)] = float(y[size_t(2 * i + 1)] - minY);
        }
        double pairs = 0.0;
        rowWork.assign(size_t(cellsY) + 1, 0.0);
        for (int r = 0; r < cellsY; ++r) {
            for (int c = 0; c < cellsX; ++c) {
                const int count = cellStart[size_t(r * cellsX + c) + 1] - cellStart[size_t(r * cellsX + c)];
                if (count == 0)
                    continue;
                int64_t around = 0;
                for (int rr = std::max(0, r - kCellsPerRadius); rr <= std::min(cellsY - 1, r + kCellsPerRadius); ++rr)
                    around += cellStart[size_t(rr * cellsX + std::min(cellsX - 1, c + kCellsPerRadius)) + 1]
                              - cellStart[size_t(rr * cellsX + std::max(0, c - kCellsPerRadius))];
                pairs += double(count) * double(around);
            }
            rowWork[size_t(r) + 1] = pairs;
        }
        return pairs;
    }

    void weights(const std::vector<double> &y, int64_t begin, int64_t end, double cx, double cy, const Geometry &g);
    double nearRows(int64_t n, int64_t rowBegin, int64_t rowEnd, float *own);
    void convolve(const std::vector<double> &y, int64_t n, double cx, double cy, const Geometry &g,
                  const KernelTransform &kernel);
    double run(const std::vector<double> &y, std::vector<double> *force, const TsneSparseRows *p,
               std::vector<double> *attraction);
};

// Box and interpolation weights of points [begin, end) on the grid g centred at (cx, cy).
void TsneRepulsion::State::weights(const std::vector<double> &y, int64_t begin, int64_t end, double cx, double cy,
                                   const Geometry &g)
{
    const double half = 0.5 * g.boxes * g.boxWidth, inverseWidth = 1.0 / g.boxWidth;
    for (int64_t i = begin; i < end; ++i)
        for (int axis = 0; axis < 2; ++axis) {
            const double u = (y[size_t(2 * i + axis)] - (axis == 0 ? cx : cy) + half) * inverseWidth;
            const int b = std::clamp(int(u), 0, g.boxes - 1);
            box[size_t(2 * i + axis)] = b;
            lagrange(u - b, &weight[size_t((2 * i + axis) * nodes)]);
        }
}

// One task per charge: spread it on the grid, convolve, keep the potential. Each sum has
// one owner, so results do not depend on the thread count. pocketfft runs one transform
// per thread, so the tasks are what spreads the FFTs over the cores. The transform is
// split by axis to skip work on the zero padding: rows are transformed only where
// charges are, and transformed back only where the potential is read (3/4 of a full
// padded 2-D transform).
void TsneRepulsion::State::convolve(const std::vector<double> &y, int64_t n, double cx, double cy, const Geometry &g,
                                    const KernelTransform &kernel)
{
    const int p = nodes;
    const int64_t grid = g.grid, padded = g.padded;
    potential.resize(size_t(4 * grid * grid));
    at::parallel_for(0, 4, 1, [&](int64_t begin, int64_t end) {
        for (int64_t q = begin; q < end; ++q) {
            float *charge = &potential[size_t(q * grid * grid)];
            std::fill(charge, charge + grid * grid, 0.0f);
            for (int64_t i = 0; i < n; ++i) {
                const double yx = y[size_t(2 * i)] - cx, yy = y[size_t(2 * i + 1)] - cy;
                const double value = q == 0 ? 1.0 : q == 1 ? yx : q == 2 ? yy : yx * yx + yy * yy;
                const double *wx = &weight[size_t(2 * i * p)], *wy = &weight[size_t((2 * i + 1) * p)];
                const int64_t gx = int64_t(box[size_t(2 * i)]) * p, gy = int64_t(box[size_t(2 * i + 1)]) * p;
                for (int b = 0; b < p; ++b) {
                    float *row = charge + (gy + b) * grid + gx;
                    const double cb = value * wy[b];
                    for (int a = 0; a < p; ++a)
                        row[a] += float(cb * wx[a]);
                }
            }
            const torch::Tensor grid2d = torch::from_blob(charge, {grid, grid}, torch::kFloat32);
            const torch::Tensor spectrum =
                torch::fft::fft(torch::fft::rfft(grid2d, padded, /*dim=*/1), padded, /*dim=*/0) * kernel.hat;
            const torch::Tensor rows = torch::fft::ifft(spectrum, padded, /*dim=*/0).narrow(0, 0, grid);
            const torch::Tensor result = torch::fft::irfft(rows, padded, /*dim=*/1).narrow(1, 0, grid).contiguous();
            std::memcpy(charge, result.data_ptr<float>(), size_t(grid * grid) * sizeof(float));
        }
    });
}

// The near field of the cell rows [rowBegin, rowEnd): over the pairs closer than R, adds
// (K - smooth) (y_i - y_j) to own (x then y, n each, in sorted order) and returns their
// share of Z, 1 / (1 + d^2) - smooth * (1 + d^2) over ordered pairs (the self pairs are
// added by run). Each unordered pair is visited once (a half shell: the rest of its own
// cell row to the right, and the rows of cells above), its force added to one end and
// taken from the other.
namespace {

AES_HOT_LOOP double nearFieldRows(const KernelSplit &split, int cellsX, int cellsY, const std::vector<int32_t> &cellStart,
                              const std::vector<float> &sortedX, const std::vector<float> &sortedY, int64_t n,
                              int64_t rowBegin, int64_t rowEnd, float *own)
{
    const float r2 = float(split.r2), k0 = float(split.k0), k1 = float(split.k1);
    float *fxAll = own, *fyAll = own + n;
    const Float8 one = splat8(1.0f), r2v = splat8(r2), k0v = splat8(k0), k1v = splat8(k1);
    double z = 0.0;
    for (int64_t r = rowBegin; r < rowEnd; ++r)
        for (int c = 0; c < cellsX; ++c) {
            const int cell = int(r) * cellsX + c;
            for (int32_t at = cellStart[size_t(cell)]; at < cellStart[size_t(cell) + 1]; ++at) {
                const float xi = sortedX[size_t(at)], yi = sortedY[size_t(at)];
                const Float8 xv = splat8(xi), yv = splat8(yi);
                Float8 fx = splat8(0.0f), fy = fx, zs = fx;
                double tx = 0.0, ty = 0.0, tz = 0.0;
                // The cells of a row are consecutive in sorted order.
                for (int64_t rr = r; rr <= std::min<int64_t>(cellsY - 1, r + kCellsPerRadius); ++rr) {
                    const int32_t from = rr == r ? at + 1 : cellStart[size_t(rr * cellsX + std::max(0, c - kCellsPerRadius))];
                    const int32_t to = cellStart[size_t(rr * cellsX + std::min(cellsX - 1, c + kCellsPerRadius)) + 1];
                    int32_t j = from;
                    for (; j + 8 <= to; j += 8) {
                        const Float8 dx = xv - load8(&sortedX[size_t(j)]), dy = yv - load8(&sortedY[size_t(j)]);
                        const Float8 u = dx * dx + dy * dy;
                        const Float8 w = one / (one + u);
                        const Float8 smooth = k0v + (u - r2v) * k1v;
                        const Int8 near = u < r2v;
                        const Float8 g = (Float8)((Int8)(w * w - smooth) & near);
                        const Float8 gx = g * dx, gy = g * dy;
                        fx += gx;
                        fy += gy;
                        zs += (Float8)((Int8)(w - smooth * (one + u)) & near);
                        store8(&fxAll[j], load8(&fxAll[j]) - gx);
                        store8(&fyAll[j], load8(&fyAll[j]) - gy);
                    }
                    for (; j < to; ++j) {
                        const float dx = xi - sortedX[size_t(j)], dy = yi - sortedY[size_t(j)];
                        const float u = dx * dx + dy * dy;
                        if (!(u < r2))
                            continue;
                        const float w = 1.0f / (1.0f + u), smooth = k0 + (u - r2) * k1;
                        const float g = w * w - smooth;
                        tx += double(g * dx);
                        ty += double(g * dy);
                        fxAll[j] -= g * dx;
                        fyAll[j] -= g * dy;
                        tz += double(w - smooth * (1.0f + u));
                    }
                }
                fxAll[at] += float(sum8(fx) + tx);
                fyAll[at] += float(sum8(fy) + ty);
                z += 2.0 * (sum8(zs) + tz);
            }
        }
    return z;
}

} // namespace

double TsneRepulsion::State::nearRows(int64_t n, int64_t rowBegin, int64_t rowEnd, float *own)
{
    return nearFieldRows(split, cellsX, cellsY, cellStart, sortedX, sortedY, n, rowBegin, rowEnd, own);
}

// One evaluation in three parallel regions (each hand-over between threads costs tens of
// microseconds with OMP_WAIT_POLICY=PASSIVE, so few and large ones): (1) the attraction,
// the interpolation weights and the near field, one run of each per thread; (2) the
// convolutions; (3) interpolation back, adding up the near field's per-thread buffers of
// (1). Every sum has one owner in a fixed order: the same thread count gives the same bits.
double TsneRepulsion::State::run(const std::vector<double> &y, std::vector<double> *force, const TsneSparseRows *p,
                                 std::vector<double> *attraction)
{
    const int64_t n = int64_t(y.size() / 2);
    double minX = y[0], maxX = y[0], minY = y[1], maxY = y[1];
    for (int64_t i = 0; i < n; ++i) {
        minX = std::min(minX, y[size_t(2 * i)]);
        maxX = std::max(maxX, y[size_t(2 * i)]);
        minY = std::min(minY, y[size_t(2 * i + 1)]);
        maxY = std::max(maxY, y[size_t(2 * i + 1)]);
    }
    // Coordinates relative to the box centre keep |y|^2 small in the cancellations above.
    const double cx = 0.5 * (minX + maxX), cy = 0.5 * (minY + maxY);
    const double span = std::max({maxX - minX, maxY - minY, 1e-12}) * (1.0 + 1e-9);
    const Geometry fineGrid = fineGeometry(span);
    Geometry coarseGrid;
    bool splitNow = false;
    if (split.r2 > 0 && coarseSpacing > 0) {
        coarseGrid = coarseGeometry(span);
        // Only worth counting pairs when the coarse grid is much smaller: the near field
        // of a small, dense layout is nearly all pairs.
        if (coarseGrid.padded * 2 <= fineGrid.padded) {
            const double pairs = bin(y, n, minX, minY, maxX - minX, maxY - minY);
            splitNow = fftCost(coarseGrid.padded) + pairs < fftCost(fineGrid.padded);
        }
    }
    lastSplit = splitNow;
    const Geometry g = splitNow ? coarseGrid : fineGrid;
    KernelTransform &kernel = splitNow ? coarse : fine;
    prepareKernel(&kernel, g.padded, g.boxWidth / nodes, splitNow);

    const int threads = std::max(1, at::get_num_threads());
    const size_t stride = size_t(2 * n);
    box.resize(stride);
    weight.resize(stride * size_t(nodes));
    std::vector<int64_t> attractionBound, nearBound;
    if (p) {
        yf.assign(y.begin(), y.end());
        attraction->resize(stride);
        attractionBound = attractionBounds(*p, threads);
    }
    std::vector<double> zPart(size_t(threads), 0.0);
    if (splitNow) {
        // Runs of cell rows with equal counted pairs, one per thread.
        nearBound.assign(size_t(threads) + 1, cellsY);
        nearBound[0] = 0;
        for (int t = 1; t < threads; ++t)
            nearBound[size_t(t)] = std::upper_bound(rowWork.begin(), rowWork.end() - 1, rowWork.back() * t / threads)
                                   - rowWork.begin() - 1;
        nearForce.assign(size_t(threads) * stride, 0.0f);
    }
    at::parallel_for(0, threads, 1, [&](int64_t pieceBegin, int64_t pieceEnd) {
        const int thread = at::get_thread_num();
        for (int64_t piece = pieceBegin; piece < pieceEnd; ++piece) {
            if (p)
                attractionRows(*p, yf, attractionBound[size_t(piece)], attractionBound[size_t(piece) + 1],
                               attraction->data());
            weights(y, n * piece / threads, n * (piece + 1) / threads, cx, cy, g);
            if (splitNow)
                zPart[size_t(thread)] += nearRows(n, nearBound[size_t(piece)], nearBound[size_t(piece) + 1],
                                                  &nearForce[size_t(thread) * stride]);
        }
    });
    convolve(y, n, cx, cy, g, kernel);

    // Interpolate the potentials back and form the forces and the per-point Z terms.
    const int np = nodes;
    const int64_t grid = g.grid;
    zTerm.resize(size_t(n));
    force->resize(stride);
    at::parallel_for(0, n, 2048, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const double *wx = &weight[size_t(2 * i * np)], *wy = &weight[size_t((2 * i + 1) * np)];
            const int64_t gx = int64_t(box[size_t(2 * i)]) * np, gy = int64_t(box[size_t(2 * i + 1)]) * np;
            double phi[4] = {0, 0, 0, 0};
            for (int q = 0; q < 4; ++q) {
                const float *pot = &potential[size_t(q * grid * grid)];
                for (int b = 0; b < np; ++b) {
                    const float *row = pot + (gy + b) * grid + gx;
                    double sum = 0.0;
                    for (int a = 0; a < np; ++a)
                        sum += wx[a] * double(row[a]);
                    phi[q] += wy[b] * sum;
                }
            }
            const double yx = y[size_t(2 * i)] - cx, yy = y[size_t(2 * i + 1)] - cy;
            double fx = yx * phi[0] - phi[1], fy = yy * phi[0] - phi[2];
            if (splitNow) {
                const size_t at = size_t(rank[size_t(i)]);
                for (int t = 0; t < threads; ++t) {
                    fx += double(nearForce[size_t(t) * stride + at]);
                    fy += double(nearForce[size_t(t) * stride + size_t(n) + at]);
                }
            }
            (*force)[size_t(2 * i)] = fx;
            (*force)[size_t(2 * i + 1)] = fy;
            zTerm[size_t(i)] = (1.0 + yx * yx + yy * yy) * phi[0] - 2.0 * (yx * phi[1] + yy * phi[2]) + phi[3];
        }
    });
    double z = 0.0;
    if (splitNow) {
        // The self pairs of the near field: d = 0, K = 1, smooth(0) = k0 - R^2 k1.
        z = double(n) * (1.0 - (split.k0 - split.r2 * split.k1));
        for (double part : zPart)
            z += part;
    }
    for (double t : zTerm)
        z += t;
    return std::max(z - double(n), std::numeric_limits<double>::min());
}

TsneRepulsion::TsneRepulsion(const TsneOptions &o) : m(std::make_unique<State>())
{
    m->nodes = std::max(2, o.interpolationNodes);
    m->minBoxes = o.minBoxes;
    m->boxesPerUnit = o.boxesPerUnit;
    m->coarseSpacing = o.coarseNodeSpacing;
    m->split = KernelSplit(o.nearFieldRadius);
    // Lagrange denominators for nodes at (a + 0.5) / nodes inside a unit box.
    for (int a = 0; a < m->nodes; ++a)
        m->nodePosition.push_back((a + 0.5) / m->nodes);
    for (int a = 0; a < m->nodes; ++a) {
        double denominator = 1.0;
        for (int b = 0; b < m->nodes; ++b)
            if (b != a)
                denominator *= m->nodePosition[size_t(a)] - m->nodePosition[size_t(b)];
        m->inverseDenominator.push_back(1.0 / denominator);
    }
}

TsneRepulsion::~TsneRepulsion() = default;

bool TsneRepulsion::lastSplit() const
{
    return m->lastSplit;
}

double TsneRepulsion::compute(const std::vector<double> &y, std::vector<double> *force)
{
    return m->run(y, force, nullptr, nullptr);
}

double TsneRepulsion::compute(const std::vector<double> &y, std::vector<double> *force, const TsneSparseRows &p,
                              std::vector<double> *attraction)
{
    return m->run(y, force, &p, attraction);
}

double tsneExactRepulsion(const std::vector<double> &y, std::vector<double> *force)
{
    const int64_t n = int64_t(y.size() / 2);
    force->assign(y.size(), 0.0);
    std::vector<double> zRow(size_t(n), 0.0);
    at::parallel_for(0, n, 64, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            double fx = 0.0, fy = 0.0, z = 0.0;
            for (int64_t j = 0; j < n; ++j) {
                if (j == i)
                    continue;
                const double dx = y[size_t(2 * i)] - y[size_t(2 * j)], dy = y[size_t(2 * i + 1)] - y[size_t(2 * j + 1)];
                const double w = 1.0 / (1.0 + dx * dx + dy * dy);
                fx += w * w * dx;
                fy += w * w * dy;
                z += w;
            }
            (*force)[size_t(2 * i)] = fx;
            (*force)[size_t(2 * i + 1)] = fy;
            zRow[size_t(i)] = z;
        }
    });
    double z = 0.0;
    for (double t : zRow)
        z += t;
    return z;
}

} // namespace aes
