#pragma once
// UMAP (McInnes, Healy and Melville 2018) for the latent explorer, written for this project
// after umap-learn 0.5's algorithm: the exact k nearest neighbours (tsne.h's
// nearestNeighbours, self counted as the first of n_neighbors), the fuzzy simplicial set
// (per-point rho and sigma so that the memberships sum to log2(n_neighbors), the fuzzy
// union W + W^T - W o W^T, edges below max / epochs dropped), a PCA initialisation scaled
// to +-10, and SGD with negative sampling on the curve 1 / (1 + a d^2b) fitted to min_dist
// and spread. Epochs: 500 up to 10 000 points, 200 above (umap-learn's defaults); the
// negative samples weigh 5 times umap-learn's default (UmapOptions::repulsionStrength).
//
// Parallel and deterministic: within an epoch every point is moved only by its own edges
// and negative samples (its thread owns it), against the other points' positions at the
// start of the epoch; the attraction of an edge counts twice, standing in for the move of
// the other end that umap-learn makes on the reverse edge. Random numbers are drawn per
// point and epoch from the seed, so the layout does not depend on the thread count.
//
// Threads: runUmap runs on the calling thread and uses the compute threads
// (at::get_num_threads); control->onLayout is called on the calling thread, control->cancel
// is read once per epoch. umapCurve and placeByNeighbours are pure: any thread.
// Failure: options the data cannot satisfy (too few points, n_neighbors < 2, min_dist
// outside [0, spread]) come back as a message; misuse (not an N x D tensor) raises c10::Error.

#include "latent/layoutcontrol.h"

#include <ATen/core/Tensor.h>

#include <QString>

#include <cstdint>

namespace aes {

struct UmapOptions {
    int neighbours = 15;               // n_neighbors, the point itself included
    double minDist = 0.1;              // how tightly points may pack
    double spread = 1.0;               // the scale of the embedded points
    int epochs = 0;                    // 0 = automatic (see above)
    double learningRate = 1.0;         // decays linearly to 0 over the epochs
    int negativeSamples = 5;           // per sampled edge
    // gamma, the weight of the negative samples. umap-learn's default is 1; 5 keeps the same
    // cost and shape of map, with the clusters' insides less crowded: on the 10k Fashion-MNIST
    // test images kNN(10) 0.767 -> 0.785-0.788 and trustworthiness 0.987 -> 0.991 (docs/PERFORMANCE.md).
    double repulsionStrength = 5.0;
    quint64 seed = 0;
    int maxInputDims = 50;             // wider inputs are reduced by PCA first
};

struct UmapResult {
    at::Tensor layout;                 // float32, N x 2 (so far, when cancelled in the
                                       // optimisation); undefined on error or when cancelled earlier
    int epochs = 0;                    // epochs done (fewer when cancelled)
    int plannedEpochs = 0;
    bool cancelled = false;
    double seconds = 0.0;
    double neighbourSeconds = 0.0;     // of which: input reduction, kNN and the fuzzy graph
    int64_t edges = 0;                 // directed edges of the graph after pruning
    QString error;
    bool ok() const { return error.isEmpty() && !cancelled; }
};

// Embeds data (N x D, any floating type) in 2-D. Deterministic: the same data and options
// give the same layout, whatever the number of compute threads.
UmapResult runUmap(const at::Tensor &data, const UmapOptions &options = {}, LayoutControl *control = nullptr);

// The a and b of the low-dimensional similarity 1 / (1 + a d^2b), least squares on 300
// points of [0, 3 spread] against 1 below minDist and exp(-(d - minDist) / spread) above
// (umap-learn's find_ab_params). minDist 0.1, spread 1: a = 1.577, b = 0.895.
struct UmapCurve {
    double a = 1.0, b = 1.0;
};
UmapCurve umapCurve(double minDist, double spread = 1.0);

// UMAP's transform for points the layout has not seen: each new code (M x D) is placed at
// the mean of the positions of its k nearest codes (codes: N x D, layout: N x 2), weighted by
// their fuzzy memberships exp(-(d - rho) / sigma) calibrated as in the fit. M x 2 float32.
at::Tensor placeByNeighbours(const at::Tensor &codes, const at::Tensor &layout, const at::Tensor &newCodes,
                             int k = 15);

} // namespace aes
