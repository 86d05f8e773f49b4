#pragma once
// The autoencoder of every kind, as a LibTorch module built from ModelOptions
// (pattern of pytorch/examples cpp/dcgan). Include only from .cpp files: this
// header pulls in the torch module API.
//
// Ownership: Autoencoder is LibTorch's shared holder; copies share the weights.
// Threads: a module is used by one thread at a time (the trainer's); others get
// a copy of the weights (see copyWeights in checkpoint.h).
// Failure: the constructor throws std::invalid_argument for invalid options;
// call ModelOptions::validate() first to get the message without an exception.

#include "model/modeloptions.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include <functional>

namespace aes {

struct Dataset;

struct ForwardResult {
    torch::Tensor logits;   // pre-sigmoid reconstruction, N x C x H x W
    torch::Tensor code;     // the code that was decoded (a sample for vae in training)
    torch::Tensor mu;       // vae only: mean and log-variance of q(z|x)
    torch::Tensor logvar;
    torch::Tensor reconstruction() const { return logits.sigmoid(); }
};

class AutoencoderImpl : public torch::nn::Module {
public:
    explicit AutoencoderImpl(const ModelOptions &options);

    // x: float N x C x H x W in [0, 1] -> N x latent (vae: the mean).
    torch::Tensor encode(torch::Tensor x);
    // z: N x latent -> N x C x H x W in [0, 1].
    torch::Tensor decode(torch::Tensor z);
    // The reconstruction, N x C x H x W in [0, 1].
    torch::Tensor forward(torch::Tensor x);
    // Everything the loss needs; a vae samples its code when in training mode.
    ForwardResult forwardFull(torch::Tensor x);
    // The kind's extra loss term (vae: beta * KL per pixel; sparse: L1 of the code); 0 otherwise.
    torch::Tensor regularization(const ForwardResult &result) const;
    // The input a denoising model trains on (noise added); x itself for other kinds.
    torch::Tensor corrupt(const torch::Tensor &x) const;

    const ModelOptions &options() const { return m_options; }
    qint64 parameterCount() const;

private:
    torch::Tensor features(torch::Tensor x);      // encoder up to the flattened features
    torch::Tensor decodeLogits(const torch::Tensor &z);
    torch::Tensor padInput(const torch::Tensor &x) const;

    ModelOptions m_options;
    bool m_convolutional = true;
    int m_paddedH = 0, m_paddedW = 0;              // input padded to a multiple of the stride
    int m_featureC = 0, m_featureH = 0, m_featureW = 0;
    torch::nn::Sequential m_encoder{nullptr};
    torch::nn::Linear m_toLatent{nullptr};         // vae: to 2 x latent (mean, log-variance)
    torch::nn::Linear m_fromLatent{nullptr};
    torch::nn::Sequential m_decoder{nullptr};
};
TORCH_MODULE(Autoencoder);

// Images per batch for evaluation and encoding: as many as keep one float32 input batch within
// 16 MiB (its activations scale with it), at most maxImages and at least one. Memory then stays
// bounded by the image size, not by how many images are evaluated or encoded.
qint64 inferenceBatchSize(qint64 valuesPerImage, qint64 maxImages = 256);

// Codes (float32, N x latent) of the images data[indices] — every image when indices is
// undefined — in batches, without autograd, in the model's current mode (callers set eval).
// Returns an undefined tensor when stop() says so between two batches. With errors, also
// each image's reconstruction MSE from its code (float32, N; a vae's mean code), in the
// same pass.
torch::Tensor encodeImages(AutoencoderImpl &model, const Dataset &data, const torch::Tensor &indices = {},
                           const std::function<bool()> &stop = {}, torch::Tensor *errors = nullptr);

} // namespace aes
