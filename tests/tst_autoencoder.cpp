// Every model kind, for every image size and channel count: the shapes of encode,
// decode and forward, and one training step that changes the weights.

#include "model/autoencoder.h"
#include "testmodels.h"

#include <torch/torch.h>

#include <QTest>

using namespace aes;

class TestAutoencoder final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shapesAndOneStep_data();
    void shapesAndOneStep();
    void kerasConvHasTheTutorialShape();
    void fasterKernelsGiveLibTorchsGradients();
    void vaeSamplesOnlyInTraining();
    void denoisingCorruptsOnlyItsInput();
    void invalidOptionsAreRefused();
};

void TestAutoencoder::shapesAndOneStep_data()
{
    QTest::addColumn<ModelKind>("kind");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    const QVector<QPair<int, int>> sizes{{8, 8}, {25, 25}, {28, 28}, {32, 48}};
    for (const QString &name : modelKindNames())
        for (int c : {1, 3})
            for (const auto &[h, w] : sizes)
                QTest::addRow("%s-%dch-%dx%d", qPrintable(name), c, w, h)
                    << *modelKindFromString(name) << c << h << w;
}

void TestAutoencoder::shapesAndOneStep()
{
    QFETCH(ModelKind, kind);
    QFETCH(int, channels);
    QFETCH(int, height);
    QFETCH(int, width);
    const ModelOptions o = test::smallModelOptions(kind, channels, height, width);
    torch::manual_seed(0);
    Autoencoder model(o);
    const torch::Tensor x = torch::rand({4, channels, height, width});

    const torch::Tensor z = model->encode(x);
    QCOMPARE(z.sizes().vec(), (std::vector<int64_t>{4, o.latent}));
    const torch::Tensor y = model->decode(z);
    QCOMPARE(y.sizes().vec(), x.sizes().vec());
    QVERIFY(y.min().item<float>() >= 0.0f && y.max().item<float>() <= 1.0f);
    QCOMPARE(model->forward(x).sizes().vec(), x.sizes().vec());

    model->train();
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
    const torch::Tensor before = torch::cat([&] {
        std::vector<torch::Tensor> flat;
        for (const auto &p : model->parameters())
            flat.push_back(p.detach().flatten().clone());
        return flat;
    }());
    const ForwardResult r = model->forwardFull(model->corrupt(x));
    const torch::Tensor loss = torch::mse_loss(r.reconstruction(), x) + model->regularization(r);
    QVERIFY(std::isfinite(loss.item<double>()));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    std::vector<torch::Tensor> flat;
    for (const auto &p : model->parameters())
        flat.push_back(p.detach().flatten());
    QVERIFY(!torch::allclose(before, torch::cat(flat)));
}

void TestAutoencoder::kerasConvHasTheTutorialShape()
{
    ModelOptions o;
    o.kind = ModelKind::KerasConv;
    o.latent = 16;
    Autoencoder model(o);
    // Conv(1->32) 320 + Conv(32->64) 18496 + Linear(3136->16) 50192
    // + Linear(16->3136) 53312 + ConvT(64->32) 18464 + ConvT(32->1) 289
    QCOMPARE(model->parameterCount(), qint64(320 + 18496 + 50192 + 53312 + 18464 + 289));
    int transposed = 0;
    for (const auto &m : model->modules(false))
        transposed += m->name() == "torch::nn::ConvTranspose2dImpl";
    QCOMPARE(transposed, 2);
}

// Training routes the gray input convolution and keras-conv's transposed convolutions to faster
// kernels (autoencoder.cpp): the loss and every gradient must be those of LibTorch's own
// layers, computed here with the functional ops on the same parameters.
void TestAutoencoder::fasterKernelsGiveLibTorchsGradients()
{
    namespace F = torch::nn::functional;
    ModelOptions o;
    o.kind = ModelKind::KerasConv;
    o.latent = 16;
    torch::manual_seed(3);
    Autoencoder model(o);
    model->train();
    const torch::Tensor x = torch::rand({6, 1, 28, 28});
    const torch::Tensor loss = torch::mse_loss(model->forward(x), x);
    loss.backward();

    std::map<std::string, torch::Tensor> p;
    for (const auto &item : model->named_parameters())
        p[item.key()] = item.value().detach().clone().requires_grad_(true);
    torch::Tensor h = torch::relu(torch::conv2d(x, p["encoder.0.weight"], p["encoder.0.bias"], 2, 1));
    h = torch::relu(torch::conv2d(h, p["encoder.2.weight"], p["encoder.2.bias"], 2, 1));
    const torch::Tensor code = torch::linear(h.flatten(1), p["to_latent.weight"], p["to_latent.bias"]);
    h = torch::relu(torch::linear(code, p["from_latent.weight"], p["from_latent.bias"])).view({6, 64, 7, 7});
    h = torch::relu(torch::conv_transpose2d(h, p["decoder.1.weight"], p["decoder.1.bias"], 2, 1, 1));
    h = torch::conv_transpose2d(h, p["decoder.3.weight"], p["decoder.3.bias"], 2, 1, 1);
    const torch::Tensor reference = torch::mse_loss(h.sigmoid(), x);
    reference.backward();

    QVERIFY(std::abs(loss.item<double>() - reference.item<double>()) < 1e-6);
    for (const auto &item : model->named_parameters()) {
        const torch::Tensor want = p[item.key()].grad();
        const torch::Tensor got = item.value().grad();
        QVERIFY2(got.defined() && want.defined(), item.key().c_str());
        const double error = (got - want).norm().item<double>() / std::max(want.norm().item<double>(), 1e-12);
        QVERIFY2(error < 1e-4, qPrintable(QStringLiteral("%1: relative error %2").arg(QString::fromStdString(item.key())).arg(error)));
    }
}

void TestAutoencoder::vaeSamplesOnlyInTraining()
{
    ModelOptions o;
    o.kind = ModelKind::Vae;
    o.height = o.width = 8;
    Autoencoder model(o);
    const torch::Tensor x = torch::rand({3, 1, 8, 8});
    model->eval();
    QVERIFY(torch::equal(model->forward(x), model->forward(x)));
    QVERIFY(torch::equal(model->forwardFull(x).code, model->encode(x)));
    model->train();
    QVERIFY(!torch::equal(model->forwardFull(x).code, model->forwardFull(x).code));
    QVERIFY(model->regularization(model->forwardFull(x)).item<double>() > 0.0);
}

void TestAutoencoder::denoisingCorruptsOnlyItsInput()
{
    ModelOptions o;
    o.kind = ModelKind::Denoising;
    o.height = o.width = 8;
    const torch::Tensor x = torch::full({2, 1, 8, 8}, 0.5);
    Autoencoder gaussian(o);
    const torch::Tensor noisy = gaussian->corrupt(x);
    QVERIFY(!torch::equal(noisy, x));
    QVERIFY(noisy.min().item<float>() >= 0.0f && noisy.max().item<float>() <= 1.0f);
    o.noise = NoiseKind::SaltPepper;
    o.noiseLevel = 0.5;
    Autoencoder saltPepper(o);
    const torch::Tensor sp = saltPepper->corrupt(x);
    const double changed = (sp != x).to(torch::kFloat).mean().item<double>();
    QVERIFY2(changed > 0.3 && changed < 0.7, qPrintable(QString::number(changed)));
    o.kind = ModelKind::Conv;
    Autoencoder plain(o);
    QVERIFY(torch::equal(plain->corrupt(x), x));
}

void TestAutoencoder::invalidOptionsAreRefused()
{
    ModelOptions o;
    o.channels = 2;
    QVERIFY(o.validate().contains(QStringLiteral("channels")));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Autoencoder{o});
    o.channels = 1;
    o.latent = 0;
    QVERIFY(!o.validate().isEmpty());
    QString error;
    QVERIFY(!ModelOptions::fromJson(QJsonObject{{QStringLiteral("kind"), QStringLiteral("nope")}}, &error));
    QVERIFY(error.contains(QStringLiteral("nope")));
    QVERIFY(!ModelOptions::fromJson(QJsonObject{{QStringLiteral("latent"), QStringLiteral("16")}}, &error));
    QVERIFY(error.contains(QStringLiteral("latent")));
    ModelOptions custom;
    custom.kind = ModelKind::Sparse;
    custom.widths = {4, 8, 16};
    custom.activation = Activation::GELU;
    const auto back = ModelOptions::fromJson(custom.toJson(), &error);
    QVERIFY(back);
    QVERIFY(back->kind == ModelKind::Sparse);
    QCOMPARE(back->widths, custom.widths);
    QVERIFY(back->activation == Activation::GELU);
}

QTEST_GUILESS_MAIN(TestAutoencoder)
#include "tst_autoencoder.moc"
