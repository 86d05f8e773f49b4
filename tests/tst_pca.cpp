// PCA recovers a known plane embedded in 10-D: its axes, variances and inverse map.

#include "latent/pca.h"

#include <torch/torch.h>

#include <QTest>

using namespace aes;

class TestPca final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recoversAPlane_data();
    void recoversAPlane();
    void signsAreDeterministic();
    void constantDataHasNoVariance();
};

void TestPca::recoversAPlane_data()
{
    QTest::addColumn<int>("points");
    QTest::addColumn<double>("noise");
    QTest::newRow("500 points, exact plane") << 500 << 0.0;
    QTest::newRow("2000 points, noise 1e-3") << 2000 << 1e-3;
}

void TestPca::recoversAPlane()
{
    QFETCH(int, points);
    QFETCH(double, noise);
    torch::manual_seed(7);
    // A random orthonormal 10 x 2 basis; 2-D points with variances 9 and 1 along it.
    const torch::Tensor basis = std::get<0>(torch::linalg_qr(torch::randn({10, 2}, torch::kFloat64)));
    const torch::Tensor plane = torch::randn({points, 2}, torch::kFloat64) * torch::tensor({3.0, 1.0}, torch::kFloat64);
    const torch::Tensor offset = torch::randn({10}, torch::kFloat64) * 5.0;
    const torch::Tensor data = (plane.matmul(basis.t()) + offset + noise * torch::randn({points, 10}, torch::kFloat64))
                                   .to(torch::kFloat32);

    const PcaResult r = pca(data, 2);
    QCOMPARE(r.components.sizes().vec(), (std::vector<int64_t>{2, 10}));
    QCOMPARE(r.projection.sizes().vec(), (std::vector<int64_t>{points, 2}));
    // The components span the basis: projecting them onto it keeps their whole length.
    const torch::Tensor c = r.components.to(torch::kFloat64);
    const torch::Tensor inPlane = c.matmul(basis).norm(2, 1);
    QVERIFY2((inPlane - 1.0).abs().max().item<double>() < 1e-4, qPrintable(QString::number(inPlane.min().item<double>())));
    QVERIFY((c.matmul(c.t()) - torch::eye(2, torch::kFloat64)).abs().max().item<double>() < 1e-5);
    // Variances are those of the data along each component (largest first), sample variance.
    const torch::Tensor var = r.projection.to(torch::kFloat64).var(0, /*unbiased=*/true);
    QVERIFY(torch::allclose(r.explainedVariance, var, 1e-4, 1e-6));
    QVERIFY(r.explainedVariance[0].item<double>() > 5.0 * r.explainedVariance[1].item<double>());
    QVERIFY(r.explainedVarianceRatio.sum().item<double>() > 0.999);
    QVERIFY(torch::allclose(r.mean.to(torch::kFloat64), data.to(torch::kFloat64).mean(0), 1e-5, 1e-5));
    // The inverse map brings the projection back to the data.
    const torch::Tensor back = pcaInverse(r, r.projection);
    const double err = (back - data).abs().max().item<double>();
    QVERIFY2(err < 1e-3 + 10 * noise, qPrintable(QString::number(err)));
}

void TestPca::signsAreDeterministic()
{
    // Without a sign rule, eigh returns either sign: each axis's largest coefficient is positive.
    for (int seed = 0; seed < 8; ++seed) {
        torch::manual_seed(seed);
        const torch::Tensor data = torch::randn({300, 6}) * torch::tensor({5.0f, 4.0f, 3.0f, 2.0f, 1.0f, 0.5f});
        const PcaResult r = pca(data, 3);
        for (int i = 0; i < 3; ++i) {
            const torch::Tensor row = r.components[i];
            QVERIFY(row[row.abs().argmax()].item<float>() > 0);
        }
    }
}

void TestPca::constantDataHasNoVariance()
{
    const PcaResult r = pca(torch::full({50, 4}, 2.5f), 2);
    QCOMPARE(r.explainedVariance.abs().max().item<double>(), 0.0);
    QCOMPARE(r.projection.abs().max().item<float>(), 0.0f);
    QVERIFY(torch::allclose(pcaInverse(r, torch::zeros({1, 2})), torch::full({1, 4}, 2.5f)));
}

QTEST_GUILESS_MAIN(TestPca)
#include "tst_pca.moc"
