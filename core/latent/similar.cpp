#include "latent/similar.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace aes {

namespace {

struct Candidate {
    float squared;
    qint64 tie;                        // the row, or -1 for the query's own
    qint64 row;
    bool operator<(const Candidate &o) const { return squared < o.squared || (squared == o.squared && tie < o.tie); }
};

// Squared distance of one code to the query; four partial sums let the compiler vectorise
// without reassociating (no -ffast-math needed).
float squaredDistance(const float *a, const float *b, int dims)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    int j = 0;
    for (; j + 4 <= dims; j += 4) {
        const float d0 = a[j] - b[j], d1 = a[j + 1] - b[j + 1], d2 = a[j + 2] - b[j + 2], d3 = a[j + 3] - b[j + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; j < dims; ++j) {
        const float d = a[j] - b[j];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

} // namespace

QVector<Neighbour> nearestCodes(const CodeTable &codes, const float *query, int k,
                                const std::function<bool(qint64)> &include, qint64 own)
{
    QVector<Neighbour> out;
    if (!codes.data || !query || codes.dims <= 0 || codes.n <= 0 || k <= 0)
        return out;
    // A max-heap of the best k so far: one comparison per code for all but a few.
    std::vector<Candidate> heap;
    heap.reserve(size_t(k) + 1);
    for (qint64 i = 0; i < codes.n; ++i) {
        const float d = squaredDistance(codes.row(i), query, codes.dims);
        const Candidate c{d, i == own ? -1 : i, i};
        if (int(heap.size()) == k && !(c < heap.front()))
            continue;
        if (include && !include(i))
            continue;
        heap.push_back(c);
        std::push_heap(heap.begin(), heap.end());
        if (int(heap.size()) > k) {
            std::pop_heap(heap.begin(), heap.end());
            heap.pop_back();
        }
    }
    std::sort_heap(heap.begin(), heap.end());
    out.reserve(qsizetype(heap.size()));
    for (const Candidate &c : heap)
        out.append({c.row, std::sqrt(c.squared)});
    return out;
}

} // namespace aes
