#pragma once
// What an iterative layout (t-SNE, UMAP) shares with its caller while it runs: a cancel flag
// and copies of the layout so far.
//
// Ownership: the caller owns a LayoutControl and keeps it alive for the run.
// Threads: cancel may be set from any thread (read once per iteration or epoch); onLayout is
// called on the thread that runs the layout.

#include <atomic>
#include <functional>
#include <vector>

namespace aes {

struct LayoutSnapshot {
    int iteration = 0;                 // iterations (t-SNE) or epochs (UMAP) done
    int iterations = 0;                // planned
    double seconds = 0.0;              // since the run started
    std::vector<float> layout;         // N x 2, row-major (x0, y0, x1, y1, ...)
};

struct LayoutControl {
    std::atomic_bool cancel{false};
    // A copy of the layout about every snapshotSeconds during the optimisation (not after
    // the last iteration: the result holds that one).
    std::function<void(const LayoutSnapshot &)> onLayout;
    double snapshotSeconds = 0.5;
};

} // namespace aes
