#pragma once
// "Find images like this": the k codes nearest to a query code, exact (every code is
// compared), in Euclidean distance. At 70k codes of 64 numbers a query takes a few
// milliseconds (bench/latentmap_bench), so the GUI answers at once without an index.
//
// Ownership: results are values; the codes are only read. Threads: any (pure functions).
// Failure: none; k is clamped to the number of candidates, a dims mismatch gives no result.
//
// Torch-free: ui/ includes it.

#include <QVector>

#include <functional>

namespace aes {

struct Neighbour {
    qint64 row = -1;
    float distance = 0.0f;             // Euclidean, in code units
};

// Codes stored row-major: n rows of dims floats.
struct CodeTable {
    const float *data = nullptr;
    qint64 n = 0;
    int dims = 0;
    const float *row(qint64 i) const { return data + i * dims; }
};

// The k rows nearest to query (dims floats), nearest first; ties by row number, so the
// order is the one a full sort by (distance, row) gives, except that the row own (the
// query's own image, when it is one) comes before every row at its distance: duplicates of
// an image never push it from rank 1. include, when set, skips the rows it refuses (hidden
// classes). A query equal to a row's code finds it at distance 0.
QVector<Neighbour> nearestCodes(const CodeTable &codes, const float *query, int k,
                                const std::function<bool(qint64)> &include = {}, qint64 own = -1);

} // namespace aes
