// t-SNE: separates well-separated clusters, is reproducible, reports progress and stops
// when asked; its exact kNN agrees with brute force; its gradient's two halves agree with
// brute-force sums (the repulsion on the fine grid and with the split kernel).

#include "training/metrics.h"
#include "latent/tsne.h"
#include "latent/tsnegradient.h"

#include "layoutfixtures.h"

#include <torch/torch.h>

#include <QTest>

using namespace aes;
using namespace layouttest;

namespace {

// A layout like a late t-SNE map: `clusters` dense discs of radius ~`spread` scattered over
// a square of side `side`, as N x 2 row-major doubles.
std::vector<double> mapLikeLayout(int clusters, int perCluster, double side, double spread, int seed)
{
    torch::manual_seed(seed);
    const torch::Tensor centres = torch::rand({clusters, 2}, torch::kFloat64) * side;
    const torch::Tensor labels = torch::arange(clusters, torch::kLong).repeat_interleave(perCluster);
    const torch::Tensor y = (centres.index_select(0, labels)
                             + torch::randn({clusters * perCluster, 2}, torch::kFloat64) * spread).contiguous();
    return std::vector<double>(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
}

double relativeRms(const std::vector<double> &approx, const std::vector<double> &exact)
{
    double err = 0.0, norm = 0.0;
    for (size_t i = 0; i < exact.size(); ++i) {
        err += (approx[i] - exact[i]) * (approx[i] - exact[i]);
        norm += exact[i] * exact[i];
    }
    return std::sqrt(err / norm);
}

// The step-count contract of layouttest for this method.
LayoutRun tsneSteps(const torch::Tensor &points, int steps, LayoutControl *control)
{
    TsneOptions options;
    if (steps > 0)
        options.iterations = steps;
    const TsneResult r = runTsne(points, options, control);
    return LayoutRun{r.layout, r.iterations, r.cancelled, r.ok()};
}

} // namespace

class TestTsne final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nearestNeighboursMatchBruteForce_data();
    void nearestNeighboursMatchBruteForce();
    void repulsionMatchesBruteForce_data();
    void repulsionMatchesBruteForce();
    void attractionMatchesBruteForce();
    void separatesClusters_data();
    void separatesClusters();
    void separatesManyClustersWithSplitKernel();
    void sameSeedSameLayout();
    void parallelMatchesSerial();
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

void TestTsne::repulsionMatchesBruteForce_data()
{
    QTest::addColumn<double>("side");
    QTest::addColumn<double>("radius");  // nearFieldRadius; 0: the fine grid alone
    QTest::addColumn<bool>("split");     // whether the split is expected to be chosen
    QTest::addColumn<double>("maxError");
    // A map 150 units wide, as 10k points reach: the split pays off there.
    QTest::newRow("wide map, split kernel") << 150.0 << 6.0 << true << 0.015;
    QTest::newRow("wide map, fine grid") << 150.0 << 0.0 << false << 0.05;
    // An early, small layout: every pair is near, so the fine grid is kept.
    QTest::newRow("small layout") << 6.0 << 6.0 << false << 0.01;
}

void TestTsne::repulsionMatchesBruteForce()
{
    QFETCH(double, side);
    QFETCH(double, radius);
    QFETCH(bool, split);
    QFETCH(double, maxError);
    const std::vector<double> y = mapLikeLayout(/*clusters=*/40, /*perCluster=*/100, side, side / 60.0, /*seed=*/5);
    std::vector<double> exact, approx;
    const double zExact = tsneExactRepulsion(y, &exact);
    TsneOptions options;
    options.nearFieldRadius = radius;
    TsneRepulsion repulsion(options);
    const double z = repulsion.compute(y, &approx);
    QCOMPARE(repulsion.lastSplit(), split);
    QCOMPARE(approx.size(), y.size());
    const double error = relativeRms(approx, exact);
    QVERIFY2(error < maxError, qPrintable(QString::number(error)));
    QVERIFY2(std::abs(z / zExact - 1.0) < 0.01, qPrintable(QString::number(z / zExact - 1.0)));
    // A second call reuses the kernel transform and gives the same numbers.
    std::vector<double> again;
    QCOMPARE(repulsion.compute(y, &again), z);
    QVERIFY(again == approx);
}

void TestTsne::attractionMatchesBruteForce()
{
    const std::vector<double> y = mapLikeLayout(5, 40, 30.0, 1.0, 6);
    const int64_t n = int64_t(y.size() / 2);
    // A random sparse symmetric P with rows of 0 to 20 entries (partial vector groups).
    torch::manual_seed(7);
    const torch::Tensor mask = torch::rand({n, n}, torch::kFloat64) < torch::rand({n, 1}, torch::kFloat64) * 0.1;
    const torch::Tensor dense = ((mask | mask.t()).to(torch::kFloat64) * torch::rand({n, n}, torch::kFloat64));
    const torch::Tensor sym = (dense + dense.t()).fill_diagonal_(0.0).contiguous();
    TsneSparseRows p;
    p.rowStart.push_back(0);
    const auto a = sym.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < n; ++j)  // whole rows
            if (a[i][j] != 0.0) {
                p.column.push_back(int32_t(j));
                p.value.push_back(float(a[i][j]));
            }
        p.rowStart.push_back(int64_t(p.column.size()));
    }
    std::vector<double> force;
    tsneAttraction(p, y, &force);
    QCOMPARE(force.size(), y.size());
    std::vector<double> expected(y.size(), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {  // the whole symmetric matrix
            if (a[i][j] == 0.0)
                continue;
            const double dx = y[size_t(2 * i)] - y[size_t(2 * j)], dy = y[size_t(2 * i + 1)] - y[size_t(2 * j + 1)];
            const double w = double(float(a[i][j])) / (1.0 + dx * dx + dy * dy);
            expected[size_t(2 * i)] += w * dx;
            expected[size_t(2 * i + 1)] += w * dy;
        }
    const double error = relativeRms(force, expected);
    QVERIFY2(error < 1e-5, qPrintable(QString::number(error)));
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

// Enough points for the map to grow wide and the repulsion to switch to the split kernel.
void TestTsne::separatesManyClustersWithSplitKernel()
{
    const Clusters c = gaussianClusters(/*clusters=*/10, /*perCluster=*/600, /*dims=*/20, /*seed=*/8);
    TsneOptions options;
    options.iterations = 600;
    const TsneResult r = runTsne(c.points, options);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY2(r.splitIterations > 100, qPrintable(QString::number(r.splitIterations)));
    QVERIFY(torch::isfinite(r.layout).all().item<bool>());
    const double accuracy = layoutKnnAccuracy(r.layout, c.labels);
    QVERIFY2(accuracy >= 0.95, qPrintable(QString::number(accuracy)));
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

// Every step runs on the compute threads: with 2 of them the layout is the same bits run after
// run, and the serial one's within rounding (the attraction's per-thread sums are added in
// another grouping). The early exaggeration amplifies rounding about threefold per iteration
// (1e-6 of the layout's size after 10), so the layouts are compared after the first 5 and the
// finished maps by what they show.
void TestTsne::parallelMatchesSerial()
{
    const Clusters c = gaussianClusters(/*clusters=*/5, /*perCluster=*/200, /*dims=*/20, /*seed=*/9);
    TsneOptions options;
    options.seed = 5;
    TsneResult serial, serialEarly;
    TsneOptions early = options;
    early.iterations = 5;
    {
        const ThreadCount one(1);
        serial = runTsne(c.points, options);
        serialEarly = runTsne(c.points, early);
    }
    {
        const ThreadCount two(2);
        const TsneResult a = runTsne(c.points, options), b = runTsne(c.points, options);
        const TsneResult aEarly = runTsne(c.points, early);
        QVERIFY(serial.ok() && a.ok() && b.ok() && serialEarly.ok() && aEarly.ok());
        QVERIFY(torch::equal(a.layout, b.layout));
        const double scale = serialEarly.layout.abs().max().item<double>();
        const double difference = (aEarly.layout - serialEarly.layout).abs().max().item<double>() / scale;
        QVERIFY2(difference < 1e-6, qPrintable(QString::number(difference)));
        const double accuracySerial = layoutKnnAccuracy(serial.layout, c.labels);
        const double accuracy = layoutKnnAccuracy(a.layout, c.labels);
        QVERIFY2(accuracy >= 0.95 && std::abs(accuracy - accuracySerial) <= 0.01,
                 qPrintable(QStringLiteral("%1 vs %2").arg(accuracy).arg(accuracySerial)));
    }

    // The gradient's halves: the near field groups its sums by thread (per-thread buffers), so
    // the repulsion agrees within rounding across thread counts; the attraction has one owner
    // per row (equal bits).
    const std::vector<double> y = mapLikeLayout(/*clusters=*/20, /*perCluster=*/100, 150.0, 2.5, /*seed=*/10);
    std::vector<double> repelOne, repelTwo, attractOne, attractTwo;
    TsneSparseRows p;
    p.rowStart.push_back(0);
    const int64_t n = int64_t(y.size() / 2);
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = std::max<int64_t>(0, i - 11); j < std::min(n, i + 12); ++j) {
            if (j == i)
                continue;
            p.column.push_back(int32_t(j));
            p.value.push_back(float(1.0 / double(n * std::abs(j - i))));
        }
        p.rowStart.push_back(int64_t(p.column.size()));
    }
    double zOne = 0.0;
    {
        const ThreadCount one(1);
        TsneRepulsion repulsion{TsneOptions{}};
        zOne = repulsion.compute(y, &repelOne);
        QVERIFY(repulsion.lastSplit());
        tsneAttraction(p, y, &attractOne);
    }
    TsneRepulsion repulsion{TsneOptions{}};
    const double zTwo = repulsion.compute(y, &repelTwo);
    QVERIFY2(std::abs(zTwo / zOne - 1.0) < 1e-9, qPrintable(QString::number(zTwo / zOne - 1.0)));
    QVERIFY2(relativeRms(repelTwo, repelOne) < 1e-6, qPrintable(QString::number(relativeRms(repelTwo, repelOne))));
    tsneAttraction(p, y, &attractTwo);
    QVERIFY(attractTwo == attractOne);
    // runTsne's fused evaluation (both halves in the same parallel regions) gives the same bits
    // as the two separately, on the same thread count.
    std::vector<double> repelFused, attractFused;
    QCOMPARE(repulsion.compute(y, &repelFused, p, &attractFused), zTwo);
    QVERIFY(repelFused == repelTwo);
    QVERIFY(attractFused == attractTwo);
}

void TestTsne::reportsIntermediateLayouts()
{
    checkReportsIntermediateLayouts(tsneSteps);
}

void TestTsne::cancelStopsEarly()
{
    checkCancelStopsEarly(tsneSteps);
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
