#pragma once
// The two halves of the t-SNE gradient of a 2-D layout, for runTsne (tsne.h):
// attraction over the sparse input affinities P, and repulsion over all pairs with the
// kernel K = 1 / (1 + d^2)^2 and its normalisation Z = sum_{i != j} 1 / (1 + d_ij^2).
//
// Repulsion (TsneRepulsion) is FFT-accelerated interpolation on a grid (Linderman et al.
// 2019, "FIt-SNE"). Once the layout is large it splits the kernel, as particle-particle /
// particle-mesh methods do: a smooth part, equal to K beyond nearFieldRadius, goes on a
// grid three times coarser, and the short-range rest is summed exactly over the pairs
// closer than nearFieldRadius (cell lists). Which of the two costs less is decided per
// iteration from the grid sizes and the counted pairs, so tiny early layouts stay on the
// fine grid.
//
// Threads: every call runs on the calling thread and uses the compute threads
// (at::get_num_threads) inside; results do not depend on their number's timing, only on
// the data (each sum has one owner, in a fixed order). A TsneRepulsion keeps buffers and
// kernel transforms between calls: one per optimisation, not shared between threads.
// Failure: none expected; layouts with non-finite coordinates give non-finite forces.

#include <cstdint>
#include <memory>
#include <vector>

namespace aes {

struct TsneOptions;

// A sparse symmetric matrix with a zero diagonal (the joint probabilities P): every row
// (both triangles) in compressed rows, columns ascending.
struct TsneSparseRows {
    std::vector<int64_t> rowStart;  // n + 1
    std::vector<int32_t> column;
    std::vector<float> value;
};

// force[2i, 2i+1] = sum_j P_ij / (1 + |y_i - y_j|^2) (y_i - y_j); y is N x 2, row-major.
// Each row is summed by one thread alone, reading other points and writing only its own:
// every thread count gives the same bits (both directions of a pair are computed, which
// costs less than adding each pair's force to the other end's row).
void tsneAttraction(const TsneSparseRows &p, const std::vector<double> &y, std::vector<double> *force);

class TsneRepulsion {
public:
    explicit TsneRepulsion(const TsneOptions &options);
    ~TsneRepulsion();
    TsneRepulsion(const TsneRepulsion &) = delete;
    TsneRepulsion &operator=(const TsneRepulsion &) = delete;

    // Fills force (2 per point) with sum_j K(i, j) (y_i - y_j) and returns Z.
    double compute(const std::vector<double> &y, std::vector<double> *force);
    // The same, and attraction as tsneAttraction(p, y, attraction) computes it (the same
    // bits), in the same parallel regions: the attraction needs no hand-over between threads
    // of its own.
    double compute(const std::vector<double> &y, std::vector<double> *force, const TsneSparseRows &p,
                   std::vector<double> *attraction);
    // Whether the last compute split the kernel (grid + near field) or used the fine grid alone.
    bool lastSplit() const;

private:
    struct State;
    std::unique_ptr<State> m;
};

// The same sums by brute force over all pairs, O(N^2): the reference for tests and benches.
double tsneExactRepulsion(const std::vector<double> &y, std::vector<double> *force);

} // namespace aes
