#pragma once
// Small models for the export tests: every kind, with weights and batch-norm statistics
// that are not the defaults, so an exporter that drops a buffer is caught.

#include "model/autoencoder.h"

#include <torch/torch.h>

#include <QTest>

Q_DECLARE_METATYPE(aes::ModelKind)
Q_DECLARE_METATYPE(aes::Activation)

namespace aes::test {

inline ModelOptions smallModelOptions(ModelKind kind, int channels, int height, int width,
                                      Activation activation = Activation::ReLU, bool batchNorm = true)
{
    ModelOptions o;
    o.kind = kind;
    o.channels = channels;
    o.height = height;
    o.width = width;
    o.latent = 6;
    o.activation = activation;
    o.batchNorm = batchNorm;
    if (kind == ModelKind::Dense)
        o.widths = {48, 24};
    else if (kind != ModelKind::KerasConv)
        o.widths = {8, 12};
    return o;
}

// Random weights and non-trivial batch-norm statistics (a few forward passes in training
// mode), then evaluation mode, as an exported model runs.
inline Autoencoder trainedLikeModel(const ModelOptions &o, uint64_t seed)
{
    torch::manual_seed(seed);
    Autoencoder model(o);
    model->train();
    torch::NoGradGuard noGrad;
    for (int i = 0; i < 3; ++i)
        model->forward(torch::rand({5, o.channels, o.height, o.width}) * 0.8 + 0.1);
    model->eval();
    return model;
}

// The _data() table of the export tests: every kind at 1 channel 25x25 and at 3 channels
// 20x31 (odd, non-square) with another activation; every activation without batch norm
// (convolutions with a bias) for conv and dense; and a size that needs no padding.
inline void addExportRows()
{
    QTest::addColumn<ModelKind>("kind");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<Activation>("activation");
    QTest::addColumn<bool>("batchNorm");
    const QStringList activations = activationNames();
    int row = 0;
    for (const QString &name : modelKindNames()) {
        const ModelKind kind = *modelKindFromString(name);
        QTest::addRow("%s-1ch-25x25", qPrintable(name)) << kind << 1 << 25 << 25 << Activation::ReLU << true;
        const QString act = activations[++row % activations.size()];
        QTest::addRow("%s-3ch-20x31-%s", qPrintable(name), qPrintable(act))
            << kind << 3 << 20 << 31 << *activationFromString(act) << true;
    }
    for (const QString &act : activations) {
        QTest::addRow("conv-1ch-25x25-%s-no-bn", qPrintable(act))
            << ModelKind::Conv << 1 << 25 << 25 << *activationFromString(act) << false;
        QTest::addRow("dense-1ch-9x7-%s-no-bn", qPrintable(act))
            << ModelKind::Dense << 1 << 9 << 7 << *activationFromString(act) << false;
    }
    QTest::addRow("conv-1ch-16x16-unpadded") << ModelKind::Conv << 1 << 16 << 16 << Activation::ReLU << true;
}

} // namespace aes::test
