#include "model/autoencoder.h"

#include "data/dataset.h"
#include "model/devicetensors.h"

#include <torch/torch.h>

#include <stdexcept>

namespace aes {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

void appendActivation(nn::Sequential &seq, Activation activation)
{
    switch (activation) {
    case Activation::ReLU: seq->push_back(nn::ReLU()); break;
    case Activation::LeakyReLU: seq->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2))); break;
    case Activation::ELU: seq->push_back(nn::ELU()); break;
    case Activation::GELU: seq->push_back(nn::GELU()); break;
    case Activation::Tanh: seq->push_back(nn::Tanh()); break;
    }
}

// conv -> [batch norm] -> activation -> [dropout]; the bias is redundant before batch norm.
void appendConvBlock(nn::Sequential &seq, const ModelOptions &o, int in, int out, int stride)
{
    seq->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, /*kernel=*/3)
                                  .stride(stride).padding(1).bias(!o.batchNorm)));
    if (o.batchNorm)
        seq->push_back(nn::BatchNorm2d(out));
    appendActivation(seq, o.activation);
    if (o.effectiveDropout() > 0.0)
        seq->push_back(nn::Dropout(o.effectiveDropout()));
}

void appendDenseBlock(nn::Sequential &seq, const ModelOptions &o, int in, int out)
{
    seq->push_back(nn::Linear(nn::LinearOptions(in, out).bias(!o.batchNorm)));
    if (o.batchNorm)
        seq->push_back(nn::BatchNorm1d(out));
    appendActivation(seq, o.activation);
    if (o.effectiveDropout() > 0.0)
        seq->push_back(nn::Dropout(o.effectiveDropout()));
}

int roundUp(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

// ConvTranspose2d computed through Conv2d's kernels. A transposed convolution is the input
// gradient of a convolution with the same weight, so its forward is Conv2d's input-gradient
// kernel, its input gradient is a Conv2d forward, and its weight gradient is Conv2d's
// weight-gradient kernel with the roles of input and output swapped. LibTorch 1.13 runs
// ConvTranspose2d on its slow unfold path (slow_conv_transpose2d) while Conv2d runs on oneDNN;
// this gives the same numbers (to float rounding) with the same parameters, and made the
// keras-conv training step ~1.5x faster (docs/PERFORMANCE.md). Used for training only.
struct ConvTransposeByConv : torch::autograd::Function<ConvTransposeByConv> {
    static torch::Tensor forward(torch::autograd::AutogradContext *ctx, const torch::Tensor &x,
                                 const torch::Tensor &weight, const torch::Tensor &bias,
                                 std::vector<int64_t> stride, std::vector<int64_t> padding,
                                 std::vector<int64_t> outSize)
    {
        // The "input" of the mirrored convolution only gives the output's shape.
        const torch::Tensor shape = torch::empty({x.size(0), weight.size(1), outSize[0], outSize[1]}, x.options());
        torch::Tensor y = std::get<0>(at::convolution_backward(
            x.contiguous(), shape, weight, c10::nullopt, stride, padding, /*dilation=*/{1, 1},
            /*transposed=*/false, /*output_padding=*/{0, 0}, /*groups=*/1, {true, false, false}));
        if (bias.defined())
            y.add_(bias.view({1, -1, 1, 1}));
        ctx->save_for_backward({x, weight});
        ctx->saved_data["stride"] = stride;
        ctx->saved_data["padding"] = padding;
        ctx->saved_data["bias"] = bias.defined();
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext *ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &x = saved[0], &weight = saved[1];
        const std::vector<int64_t> stride = ctx->saved_data["stride"].toIntVector();
        const std::vector<int64_t> padding = ctx->saved_data["padding"].toIntVector();
        const torch::Tensor g = grads[0].contiguous();
        torch::Tensor gx, gw, gb;
        if (ctx->needs_input_grad(0))
            gx = at::conv2d(g, weight, {}, stride, padding);
        if (ctx->needs_input_grad(1))
            gw = std::get<1>(at::convolution_backward(
                x.contiguous(), g, weight, c10::nullopt, stride, padding, /*dilation=*/{1, 1},
                /*transposed=*/false, /*output_padding=*/{0, 0}, /*groups=*/1, {false, true, false}));
        if (ctx->saved_data["bias"].toBool() && ctx->needs_input_grad(2))
            gb = g.sum({0, 2, 3});
        return {gx, gw, gb, {}, {}, {}};
    }
};

// The mirrored path pays off when the layer has several output channels; for a layer to one
// or three channels (the last of keras-conv) LibTorch's own kernel was faster.
torch::Tensor convTranspose(nn::ConvTranspose2dImpl &layer, const torch::Tensor &x)
{
    const auto &o = layer.options;
    const auto *pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
    const bool mirror = torch::GradMode::is_enabled() && layer.weight.requires_grad() && x.dim() == 4
        && pad && o.groups() == 1 && layer.weight.size(1) >= 8
        && c10::holds_alternative<torch::enumtype::kZeros>(o.padding_mode())
        && (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1;
    if (!mirror)
        return layer.forward(x);
    std::vector<int64_t> stride{(*o.stride())[0], (*o.stride())[1]};
    std::vector<int64_t> padding{(**pad)[0], (**pad)[1]};
    std::vector<int64_t> outSize(2);
    for (int d = 0; d < 2; ++d)
        outSize[d] = (x.size(2 + d) - 1) * stride[d] - 2 * padding[d] + (*o.kernel_size())[d]
            + (*o.output_padding())[d];
    return ConvTransposeByConv::apply(x, layer.weight, layer.bias, stride, padding, outSize);
}

// A convolution of a gray image (one input channel) trains 3-10x faster on LibTorch's
// unfold + matrix-product kernel than on oneDNN, whose backward pass for one input channel
// has a fixed cost of several milliseconds per call (measured at batch 32-128 on 28x28;
// with three channels, and for inference, oneDNN is the faster one). Same function, same
// parameters; the unfold kernel has its own autograd formula.
torch::Tensor conv(nn::Conv2dImpl &layer, const torch::Tensor &x)
{
    const auto &o = layer.options;
    const auto *pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
    const bool unfold = torch::GradMode::is_enabled() && layer.weight.requires_grad() && x.dim() == 4
        && x.size(1) == 1 && pad && o.groups() == 1
        && c10::holds_alternative<torch::enumtype::kZeros>(o.padding_mode())
        && (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1;
    if (!unfold)
        return layer.forward(x);
    return at::thnn_conv2d(x, layer.weight, *o.kernel_size(),
                           layer.bias.defined() ? c10::optional<torch::Tensor>(layer.bias) : c10::nullopt,
                           *o.stride(), **pad);
}

// Sequential::forward, with the two layer types above routed to their faster kernels.
torch::Tensor runLayers(nn::Sequential &layers, torch::Tensor x)
{
    for (auto &layer : *layers) {
        if (auto *transposed = layer.ptr()->as<nn::ConvTranspose2dImpl>())
            x = convTranspose(*transposed, x);
        else if (auto *convolution = layer.ptr()->as<nn::Conv2dImpl>())
            x = conv(*convolution, x);
        else
            x = layer.forward(x);
    }
    return x;
}

} // namespace

AutoencoderImpl::AutoencoderImpl(const ModelOptions &options)
    : m_options(options)
{
    const QString problem = options.validate();
    if (!problem.isEmpty())
        throw std::invalid_argument(problem.toStdString());

    const ModelOptions &o = m_options;
    const QVector<int> widths = o.effectiveWidths();
    const int codeOut = o.kind == ModelKind::Vae ? 2 * o.latent : o.latent;
    m_convolutional = o.kind != ModelKind::Dense;
    m_encoder = nn::Sequential();
    m_decoder = nn::Sequential();

    if (!m_convolutional) {
        // Classic Dense + Dropout autoencoder over the flattened image.
        m_paddedH = o.height;
        m_paddedW = o.width;
        int in = o.channels * o.height * o.width;
        for (int w : widths) {
            appendDenseBlock(m_encoder, o, in, w);
            in = w;
        }
        m_featureC = in;
        m_featureH = m_featureW = 1;
        m_toLatent = nn::Linear(in, codeOut);
        m_fromLatent = nn::Linear(o.latent, widths.last());
        appendActivation(m_decoder, o.activation);
        for (int i = widths.size() - 1; i > 0; --i)
            appendDenseBlock(m_decoder, o, widths[i], widths[i - 1]);
        m_decoder->push_back(nn::Linear(widths.first(), o.channels * o.height * o.width));
    } else {
        // Each stage halves the size; the input is padded to a multiple of 2^stages
        // and the output cropped back, so any image size works.
        const int factor = 1 << widths.size();
        m_paddedH = roundUp(o.height, factor);
        m_paddedW = roundUp(o.width, factor);
        m_featureC = widths.last();
        m_featureH = m_paddedH / factor;
        m_featureW = m_paddedW / factor;
        const int featureSize = m_featureC * m_featureH * m_featureW;

        if (o.kind == ModelKind::KerasConv) {
            // The Keras tutorial shape, exactly, for comparisons with PyTorch/Keras code.
            m_encoder->push_back(nn::Conv2d(nn::Conv2dOptions(o.channels, 32, 3).stride(2).padding(1)));
            m_encoder->push_back(nn::ReLU());
            m_encoder->push_back(nn::Conv2d(nn::Conv2dOptions(32, 64, 3).stride(2).padding(1)));
            m_encoder->push_back(nn::ReLU());
            m_decoder->push_back(nn::ReLU());
            m_decoder->push_back(nn::ConvTranspose2d(
                nn::ConvTranspose2dOptions(64, 32, 3).stride(2).padding(1).output_padding(1)));
            m_decoder->push_back(nn::ReLU());
            m_decoder->push_back(nn::ConvTranspose2d(
                nn::ConvTranspose2dOptions(32, o.channels, 3).stride(2).padding(1).output_padding(1)));
        } else {
            // Strided convolutions down. Up: nearest upsampling + convolution, and for the
            // last doubling a convolution to 4 sub-pixels per channel + PixelShuffle, so no
            // convolution runs at full resolution. ConvTranspose2d is several times slower on
            // the CPU; this decoder learns as well at about half the cost of full-resolution
            // convolutions (measured on Fashion-MNIST, see docs/PERFORMANCE.md).
            int in = o.channels;
            for (int w : widths) {
                appendConvBlock(m_encoder, o, in, w, /*stride=*/2);
                in = w;
            }
            appendActivation(m_decoder, o.activation);
            for (int i = widths.size() - 1; i > 0; --i) {
                m_decoder->push_back(nn::Upsample(nn::UpsampleOptions()
                                                      .scale_factor(std::vector<double>{2.0, 2.0})
                                                      .mode(torch::kNearest)));
                appendConvBlock(m_decoder, o, widths[i], widths[i - 1], /*stride=*/1);
            }
            m_decoder->push_back(nn::Conv2d(nn::Conv2dOptions(widths.first(), o.channels * 4, 3).padding(1)));
            m_decoder->push_back(nn::PixelShuffle(/*upscale_factor=*/2));
        }
        m_toLatent = nn::Linear(featureSize, codeOut);
        m_fromLatent = nn::Linear(o.latent, featureSize);
    }
    register_module("encoder", m_encoder);
    register_module("to_latent", m_toLatent);
    register_module("from_latent", m_fromLatent);
    register_module("decoder", m_decoder);
}

torch::Tensor AutoencoderImpl::padInput(const torch::Tensor &x) const
{
    if (x.size(2) == m_paddedH && x.size(3) == m_paddedW)
        return x;
    return F::pad(x, F::PadFuncOptions({0, m_paddedW - x.size(3), 0, m_paddedH - x.size(2)}));
}

torch::Tensor AutoencoderImpl::features(torch::Tensor x)
{
    TORCH_CHECK(x.dim() == 4 && x.size(1) == m_options.channels && x.size(2) == m_options.height
                    && x.size(3) == m_options.width,
                "expected images of ", m_options.channels, "x", m_options.height, "x",
                m_options.width, ", got ", x.sizes());
    if (!m_convolutional)
        return m_encoder->forward(x.flatten(1));
    return runLayers(m_encoder, padInput(x)).flatten(1);
}

torch::Tensor AutoencoderImpl::decodeLogits(const torch::Tensor &z)
{
    torch::Tensor y = m_fromLatent->forward(z);
    if (m_convolutional)
        y = y.view({z.size(0), m_featureC, m_featureH, m_featureW});
    y = runLayers(m_decoder, y);
    if (!m_convolutional)
        return y.view({z.size(0), m_options.channels, m_options.height, m_options.width});
    if (y.size(2) != m_options.height || y.size(3) != m_options.width)
        y = y.slice(2, 0, m_options.height).slice(3, 0, m_options.width);
    return y;
}

ForwardResult AutoencoderImpl::forwardFull(torch::Tensor x)
{
    ForwardResult r;
    torch::Tensor code = m_toLatent->forward(features(std::move(x)));
    if (m_options.kind == ModelKind::Vae) {
        r.mu = code.slice(1, 0, m_options.latent);
        // Clamped so that exp() cannot overflow early in training or at a high learning rate.
        r.logvar = code.slice(1, m_options.latent).clamp(-30.0, 20.0);
        r.code = is_training() ? r.mu + torch::randn_like(r.mu) * (0.5 * r.logvar).exp() : r.mu;
    } else {
        r.code = code;
    }
    r.logits = decodeLogits(r.code);
    return r;
}

torch::Tensor AutoencoderImpl::encode(torch::Tensor x)
{
    torch::Tensor code = m_toLatent->forward(features(std::move(x)));
    if (m_options.kind == ModelKind::Vae)
        return code.slice(1, 0, m_options.latent);
    return code;
}

torch::Tensor AutoencoderImpl::decode(torch::Tensor z)
{
    return decodeLogits(z).sigmoid();
}

torch::Tensor AutoencoderImpl::forward(torch::Tensor x)
{
    return forwardFull(std::move(x)).reconstruction();
}

torch::Tensor AutoencoderImpl::regularization(const ForwardResult &r) const
{
    if (m_options.kind == ModelKind::Vae) {
        // KL(q(z|x) || N(0, I)) per image, divided by the pixel count because the
        // reconstruction loss is a per-pixel mean: beta = 1 is the usual ELBO.
        const double pixels = double(m_options.channels) * m_options.height * m_options.width;
        torch::Tensor kl = -0.5 * (1 + r.logvar - r.mu.pow(2) - r.logvar.exp()).sum(1).mean();
        return kl * (m_options.beta / pixels);
    }
    if (m_options.kind == ModelKind::Sparse)
        return r.code.abs().mean() * m_options.sparsity;
    return torch::zeros({}, r.logits.options());
}

torch::Tensor AutoencoderImpl::corrupt(const torch::Tensor &x) const
{
    if (m_options.kind != ModelKind::Denoising || m_options.noiseLevel <= 0.0)
        return x;
    if (m_options.noise == NoiseKind::Gaussian)
        return (x + torch::randn_like(x) * m_options.noiseLevel).clamp(0.0, 1.0);
    torch::Tensor hit = torch::rand_like(x) < m_options.noiseLevel;
    torch::Tensor saltOrPepper = (torch::rand_like(x) < 0.5).to(x.scalar_type());
    return torch::where(hit, saltOrPepper, x);
}

qint64 AutoencoderImpl::parameterCount() const
{
    qint64 n = 0;
    for (const auto &p : parameters())
        n += p.numel();
    return n;
}

qint64 inferenceBatchSize(qint64 valuesPerImage, qint64 maxImages)
{
    const qint64 perImage = std::max<qint64>(1, valuesPerImage) * qint64(sizeof(float));
    return std::clamp<qint64>((qint64(16) << 20) / perImage, 1, std::max<qint64>(1, maxImages));
}

torch::Tensor encodeImages(AutoencoderImpl &model, const Dataset &data, const torch::Tensor &indices,
                           const std::function<bool()> &stop, torch::Tensor *errors)
{
    c10::InferenceMode inference;
    const torch::Tensor all = indices.defined() ? indices : torch::arange(int64_t(data.size()), torch::kLong);
    const int64_t n = all.numel();
    const c10::Device device = deviceOf(model);
    std::vector<torch::Tensor> parts, errorParts;
    const int64_t batch = inferenceBatchSize(qint64(data.channels()) * data.height() * data.width(), 512);
    for (int64_t start = 0; start < n; start += batch) {
        if (stop && stop())
            return {};
        const torch::Tensor x = floatBatchOn(data, all.slice(0, start, std::min(n, start + batch)), device);
        const torch::Tensor code = model.encode(x);
        if (errors)
            errorParts.push_back((model.decode(code) - x).pow(2).mean({1, 2, 3}).to(torch::kCPU, torch::kFloat));
        parts.push_back(code.to(torch::kCPU));  // codes come back to the host, whatever the device
    }
    if (errors)
        *errors = errorParts.empty() ? torch::zeros({0}) : torch::cat(errorParts);
    return parts.empty() ? torch::zeros({0, model.options().latent}) : torch::cat(parts).contiguous();
}

} // namespace aes
