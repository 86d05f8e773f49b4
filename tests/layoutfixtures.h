#pragma once
// What the 2-D layout tests (t-SNE, UMAP) share: a synthetic mixture to lay out, the kNN
// accuracy of a layout, a thread-count guard, and the contract every layout keeps with its
// LayoutControl (intermediate layouts as it goes, cancel stops it early).

#include "latent/layoutcontrol.h"
#include "training/metrics.h"

#include <torch/torch.h>

#include <QTest>
#include <QVector>

#include <functional>

namespace layouttest {

struct Clusters {
    torch::Tensor points;  // N x D
    torch::Tensor labels;  // N
};

// `clusters` Gaussian blobs of unit spread around centres ~ N(0, 10^2) in `dims` dimensions.
inline Clusters gaussianClusters(int clusters, int perCluster, int dims, int seed)
{
    torch::manual_seed(seed);
    const torch::Tensor centres = torch::randn({clusters, dims}) * 10.0;
    const torch::Tensor labels = torch::arange(clusters, torch::kLong).repeat_interleave(perCluster);
    return {centres.index_select(0, labels) + torch::randn({clusters * perCluster, dims}), labels};
}

// kNN(10) accuracy of the layout: odd rows classified by the even ones.
inline double layoutKnnAccuracy(const torch::Tensor &layout, const torch::Tensor &labels)
{
    const torch::Tensor even = torch::arange(0, layout.size(0), 2, torch::kLong);
    const torch::Tensor odd = torch::arange(1, layout.size(0), 2, torch::kLong);
    return aes::knnAccuracy(layout.index_select(0, even), labels.index_select(0, even),
                            layout.index_select(0, odd), labels.index_select(0, odd), 10);
}

// Restores the compute threads a test changed.
struct ThreadCount {
    int saved = at::get_num_threads();
    explicit ThreadCount(int n) { at::set_num_threads(n); }
    ~ThreadCount() { at::set_num_threads(saved); }
};

// One layout run as the contract tests see it.
struct LayoutRun {
    torch::Tensor layout;
    int steps = 0;  // iterations or epochs done
    bool cancelled = false;
    bool ok = false;
};
// Lays out points with the given number of steps (0: the method's default) under control.
using LayoutRunner = std::function<LayoutRun(const torch::Tensor &points, int steps, aes::LayoutControl *control)>;

// An intermediate layout after every step but the last (the result holds that one), each of
// every point, each saying how many steps the run has.
inline void checkReportsIntermediateLayouts(const LayoutRunner &run)
{
    const Clusters c = gaussianClusters(3, 100, 10, 3);
    aes::LayoutControl control;
    control.snapshotSeconds = 0.0;  // every step
    QVector<int> seen;
    bool sizesRight = true;
    control.onLayout = [&](const aes::LayoutSnapshot &s) {
        seen << s.iteration;
        sizesRight = sizesRight && s.layout.size() == 600 && s.iterations == 50;
    };
    const LayoutRun r = run(c.points, 50, &control);
    QVERIFY(r.ok);
    QVERIFY(sizesRight);
    QCOMPARE(seen.size(), 49);
    QCOMPARE(seen.first(), 1);
    QCOMPARE(seen.last(), 49);
}

// Cancel set from a snapshot stops the run after that step with the layout so far; cancel
// set before the start stops it before the first step, with no layout.
inline void checkCancelStopsEarly(const LayoutRunner &run)
{
    const Clusters c = gaussianClusters(3, 100, 10, 4);
    aes::LayoutControl control;
    control.snapshotSeconds = 0.0;
    control.onLayout = [&](const aes::LayoutSnapshot &s) {
        if (s.iteration == 10)
            control.cancel.store(true);  // as another thread would
    };
    const LayoutRun r = run(c.points, 0, &control);
    QVERIFY(r.cancelled);
    QVERIFY(!r.ok);
    QCOMPARE(r.steps, 10);
    QCOMPARE(r.layout.size(0), 300);

    aes::LayoutControl early;
    early.cancel.store(true);
    const LayoutRun none = run(c.points, 0, &early);
    QVERIFY(none.cancelled);
    QCOMPARE(none.steps, 0);
    QVERIFY(!none.layout.defined());
}

} // namespace layouttest
