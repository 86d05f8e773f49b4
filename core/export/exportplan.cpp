#include "export/exportplan.h"

#include "model/autoencoder.h"

#include <torch/torch.h>

#include <QJsonArray>

#include <stdexcept>

namespace aes {

namespace nn = torch::nn;

namespace {

struct PlanBuilder {
    ExportPlan plan;
    QString error;

    std::string add(const std::string &name, const torch::Tensor &t)
    {
        if (!t.defined())
            return {};
        plan.tensors.emplace_back(name, t.detach().to(torch::kFloat32).contiguous().clone());
        return name;
    }

    static std::vector<int64_t> pair(torch::ExpandingArray<2> a) { return {(*a)[0], (*a)[1]}; }

    // One module of a Sequential; prefix names its tensors ("encoder_3").
    bool addModule(std::vector<ExportOp> &ops, const std::string &prefix, const std::shared_ptr<nn::Module> &m)
    {
        ExportOp op;
        if (auto *conv = dynamic_cast<nn::Conv2dImpl *>(m.get())) {
            const auto *padding = c10::get_if<torch::ExpandingArray<2>>(&conv->options.padding());
            if (!padding || !c10::get_if<torch::enumtype::kZeros>(&conv->options.padding_mode()))
                return fail("convolution with other than explicit zero padding");
            op.kind = ExportOpKind::Conv;
            op.padding = pair(*padding);
        } else if (auto *deconv = dynamic_cast<nn::ConvTranspose2dImpl *>(m.get())) {
            const auto *padding = c10::get_if<torch::ExpandingArray<2>>(&deconv->options.padding());
            if (!padding)
                return fail("transposed convolution without explicit padding");
            op.kind = ExportOpKind::ConvTranspose;
            op.padding = pair(*padding);
            op.outputPadding = pair(deconv->options.output_padding());
        } else if (auto *bn = dynamic_cast<nn::BatchNorm2dImpl *>(m.get())) {
            return addBatchNorm(ops, prefix, bn->options, bn->weight, bn->bias, bn->running_mean, bn->running_var);
        } else if (auto *bn1 = dynamic_cast<nn::BatchNorm1dImpl *>(m.get())) {
            return addBatchNorm(ops, prefix, bn1->options, bn1->weight, bn1->bias, bn1->running_mean, bn1->running_var);
        } else if (auto *linear = dynamic_cast<nn::LinearImpl *>(m.get())) {
            op.kind = ExportOpKind::Linear;
            op.weight = add(prefix + "_weight", linear->weight);
            op.bias = add(prefix + "_bias", linear->bias);
            ops.push_back(op);
            return true;
        } else if (dynamic_cast<nn::ReLUImpl *>(m.get())) {
            op.kind = ExportOpKind::Relu;
            ops.push_back(op);
            return true;
        } else if (auto *leaky = dynamic_cast<nn::LeakyReLUImpl *>(m.get())) {
            op.kind = ExportOpKind::LeakyRelu;
            op.alpha = leaky->options.negative_slope();
            ops.push_back(op);
            return true;
        } else if (auto *elu = dynamic_cast<nn::ELUImpl *>(m.get())) {
            op.kind = ExportOpKind::Elu;
            op.alpha = elu->options.alpha();
            ops.push_back(op);
            return true;
        } else if (auto *gelu = dynamic_cast<nn::GELUImpl *>(m.get())) {
            if (gelu->options.approximate() != "none")
                return fail("GELU with the tanh approximation");
            op.kind = ExportOpKind::Gelu;
            ops.push_back(op);
            return true;
        } else if (dynamic_cast<nn::TanhImpl *>(m.get())) {
            op.kind = ExportOpKind::Tanh;
            ops.push_back(op);
            return true;
        } else if (dynamic_cast<nn::DropoutImpl *>(m.get())) {
            return true;  // the identity in evaluation mode
        } else if (auto *up = dynamic_cast<nn::UpsampleImpl *>(m.get())) {
            const auto &scale = up->options.scale_factor();
            if (!c10::get_if<torch::enumtype::kNearest>(&up->options.mode()) || !scale || scale->size() != 2
                || (*scale)[0] != std::floor((*scale)[0]) || (*scale)[1] != std::floor((*scale)[1]))
                return fail("upsampling other than nearest by an integer factor");
            op.kind = ExportOpKind::UpsampleNearest;
            op.sizes = {int64_t((*scale)[0]), int64_t((*scale)[1])};
            ops.push_back(op);
            return true;
        } else if (auto *shuffle = dynamic_cast<nn::PixelShuffleImpl *>(m.get())) {
            op.kind = ExportOpKind::PixelShuffle;
            op.sizes = {shuffle->options.upscale_factor()};
            ops.push_back(op);
            return true;
        } else {
            return fail("layer " + QString::fromStdString(m->name()));
        }
        // Both convolutions.
        auto &o = op.kind == ExportOpKind::Conv ? dynamic_cast<nn::Conv2dImpl &>(*m).options
                                                : dynamic_cast<nn::ConvTranspose2dImpl &>(*m).options;
        torch::Tensor weight = op.kind == ExportOpKind::Conv ? dynamic_cast<nn::Conv2dImpl &>(*m).weight
                                                             : dynamic_cast<nn::ConvTranspose2dImpl &>(*m).weight;
        torch::Tensor bias = op.kind == ExportOpKind::Conv ? dynamic_cast<nn::Conv2dImpl &>(*m).bias
                                                           : dynamic_cast<nn::ConvTranspose2dImpl &>(*m).bias;
        op.stride = pair(o.stride());
        op.dilation = pair(o.dilation());
        op.kernel = pair(o.kernel_size());
        op.groups = o.groups();
        if (op.outputPadding.empty())
            op.outputPadding = {0, 0};
        op.weight = add(prefix + "_weight", weight);
        op.bias = add(prefix + "_bias", bias);
        ops.push_back(op);
        return true;
    }

    template <typename Options>
    bool addBatchNorm(std::vector<ExportOp> &ops, const std::string &prefix, const Options &o,
                      const torch::Tensor &weight, const torch::Tensor &bias,
                      const torch::Tensor &mean, const torch::Tensor &var)
    {
        if (!o.track_running_stats())
            return fail("batch norm without running statistics");
        ExportOp op;
        op.kind = ExportOpKind::BatchNorm;
        op.alpha = o.eps();
        // Without affine parameters, batch norm scales by 1 and shifts by 0.
        op.weight = add(prefix + "_weight", weight.defined() ? weight : torch::ones_like(mean));
        op.bias = add(prefix + "_bias", bias.defined() ? bias : torch::zeros_like(mean));
        op.runningMean = add(prefix + "_running_mean", mean);
        op.runningVar = add(prefix + "_running_var", var);
        ops.push_back(op);
        return true;
    }

    bool addSequential(std::vector<ExportOp> &ops, const std::string &name, const std::shared_ptr<nn::Module> &m)
    {
        const auto seq = std::dynamic_pointer_cast<nn::SequentialImpl>(m);
        if (!seq)
            return fail(QString::fromStdString(name) + " is not a sequence of layers");
        for (const auto &child : seq->named_children())
            if (!addModule(ops, name + "_" + child.key(), child.value()))
                return false;
        return true;
    }

    bool fail(const QString &what)
    {
        error = QStringLiteral("cannot export this model: %1 is not supported").arg(what);
        return false;
    }
};

ExportOp opOfKind(ExportOpKind kind)
{
    ExportOp op;
    op.kind = kind;
    return op;
}

int64_t roundUp(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

} // namespace

const at::Tensor &ExportPlan::tensor(const std::string &name) const
{
    for (const auto &t : tensors)
        if (t.first == name)
            return t.second;
    throw std::out_of_range("no export tensor " + name);
}

std::optional<ExportPlan> buildExportPlan(AutoencoderImpl &model, QString *error)
{
    PlanBuilder b;
    const ModelOptions &o = model.options();
    b.plan.options = o;
    const bool convolutional = o.kind != ModelKind::Dense;
    const auto done = [&]() -> std::optional<ExportPlan> {
        if (!b.error.isEmpty()) {
            if (error)
                *error = b.error;
            return std::nullopt;
        }
        return std::move(b.plan);
    };

    const auto children = model.named_children();
    const auto child = [&](const char *name) -> std::shared_ptr<nn::Module> {
        const auto *found = children.find(name);
        return found ? *found : nullptr;
    };
    const auto toLatent = std::dynamic_pointer_cast<nn::LinearImpl>(child("to_latent"));
    const auto fromLatent = std::dynamic_pointer_cast<nn::LinearImpl>(child("from_latent"));
    if (!child("encoder") || !child("decoder") || !toLatent || !fromLatent) {
        b.fail(QStringLiteral("a module layout other than encoder, to_latent, from_latent, decoder"));
        return done();
    }

    // Encoder: [pad] -> layers -> flatten -> code head.
    std::vector<ExportOp> layers;
    if (!b.addSequential(layers, "encoder", child("encoder")))
        return done();
    int64_t factorY = 1, factorX = 1, featureC = 0;
    for (const ExportOp &op : layers)
        if (op.kind == ExportOpKind::Conv) {
            factorY *= op.stride[0];
            factorX *= op.stride[1];
            featureC = b.plan.tensor(op.weight).size(0);
        }
    if (convolutional) {
        // The model pads its input to a multiple of the total stride (AutoencoderImpl::padInput).
        const int64_t paddedH = roundUp(o.height, factorY), paddedW = roundUp(o.width, factorX);
        if (paddedH != o.height || paddedW != o.width) {
            ExportOp pad;
            pad.kind = ExportOpKind::PadBottomRight;
            pad.sizes = {paddedH - o.height, paddedW - o.width};
            b.plan.encoder.push_back(pad);
        }
        b.plan.encoder.insert(b.plan.encoder.end(), layers.begin(), layers.end());
        b.plan.encoder.push_back(opOfKind(ExportOpKind::Flatten));
    } else {
        b.plan.encoder.push_back(opOfKind(ExportOpKind::Flatten));
        b.plan.encoder.insert(b.plan.encoder.end(), layers.begin(), layers.end());
    }
    ExportOp head;
    head.kind = ExportOpKind::Linear;
    // A vae's head gives mean and log-variance; encode returns the mean: keep its rows only.
    const int64_t codeRows = o.latent;
    if (toLatent->weight.size(0) != (o.kind == ModelKind::Vae ? 2 : 1) * codeRows) {
        b.fail(QStringLiteral("a code head of %1 outputs for latent %2").arg(toLatent->weight.size(0)).arg(o.latent));
        return done();
    }
    head.weight = b.add("to_latent_weight", toLatent->weight.slice(0, 0, codeRows));
    head.bias = b.add("to_latent_bias", toLatent->bias.defined() ? toLatent->bias.slice(0, 0, codeRows) : torch::Tensor());
    b.plan.encoder.push_back(head);

    // Decoder: from the code -> [reshape] -> layers -> [reshape | crop] -> sigmoid.
    ExportOp fromCode;
    fromCode.kind = ExportOpKind::Linear;
    fromCode.weight = b.add("from_latent_weight", fromLatent->weight);
    fromCode.bias = b.add("from_latent_bias", fromLatent->bias);
    b.plan.decoder.push_back(fromCode);
    if (convolutional) {
        const int64_t featureH = roundUp(o.height, factorY) / factorY;
        const int64_t featureW = roundUp(o.width, factorX) / factorX;
        if (featureC * featureH * featureW != fromLatent->weight.size(0)) {
            b.fail(QStringLiteral("a feature map that does not match the decoder's input"));
            return done();
        }
        ExportOp reshape;
        reshape.kind = ExportOpKind::Reshape;
        reshape.sizes = {featureC, featureH, featureW};
        b.plan.decoder.push_back(reshape);
    }
    if (!b.addSequential(b.plan.decoder, "decoder", child("decoder")))
        return done();
    ExportOp last;
    last.kind = convolutional ? ExportOpKind::Crop : ExportOpKind::Reshape;
    last.sizes = convolutional ? std::vector<int64_t>{o.height, o.width}
                               : std::vector<int64_t>{o.channels, o.height, o.width};
    // The decoder's output is at least the image size; a crop to the same size is left out.
    if (!convolutional || roundUp(o.height, factorY) != o.height || roundUp(o.width, factorX) != o.width)
        b.plan.decoder.push_back(last);
    b.plan.decoder.push_back(opOfKind(ExportOpKind::Sigmoid));
    // Shapes through the decoder, for ops that need their input's size as constants
    // (PixelShuffle: ONNX readers such as OpenCV cannot infer it with a dynamic batch).
    int64_t c = 0, h = 0, w = 0;
    for (ExportOp &op : b.plan.decoder) {
        switch (op.kind) {
        case ExportOpKind::Reshape:
            if (op.sizes.size() == 3)
                c = op.sizes[0], h = op.sizes[1], w = op.sizes[2];
            break;
        case ExportOpKind::Conv:
        case ExportOpKind::ConvTranspose: {
            const at::Tensor &weight = b.plan.tensor(op.weight);
            const bool transposed = op.kind == ExportOpKind::ConvTranspose;
            c = transposed ? weight.size(1) * op.groups : weight.size(0);
            const auto size = [&](int64_t in, int i) {
                const int64_t span = op.dilation[i] * (op.kernel[i] - 1) + 1;
                return transposed ? (in - 1) * op.stride[i] - 2 * op.padding[i] + span + op.outputPadding[i]
                                  : (in + 2 * op.padding[i] - span) / op.stride[i] + 1;
            };
            h = size(h, 0);
            w = size(w, 1);
            break;
        }
        case ExportOpKind::UpsampleNearest:
            h *= op.sizes[0];
            w *= op.sizes[1];
            break;
        case ExportOpKind::PixelShuffle: {
            const int64_t r = op.sizes[0];
            op.sizes = {r, c / (r * r), h, w};
            c /= r * r;
            h *= r;
            w *= r;
            break;
        }
        default: break;
        }
    }
    return done();
}

QJsonObject preprocessingJson(const ModelOptions &o, const ExportMetadata &meta)
{
    return QJsonObject{
        {QStringLiteral("layout"), QStringLiteral("NCHW")},
        {QStringLiteral("dtype"), QStringLiteral("float32")},
        {QStringLiteral("range"), QJsonArray{0, 1}},
        {QStringLiteral("scale"), QStringLiteral("pixel / 255")},
        {QStringLiteral("channels"), o.channels},
        {QStringLiteral("height"), o.height},
        {QStringLiteral("width"), o.width},
        {QStringLiteral("color"), o.channels == 1 ? QStringLiteral("gray") : QStringLiteral("rgb")},
        {QStringLiteral("resize"), meta.resize},
        {QStringLiteral("latent"), o.latent},
        {QStringLiteral("kind"), toString(o.kind)},
    };
}

} // namespace aes
