// t-SNE: separates well-separated clusters, is reproducible, reports progress and stops
// when asked; its exact kNN agrees with brute force.

#include "metrics.h"
#include "tsne.h"

#include <torch/torch.h>

#include <QTest>

using namespace aes;

namespace {

struct Clusters {
    torch::Tensor points;  // N x D
    torch::Tensor labels;  // N
};

// `clusters` Gaussian blobs of unit spread around centres ~ N(0, 10^2) in `dims` dimensions.
Clusters gaussianClusters(int clusters, int perCluster, int dims, int seed)
{
    torch::manual_seed(seed);
    const torch::Tensor centres = torch::randn({clusters, dims}) * 10.0;
    const torch::Tensor labels = torch::arange(clusters, torch::kLong).repeat_interleave(perCluster);
    return {centres.index_select(0, labels) + torch::randn({clusters * perCluster, dims}), labels};
}

// kNN(10) accuracy of the layout: odd rows classified by the even ones.
double layoutKnnAccuracy(const torch::Tensor &layout, const torch::Tensor &labels)
{
    const torch::Tensor even = torch::arange(0, layout.size(0), 2, torch::kLong);
    const torch::Tensor odd = torch::arange(1, layout.size(0), 2, torch::kLong);
    return knnAccuracy(layout.index_select(0, even), labels.index_select(0, even),
                       layout.index_select(0, odd), labels.index_select(0, odd), 10);
}

} // namespace

class TestTsne final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nearestNeighboursMatchBruteForce_data();
    void nearestNeighboursMatchBruteForce();
    void separatesClusters_data();
    void separatesClusters();
    void sameSeedSameLayout();
    void reportsIntermediateLayouts();
    void cancelStopsEarly();
    void refusesImpossibleOptions();
};

void TestTsne::nearestNeighboursMatchBruteForce_data()
{
    QTest::addColumn<int>("dims");
    QTest::newRow("5-D (kd-tree)") << 5;
    QTest::newRow("50-D (matrix products)") << 50;
}

void TestTsne::nearestNeighboursMatchBruteForce()
{
    QFETCH(int, dims);
    torch::manual_seed(11);
    const int64_t n = 600;
    const int k = 12;
    const torch::Tensor x = torch::randn({n, dims});
    std::vector<int32_t> indices;
    std::vector<float> distSq;
    QVERIFY(nearestNeighbours(x.data_ptr<float>(), n, dims, k, &indices, &distSq));
    QCOMPARE(indices.size(), size_t(n * k));
    const torch::Tensor d = torch::cdist(x.to(torch::kFloat64), x.to(torch::kFloat64)).pow(2)
                            + torch::eye(n, torch::kFloat64) * 1e30;  // self excluded
    const torch::Tensor expected = std::get<1>(d.topk(k, 1, /*largest=*/false, /*sorted=*/true));
    const auto e = expected.accessor<int64_t, 2>();
    const auto dd = d.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i)
        for (int a = 0; a < k; ++a) {
            QCOMPARE(int64_t(indices[size_t(i * k + a)]), e[i][a]);
            QVERIFY(std::abs(distSq[size_t(i * k + a)] - dd[i][e[i][a]]) < 1e-3 * (1.0 + dd[i][e[i][a]]));
        }
}

void TestTsne::separatesClusters_data()
{
    QTest::addColumn<int>("init");
    QTest::newRow("pca init") << int(TsneInit::Pca);
    QTest::newRow("random init") << int(TsneInit::Random);
}

void TestTsne::separatesClusters()
{
    QFETCH(int, init);
    const Clusters c = gaussianClusters(/*clusters=*/5, /*perCluster=*/200, /*dims=*/20, /*seed=*/1);
    TsneOptions options;
    options.init = TsneInit(init);
    const TsneResult r = runTsne(c.points, options);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.iterations, 1000);
    QCOMPARE(r.layout.sizes().vec(), (std::vector<int64_t>{1000, 2}));
    QVERIFY(torch::isfinite(r.layout).all().item<bool>());
    const double accuracy = layoutKnnAccuracy(r.layout, c.labels);
    QVERIFY2(accuracy >= 0.95, qPrintable(QString::number(accuracy)));
    // The layout has grown from the 1e-4 start to a map of separated clusters.
    QVERIFY(r.layout.std().item<double>() > 1.0);
}

void TestTsne::sameSeedSameLayout()
{
    const Clusters c = gaussianClusters(4, 100, 10, 2);
    TsneOptions options;
    options.init = TsneInit::Random;
    options.iterations = 300;
    options.seed = 42;
    const TsneResult a = runTsne(c.points, options), b = runTsne(c.points, options);
    QVERIFY(a.ok() && b.ok());
    QVERIFY(torch::equal(a.layout, b.layout));
    options.seed = 43;
    const TsneResult other = runTsne(c.points, options);
    QVERIFY(other.ok());
    QVERIFY(!torch::equal(a.layout, other.layout));
}

void TestTsne::reportsIntermediateLayouts()
{
    const Clusters c = gaussianClusters(3, 100, 10, 3);
    TsneControl control;
    control.snapshotSeconds = 0.0;  // every iteration
    QVector<int> seen;
    bool sizesRight = true;
    control.onLayout = [&](const TsneSnapshot &s) {
        seen << s.iteration;
        sizesRight = sizesRight && s.layout.size() == 600 && s.iterations == 50;
    };
    TsneOptions options;
    options.iterations = 50;
    const TsneResult r = runTsne(c.points, options, &control);
    QVERIFY(r.ok());
    QVERIFY(sizesRight);
    QCOMPARE(seen.size(), 49);  // not after the last one: the result holds it
    QCOMPARE(seen.first(), 1);
    QCOMPARE(seen.last(), 49);
}

void TestTsne::cancelStopsEarly()
{
    const Clusters c = gaussianClusters(3, 100, 10, 4);
    TsneControl control;
    control.snapshotSeconds = 0.0;
    control.onLayout = [&](const TsneSnapshot &s) {
        if (s.iteration == 10)
            control.cancel.store(true);  // as another thread would
    };
    const TsneResult r = runTsne(c.points, {}, &control);
    QVERIFY(r.cancelled);
    QVERIFY(!r.ok());
    QCOMPARE(r.iterations, 10);
    QCOMPARE(r.layout.size(0), 300);  // the layout so far

    TsneControl early;
    early.cancel.store(true);
    const TsneResult none = runTsne(c.points, {}, &early);
    QVERIFY(none.cancelled);
    QCOMPARE(none.iterations, 0);
}

void TestTsne::refusesImpossibleOptions()
{
    TsneOptions options;
    options.perplexity = 0.0;
    QVERIFY(runTsne(torch::randn({100, 5}), options).error.contains(QLatin1String("perplexity")));
    QVERIFY(runTsne(torch::randn({3, 5})).error.contains(QLatin1String("at least 4")));
}

QTEST_GUILESS_MAIN(TestTsne)
#include "tst_tsne.moc"
