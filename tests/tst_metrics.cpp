// Reconstruction and latent metrics against known values (scikit-image for SSIM).

#include "training/metrics.h"

#include <torch/torch.h>

#include <QTest>

using namespace aes;

namespace {
// The same patterns as the scikit-image reference computation in the test below.
torch::Tensor pattern(int a, int b, int mod, double scale, double offset = 0.0)
{
    torch::Tensor t = torch::zeros({12, 10}, torch::kDouble);
    for (int i = 0; i < 12; ++i)
        for (int j = 0; j < 10; ++j)
            t[i][j] = double((i * a + j * b) % mod) / scale + offset;
    return t;
}
} // namespace

class TestMetrics final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void psnrOfKnownError();
    void ssimMatchesScikitImage();
    void ssimOfIdenticalImagesIsOne();
    void ssimEqualsWindowMeans_data();
    void ssimEqualsWindowMeans();
    void knnSeparatesClusters();
    void knnOfRandomLabelsIsNearChance();
};

void TestMetrics::psnrOfKnownError()
{
    const torch::Tensor target = torch::zeros({2, 1, 4, 4});
    const torch::Tensor recon = torch::stack({torch::full({1, 4, 4}, 0.1), torch::zeros({1, 4, 4})});
    const torch::Tensor mse = perImageMse(recon, target);
    QVERIFY(std::abs(mse[0].item<double>() - 0.01) < 1e-7);
    const torch::Tensor psnr = psnrFromMse(mse);
    QVERIFY(std::abs(psnr[0].item<double>() - 20.0) < 1e-4);  // 10 log10(1 / 0.01)
    QCOMPARE(psnr[1].item<double>(), 100.0);                  // capped for an exact copy
}

void TestMetrics::ssimMatchesScikitImage()
{
    // skimage.metrics.structural_similarity(x, y, data_range=1.0) = 0.05990087315667098
    const torch::Tensor x = pattern(7, 3, 11, 10.0), y = pattern(5, 2, 13, 12.0);
    const double gray = perImageSsim(x.view({1, 1, 12, 10}), y.view({1, 1, 12, 10}))[0].item<double>();
    QVERIFY2(std::abs(gray - 0.05990087315667098) < 1e-5, qPrintable(QString::number(gray, 'g', 10)));
    // ... with channel_axis=-1 on 3 channels = 0.06270920264918718
    const torch::Tensor x3 = torch::stack({x, y, x * 0.5}).unsqueeze(0);
    const torch::Tensor y3 = torch::stack({y, x, y * 0.5 + 0.1}).unsqueeze(0);
    const double rgb = perImageSsim(x3, y3)[0].item<double>();
    QVERIFY2(std::abs(rgb - 0.06270920264918718) < 1e-5, qPrintable(QString::number(rgb, 'g', 10)));
}

void TestMetrics::ssimOfIdenticalImagesIsOne()
{
    const torch::Tensor x = torch::rand({3, 3, 9, 9});
    const torch::Tensor s = perImageSsim(x, x);
    QVERIFY(torch::allclose(s, torch::ones({3}), 1e-5, 1e-5));
    QVERIFY(perImageSsim(x, torch::rand({3, 3, 9, 9})).max().item<double>() < 0.5);
}

void TestMetrics::ssimEqualsWindowMeans_data()
{
    QTest::addColumn<QVector<int>>("shape");
    QTest::newRow("rgb 20x17") << QVector<int>{4, 3, 20, 17};
    QTest::newRow("gray 6x9: a 5x5 window") << QVector<int>{2, 1, 6, 9};
    QTest::newRow("one row of windows") << QVector<int>{3, 2, 7, 30};
}

void TestMetrics::ssimEqualsWindowMeans()
{
    // SSIM written out with average pools in float64: the formula perImageSsim slides along rows.
    QFETCH(QVector<int>, shape);
    torch::manual_seed(9);
    const torch::Tensor x = torch::rand({shape[0], shape[1], shape[2], shape[3]});
    const torch::Tensor y = (x + 0.2 * torch::randn_like(x)).clamp(0, 1);
    int64_t win = std::min<int64_t>({7, shape[2], shape[3]});
    win -= 1 - win % 2;
    const double np = double(win * win), cov = np / (np - 1.0), c1 = 1e-4, c2 = 9e-4;
    const auto mean = [&](const torch::Tensor &t) {
        return torch::nn::functional::avg_pool2d(t.reshape({-1, 1, shape[2], shape[3]}),
                                                 torch::nn::functional::AvgPool2dFuncOptions(win).stride(1));
    };
    const torch::Tensor xd = x.to(torch::kFloat64), yd = y.to(torch::kFloat64);
    const torch::Tensor ux = mean(xd), uy = mean(yd);
    const torch::Tensor vx = cov * (mean(xd * xd) - ux * ux), vy = cov * (mean(yd * yd) - uy * uy);
    const torch::Tensor vxy = cov * (mean(xd * yd) - ux * uy);
    const torch::Tensor map = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    const torch::Tensor expected = map.reshape({shape[0], shape[1], -1}).mean(2).mean(1);
    const torch::Tensor got = perImageSsim(x, y);
    QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{shape[0]}));
    QVERIFY2(torch::allclose(got.to(torch::kFloat64), expected, 1e-6, 1e-6),
             qPrintable(QString::number((got.to(torch::kFloat64) - expected).abs().max().item<double>())));
}

void TestMetrics::knnSeparatesClusters()
{
    torch::manual_seed(3);
    const torch::Tensor centres = torch::tensor({{0.0f, 0.0f}, {10.0f, 0.0f}, {0.0f, 10.0f}});
    const torch::Tensor refLabels = torch::arange(300, torch::kLong) % 3;
    const torch::Tensor ref = centres.index_select(0, refLabels) + torch::randn({300, 2});
    const torch::Tensor qLabels = torch::arange(60, torch::kLong) % 3;
    const torch::Tensor query = centres.index_select(0, qLabels) + torch::randn({60, 2});
    QCOMPARE(knnAccuracy(ref, refLabels, query, qLabels, 10), 1.0);
    // Wrong truth everywhere: accuracy 0.
    QCOMPARE(knnAccuracy(ref, refLabels, query, (qLabels + 1) % 3, 10), 0.0);
}

void TestMetrics::knnOfRandomLabelsIsNearChance()
{
    torch::manual_seed(4);
    const torch::Tensor ref = torch::randn({2000, 4});
    const torch::Tensor query = torch::randn({500, 4});
    const double acc = knnAccuracy(ref, torch::randint(4, {2000}, torch::kLong), query,
                                   torch::randint(4, {500}, torch::kLong), 10);
    QVERIFY2(acc > 0.15 && acc < 0.35, qPrintable(QString::number(acc)));
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
