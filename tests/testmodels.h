#pragma once
// Small models for the export tests: every kind, with weights and batch-norm statistics
// that are not the defaults, so an exporter that drops a buffer is caught.

#include "autoencoder.h"

#include <torch/torch.h>

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

} // namespace aes::test
