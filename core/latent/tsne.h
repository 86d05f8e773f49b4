#pragma once
// t-SNE (van der Maaten and Hinton 2008) for the latent explorer, written for this project:
// perplexity calibrated on the exact k nearest neighbours (k = 3 * perplexity + 1),
// a sparse symmetric P, and the repulsive forces by FFT-accelerated interpolation on a grid
// (the scheme of Linderman et al. 2019, "FIt-SNE"), which costs O(N) per iteration; once
// the map is wide, the kernel is split into an exact near field and a smooth part on a
// coarser grid (tsnegradient.h), ~3x cheaper than FIt-SNE's grid and more accurate.
// The optimiser follows scikit-learn 1.2: PCA initialisation scaled to a standard deviation
// of 1e-4, early exaggeration 12 for 250 iterations with momentum 0.5, then momentum 0.8,
// delta-bar-delta gains, learning rate "auto" = max(N / exaggeration / 4, 50) on the
// gradient with its factor 4 (N / 12 in the convention of openTSNE and FIt-SNE).
//
// Threads: runTsne runs on the calling thread and uses the compute threads
// (at::get_num_threads) for its loops; onLayout is called on the calling thread.
// cancel may be set from any thread: it is read once per iteration.
// Failure: options the data cannot satisfy (too few points, perplexity <= 0) come back as
// a message; misuse (not an N x D tensor) raises c10::Error.

#include "latent/layoutcontrol.h"

#include <ATen/core/Tensor.h>

#include <QString>

#include <atomic>
#include <cstdint>
#include <vector>

namespace aes {

enum class TsneInit { Pca, Random };

struct TsneOptions {
    double perplexity = 30.0;
    int iterations = 1000;             // including the early exaggeration ones
    int exaggerationIterations = 250;
    double exaggeration = 12.0;
    double learningRate = 0.0;         // 0 = auto (see above)
    TsneInit init = TsneInit::Pca;
    quint64 seed = 0;                  // random initialisation and its jitter
    int maxInputDims = 50;             // wider inputs are reduced by PCA first
    // Interpolation grid of the repulsion: nodes per box and boxes per unit of the
    // layout (at least minBoxes per side). FIt-SNE's defaults but minBoxes (50 there): a
    // box is at most one unit wide either way, and the early layouts (< 12 units wide)
    // need no finer grid (0.5% force error at 12 boxes on a 7-unit layout).
    int interpolationNodes = 3;
    int minBoxes = 12;
    double boxesPerUnit = 1.0;
    // Once the layout is large, the kernel is split (tsnegradient.h): pairs closer than
    // nearFieldRadius are summed exactly and the smooth rest goes on a grid with nodes
    // coarseNodeSpacing apart. 0 in either: the fine grid alone, as FIt-SNE. The defaults
    // give 0.4% RMS force error on a 10k Fashion-MNIST map (the fine grid: 3%; radius 4 and
    // spacing 1: 0.8%, and 10% slower overall, the FFTs of the finer grid costing more
    // than the near field saves).
    double nearFieldRadius = 6.0;
    double coarseNodeSpacing = 1.5;
};

using TsneSnapshot = LayoutSnapshot;
using TsneControl = LayoutControl;

struct TsneResult {
    at::Tensor layout;                 // float32, N x 2 (so far, when cancelled in the
                                       // optimisation); undefined on error or when cancelled earlier
    int iterations = 0;                // iterations done (fewer when cancelled)
    bool cancelled = false;
    double seconds = 0.0;
    double neighbourSeconds = 0.0;     // of which: input reduction, kNN and P
    int splitIterations = 0;           // iterations whose repulsion split the kernel (tsnegradient.h)
    QString error;
    bool ok() const { return error.isEmpty() && !cancelled; }
};

// Embeds data (N x D, any floating type) in 2-D. Deterministic: the same data, options
// and number of compute threads give the same layout.
TsneResult runTsne(const at::Tensor &data, const TsneOptions &options = {}, TsneControl *control = nullptr);

// The float32, contiguous N x D matrix a 2-D layout (t-SNE, UMAP) works on: data reduced by PCA
// to maxInputDims dimensions when it has more (0: never), as most pipelines do. Returns an error
// naming method ("t-SNE needs at least 4 points, got 3") for fewer than 4 points or no
// dimensions, and leaves *out undefined then.
QString layoutInput(const at::Tensor &data, int maxInputDims, const QString &method, at::Tensor *out);

// Exact k nearest neighbours (squared Euclidean distance, self excluded) of every row of
// a float32 N x D matrix, in the compute threads: a kd-tree (nanoflann) up to 16
// dimensions, blocked matrix products above. Neighbours sorted by distance, row-major
// N x min(k, N - 1). Returns false when cancel was set on the way.
bool nearestNeighbours(const float *points, int64_t n, int64_t dims, int k, std::vector<int32_t> *indices,
                       std::vector<float> *distancesSq, const std::atomic_bool *cancel = nullptr);

} // namespace aes
