// UMAP: keeps the clusters of a synthetic mixture apart, fits umap-learn's curve, gives the
// same layout for the same seed whatever the thread count, reports intermediate layouts,
// stops when asked, and places unseen codes among their neighbours.

#include "latent/projection.h"
#include "latent/umap.h"
#include "training/metrics.h"

#include "layoutfixtures.h"

#include <torch/torch.h>

#include <QTest>

using namespace aes;
using namespace layouttest;

namespace {

// The step-count contract of layouttest for this method.
LayoutRun umapSteps(const torch::Tensor &points, int steps, LayoutControl *control)
{
    UmapOptions options;
    if (steps > 0)
        options.epochs = steps;
    const UmapResult r = runUmap(points, options, control);
    return LayoutRun{r.layout, r.epochs, r.cancelled, r.ok()};
}

} // namespace

class TestUmap final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void curveMatchesUmapLearn_data();
    void curveMatchesUmapLearn();
    void separatesClusters_data();
    void separatesClusters();
    void sameSeedSameLayoutOnAnyThreadCount();
    void reportsIntermediateLayouts();
    void cancelStopsEarly();
    void refusesImpossibleOptions();
    void placesUnseenCodesAmongTheirNeighbours();
    void projectsThroughProjection();
};

void TestUmap::curveMatchesUmapLearn_data()
{
    QTest::addColumn<double>("minDist");
    QTest::addColumn<double>("a");
    QTest::addColumn<double>("b");
    // umap.umap_.find_ab_params(1.0, min_dist) of umap-learn 0.5.3.
    QTest::newRow("0.1") << 0.1 << 1.5769 << 0.8951;
    QTest::newRow("0.001") << 0.001 << 1.9290 << 0.7915;
    QTest::newRow("0.5") << 0.5 << 0.5830 << 1.3342;
}

void TestUmap::curveMatchesUmapLearn()
{
    QFETCH(double, minDist);
    QFETCH(double, a);
    QFETCH(double, b);
    const UmapCurve c = umapCurve(minDist, 1.0);
    QVERIFY2(std::abs(c.a - a) < 2e-3 && std::abs(c.b - b) < 2e-3, qPrintable(QStringLiteral("a %1 b %2").arg(c.a).arg(c.b)));
}

void TestUmap::separatesClusters_data()
{
    QTest::addColumn<int>("dims");
    QTest::newRow("kd-tree neighbours (8-D)") << 8;
    QTest::newRow("BLAS neighbours (40-D)") << 40;
}

void TestUmap::separatesClusters()
{
    QFETCH(int, dims);
    const Clusters c = gaussianClusters(/*clusters=*/8, /*perCluster=*/150, dims, /*seed=*/1);
    const UmapResult r = runUmap(c.points);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.epochs, 500);
    QCOMPARE(r.layout.sizes().vec(), (std::vector<int64_t>{1200, 2}));
    QVERIFY(torch::isfinite(r.layout).all().item<bool>());
    const double accuracy = layoutKnnAccuracy(r.layout, c.labels);
    QVERIFY2(accuracy >= 0.98, qPrintable(QString::number(accuracy)));
    // Separated: every cluster's points lie closer to their own centre than to any other
    // cluster's centre.
    const torch::Tensor centres = torch::stack(
        [&] {
            std::vector<torch::Tensor> v;
            for (int k = 0; k < 8; ++k)
                v.push_back(r.layout.index({c.labels == k}).mean(0));
            return v;
        }());
    const torch::Tensor nearest = torch::cdist(r.layout, centres).argmin(1);
    const double own = nearest.eq(c.labels).to(torch::kFloat64).mean().item<double>();
    QVERIFY2(own >= 0.98, qPrintable(QString::number(own)));
}

void TestUmap::sameSeedSameLayoutOnAnyThreadCount()
{
    const Clusters c = gaussianClusters(4, 150, 10, 2);
    UmapOptions options;
    options.epochs = 100;
    options.seed = 42;
    UmapResult serial;
    {
        const ThreadCount one(1);
        serial = runUmap(c.points, options);
    }
    const ThreadCount two(2);
    const UmapResult a = runUmap(c.points, options), b = runUmap(c.points, options);
    QVERIFY(serial.ok() && a.ok() && b.ok());
    QVERIFY(torch::equal(a.layout, b.layout));
    QVERIFY(torch::equal(serial.layout, a.layout));
    options.seed = 43;
    const UmapResult other = runUmap(c.points, options);
    QVERIFY(other.ok());
    QVERIFY(!torch::equal(a.layout, other.layout));
}

void TestUmap::reportsIntermediateLayouts()
{
    checkReportsIntermediateLayouts(umapSteps);
}

void TestUmap::cancelStopsEarly()
{
    checkCancelStopsEarly(umapSteps);
}

void TestUmap::refusesImpossibleOptions()
{
    UmapOptions options;
    options.neighbours = 1;
    QVERIFY(runUmap(torch::randn({100, 5}), options).error.contains(QLatin1String("n_neighbors")));
    options = {};
    options.minDist = 2.0;
    QVERIFY(runUmap(torch::randn({100, 5}), options).error.contains(QLatin1String("min_dist")));
    QVERIFY(runUmap(torch::randn({3, 5})).error.contains(QLatin1String("at least 4")));
}

void TestUmap::placesUnseenCodesAmongTheirNeighbours()
{
    const Clusters c = gaussianClusters(5, 120, 10, 5);
    const torch::Tensor seen = c.points.slice(0, 0, c.points.size(0), 2);
    const torch::Tensor seenLabels = c.labels.slice(0, 0, c.labels.size(0), 2);
    const torch::Tensor unseen = c.points.slice(0, 1, c.points.size(0), 2);
    const torch::Tensor unseenLabels = c.labels.slice(0, 1, c.labels.size(0), 2);
    UmapOptions options;
    options.epochs = 200;
    const UmapResult r = runUmap(seen, options);
    QVERIFY(r.ok());
    const torch::Tensor placed = placeByNeighbours(seen, r.layout, unseen);
    QCOMPARE(placed.sizes().vec(), (std::vector<int64_t>{unseen.size(0), 2}));
    const double accuracy = knnAccuracy(r.layout, seenLabels, placed, unseenLabels, 10);
    QVERIFY2(accuracy >= 0.98, qPrintable(QString::number(accuracy)));
    // A code the map has seen lands among its own neighbours' points, close to its own.
    const torch::Tensor again = placeByNeighbours(seen, r.layout, seen.slice(0, 0, 5));
    const double spread = r.layout.std().item<double>();
    QVERIFY((again - r.layout.slice(0, 0, 5)).norm(2, 1).max().item<double>() < 0.5 * spread);
}

void TestUmap::projectsThroughProjection()
{
    const Clusters c = gaussianClusters(3, 60, 6, 6);
    ProjectionOptions options;
    options.method = ProjectionMethod::Umap;
    options.umap.epochs = 50;
    const ProjectionResult r = project(c.points, options);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(toString(r.projection->method), QStringLiteral("umap"));
    QVERIFY(!r.projection->exactInverse);
    QCOMPARE(r.projection->codeAt(0.0, 0.0).sizes().vec(), (std::vector<int64_t>{1, 6}));
    QCOMPARE(r.projection->place(c.points.slice(0, 0, 4)).sizes().vec(), (std::vector<int64_t>{4, 2}));
    QVERIFY(projectionMethodFromString(QStringLiteral("UMAP")) == ProjectionMethod::Umap);
    // The linear maps place a code exactly where the map put it.
    options.method = ProjectionMethod::Pca;
    const ProjectionResult linear = project(c.points, options);
    QVERIFY(linear.ok());
    QVERIFY(torch::allclose(linear.projection->place(c.points), linear.projection->layout, 1e-4, 1e-4));
}

QTEST_GUILESS_MAIN(TestUmap)
#include "tst_umap.moc"
