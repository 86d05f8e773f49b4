// Projections for the latent map: hover lookup against brute force, and the inverse
// maps (Direct, chosen Dims, PCA exact; t-SNE the mean of the nearest codes).

#include "latent/projection.h"

#include <torch/torch.h>

#include <QTest>

#include <cmath>

using namespace aes;

class TestProjection final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nearestPointMatchesBruteForce();
    void nearestKAreSortedAndComplete();
    void directNeedsLatentTwo();
    void dimsInverseKeepsOtherDimsAtTheirMean();
    void dimsRefusesBadDimensions();
    void pcaInverseReproducesCodesOnThePlane();
    void tsneInverseAveragesNearestCodes();
    void refusesNonFiniteCodes();
    void methodNamesRoundTrip();
    void interpolationEndsAtBothCodes_data();
    void interpolationEndsAtBothCodes();
    void sphericalInterpolationFollowsTheArc();
    void gridPointsCoverTheRegionTopRowFirst();
};

void TestProjection::nearestPointMatchesBruteForce()
{
    torch::manual_seed(5);
    const torch::Tensor layout = torch::randn({70000, 2}) * 30.0;
    const auto index = indexLayout(layout);
    QCOMPARE(index->size(), qint64(70000));
    const torch::Tensor queries = torch::rand({1000, 2}) * 200.0 - 100.0;  // inside and around the cloud
    const torch::Tensor d = torch::cdist(queries.to(torch::kFloat64), layout.to(torch::kFloat64));
    const torch::Tensor best = std::get<0>(d.min(1));
    const auto q = queries.accessor<float, 2>();
    const auto dist = d.accessor<double, 2>();
    for (int64_t i = 0; i < queries.size(0); ++i) {
        const qint64 found = index->nearest(q[i][0], q[i][1]);
        QVERIFY(found >= 0 && found < 70000);
        // Equal distance, not equal row: two points may tie.
        QVERIFY2(std::abs(dist[i][found] - best[i].item<double>()) < 1e-4,
                 qPrintable(QStringLiteral("query %1: %2 vs %3").arg(i).arg(dist[i][found]).arg(best[i].item<double>())));
    }
}

void TestProjection::nearestKAreSortedAndComplete()
{
    const torch::Tensor layout = torch::tensor({0.0f, 0.0f, 1.0f, 0.0f, 3.0f, 0.0f, 6.0f, 0.0f}).view({4, 2});
    const auto index = indexLayout(layout);
    QCOMPARE(index->nearest(2.9, 0.1, 3), (std::vector<qint64>{2, 1, 0}));  // at 0.1, 1.9, 2.9
    QCOMPARE(index->nearest(2.9, 0.1, 10).size(), size_t(4));
    const auto empty = indexLayout(torch::zeros({0, 2}));
    QCOMPARE(empty->nearest(1.0, 1.0), qint64(-1));
}

void TestProjection::directNeedsLatentTwo()
{
    const torch::Tensor codes = torch::randn({100, 2});
    ProjectionOptions options;
    options.method = ProjectionMethod::Direct;
    const ProjectionResult r = project(codes, options);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(torch::equal(r.projection->layout, codes));
    QVERIFY(r.projection->exactInverse);
    QVERIFY(torch::allclose(r.projection->codeAt(1.5, -2.0), torch::tensor({1.5f, -2.0f}).view({1, 2})));
    QCOMPARE(r.projection->nearestPoint(codes[17][0].item<float>(), codes[17][1].item<float>()), qint64(17));

    const ProjectionResult wrong = project(torch::randn({100, 3}), options);
    QVERIFY(!wrong.ok());
    QVERIFY(wrong.error.contains(QLatin1String("latent size of 2")));
}

void TestProjection::dimsInverseKeepsOtherDimsAtTheirMean()
{
    torch::manual_seed(9);
    const torch::Tensor codes = torch::randn({500, 6}) * 3.0 + torch::arange(6, torch::kFloat32);
    ProjectionOptions options;
    options.method = ProjectionMethod::Dims;
    options.dimX = 4;
    options.dimY = 1;
    const ProjectionResult r = project(codes, options);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(torch::equal(r.projection->layout.select(1, 0), codes.select(1, 4)));
    QVERIFY(torch::equal(r.projection->layout.select(1, 1), codes.select(1, 1)));
    const torch::Tensor code = r.projection->codeAt(7.0, -3.0);
    const torch::Tensor mean = codes.mean(0);
    QCOMPARE(code.sizes().vec(), (std::vector<int64_t>{1, 6}));
    QCOMPARE(code[0][4].item<float>(), 7.0f);
    QCOMPARE(code[0][1].item<float>(), -3.0f);
    for (int j : {0, 2, 3, 5})
        QVERIFY(std::abs(code[0][j].item<float>() - mean[j].item<float>()) < 1e-5);
}

void TestProjection::dimsRefusesBadDimensions()
{
    ProjectionOptions options;
    options.method = ProjectionMethod::Dims;
    options.dimX = 2;
    options.dimY = 2;
    QVERIFY(project(torch::randn({10, 4}), options).error.contains(QLatin1String("different")));
    options.dimY = 4;
    QVERIFY(project(torch::randn({10, 4}), options).error.contains(QLatin1String("do not exist")));
}

void TestProjection::pcaInverseReproducesCodesOnThePlane()
{
    torch::manual_seed(4);
    // Codes on a 2-D plane of an 8-D latent space: the inverse of each point's map
    // position is its own code (what "decode here" must show).
    const torch::Tensor codes = torch::randn({300, 2}).matmul(torch::randn({2, 8})) + torch::randn({8});
    const ProjectionResult r = project(codes, {});
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(r.projection->method == ProjectionMethod::Pca);
    QVERIFY(r.projection->explainedVarianceRatio.sum().item<double>() > 0.9999);
    const torch::Tensor back = r.projection->codesAt(r.projection->layout);
    QVERIFY2((back - codes).abs().max().item<float>() < 1e-4, qPrintable(QString::number((back - codes).abs().max().item<float>())));
}

void TestProjection::tsneInverseAveragesNearestCodes()
{
    torch::manual_seed(6);
    const torch::Tensor codes = torch::randn({200, 5});
    ProjectionOptions options;
    options.method = ProjectionMethod::Tsne;
    options.tsne.iterations = 100;
    options.inverseNeighbours = 7;
    const ProjectionResult r = project(codes, options);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(!r.projection->exactInverse);
    const torch::Tensor layout = r.projection->layout;
    const double x = layout[10][0].item<double>() + 0.01, y = layout[10][1].item<double>();
    const torch::Tensor d = (layout - torch::tensor({float(x), float(y)})).pow(2).sum(1);
    const torch::Tensor nearest = std::get<1>(d.topk(7, 0, /*largest=*/false));
    const torch::Tensor expected = codes.index_select(0, nearest).mean(0);
    QVERIFY(torch::allclose(r.projection->codeAt(x, y)[0], expected, 1e-5, 1e-5));
}

void TestProjection::refusesNonFiniteCodes()
{
    torch::Tensor codes = torch::randn({20, 4});
    codes[3][2] = std::numeric_limits<float>::quiet_NaN();
    const ProjectionResult r = project(codes, {});
    QVERIFY(!r.ok());
    QVERIFY(r.error.contains(QLatin1String("NaN")));
}

void TestProjection::methodNamesRoundTrip()
{
    for (const QString &name : projectionMethodNames())
        QCOMPARE(toString(*projectionMethodFromString(name)), name);
    QVERIFY(projectionMethodFromString(QStringLiteral("TSNE")) == ProjectionMethod::Tsne);
    QVERIFY(projectionMethodFromString(QStringLiteral("UMAP")) == ProjectionMethod::Umap);
    QVERIFY(!projectionMethodFromString(QStringLiteral("isomap")));
}

void TestProjection::interpolationEndsAtBothCodes_data()
{
    QTest::addColumn<bool>("spherical");
    QTest::newRow("linear") << false;
    QTest::newRow("spherical") << true;
}

void TestProjection::interpolationEndsAtBothCodes()
{
    QFETCH(bool, spherical);
    torch::manual_seed(3);
    const torch::Tensor a = torch::randn({16}), b = torch::randn({16});
    const torch::Tensor path = interpolateCodes(a, b, 7, spherical);
    QCOMPARE(path.sizes().vec(), (std::vector<int64_t>{7, 16}));
    // The ends are the codes themselves, bit for bit: they decode to the images' reconstructions.
    QVERIFY(torch::equal(path[0], a));
    QVERIFY(torch::equal(path[6], b));
    // Each step moves on; on a straight line towards b in equal steps.
    for (int i = 1; i < 7; ++i) {
        QVERIFY((path[i] - path[i - 1]).norm().item<double>() > 1e-3);
        if (!spherical)
            QVERIFY((path[i] - b).norm().item<double>() < (path[i - 1] - b).norm().item<double>());
    }
    if (!spherical)
        QVERIFY(torch::allclose(path[3], (a + b) / 2, 1e-5, 1e-6));
}

void TestProjection::sphericalInterpolationFollowsTheArc()
{
    // Two orthogonal codes of norm 2: slerp stays on the circle, a straight line cuts inside.
    const torch::Tensor a = torch::tensor({2.0f, 0.0f, 0.0f}), b = torch::tensor({0.0f, 2.0f, 0.0f});
    const torch::Tensor arc = interpolateCodes(a, b, 5, true);
    const torch::Tensor line = interpolateCodes(a, b, 5, false);
    for (int i = 0; i < 5; ++i)
        QVERIFY(std::abs(arc[i].norm().item<double>() - 2.0) < 1e-5);
    QVERIFY(line[2].norm().item<double>() < 1.5);
    // Halfway: 45 degrees.
    QVERIFY(torch::allclose(arc[2], torch::tensor({std::sqrt(2.0f), std::sqrt(2.0f), 0.0f}), 1e-5, 1e-5));
    // Parallel codes have no plane to turn in: a straight line, no NaN.
    const torch::Tensor same = interpolateCodes(a, a * 3, 4, true);
    QVERIFY(torch::isfinite(same).all().item<bool>());
    QVERIFY(torch::allclose(same[1], a * (1.0 + 2.0 / 3.0), 1e-5, 1e-5));
}

void TestProjection::gridPointsCoverTheRegionTopRowFirst()
{
    const torch::Tensor p = gridPoints(/*left=*/-2.0, /*bottom=*/0.0, /*right=*/2.0, /*top=*/3.0, /*columns=*/4, /*rows=*/3);
    QCOMPARE(p.sizes().vec(), (std::vector<int64_t>{12, 2}));
    // Cell centres: x in steps of 1 from -1.5, y from the top row (2.5) down.
    QCOMPARE(p[0][0].item<float>(), -1.5f);
    QCOMPARE(p[0][1].item<float>(), 2.5f);
    QCOMPARE(p[3][0].item<float>(), 1.5f);
    QCOMPARE(p[4][1].item<float>(), 1.5f);
    QCOMPARE(p[11][0].item<float>(), 1.5f);
    QCOMPARE(p[11][1].item<float>(), 0.5f);
    // Decoding the grid with an exact map gives one code per cell.
    const torch::Tensor codes = torch::randn({200, 6});
    ProjectionOptions options;
    options.method = ProjectionMethod::Pca;
    const ProjectionResult r = project(codes, options);
    QVERIFY(r.ok());
    QCOMPARE(r.projection->codesAt(p).sizes().vec(), (std::vector<int64_t>{12, 6}));
}

QTEST_GUILESS_MAIN(TestProjection)
#include "tst_projection.moc"
