#include "export/torchscriptexport.h"

#include "model/autoencoder.h"
#include "util/atomicfile.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <QJsonArray>
#include <QJsonDocument>

#include <iomanip>
#include <sstream>

namespace aes {

namespace {

// A float literal TorchScript reads back to the same double.
std::string literal(double v)
{
    std::ostringstream s;
    s << std::setprecision(17) << v;
    std::string text = s.str();
    if (text.find_first_of(".eEn") == std::string::npos)
        text += ".0";
    return text;
}

std::string list(const std::vector<int64_t> &values)
{
    std::string text = "[";
    for (size_t i = 0; i < values.size(); ++i)
        text += (i ? ", " : "") + std::to_string(values[i]);
    return text + "]";
}

std::string optionalTensor(const std::string &name) { return name.empty() ? "None" : "self." + name; }

// One statement per op, on the variable x, with eval-mode semantics: the same aten
// calls that the LibTorch modules make, so the numbers agree to the last bits.
std::string statement(const ExportOp &op)
{
    switch (op.kind) {
    case ExportOpKind::PadBottomRight:
        return "x = torch.constant_pad_nd(x, [0, " + std::to_string(op.sizes[1]) + ", 0, "
            + std::to_string(op.sizes[0]) + "], 0.0)";
    case ExportOpKind::Flatten: return "x = torch.flatten(x, 1)";
    case ExportOpKind::Linear:
        return "x = torch.linear(x, self." + op.weight + ", " + optionalTensor(op.bias) + ")";
    case ExportOpKind::Conv:
        return "x = torch.conv2d(x, self." + op.weight + ", " + optionalTensor(op.bias) + ", " + list(op.stride)
            + ", " + list(op.padding) + ", " + list(op.dilation) + ", " + std::to_string(op.groups) + ")";
    case ExportOpKind::ConvTranspose:
        return "x = torch.conv_transpose2d(x, self." + op.weight + ", " + optionalTensor(op.bias) + ", "
            + list(op.stride) + ", " + list(op.padding) + ", " + list(op.outputPadding) + ", "
            + std::to_string(op.groups) + ", " + list(op.dilation) + ")";
    case ExportOpKind::BatchNorm:
        return "x = torch.batch_norm(x, self." + op.weight + ", self." + op.bias + ", self." + op.runningMean
            + ", self." + op.runningVar + ", False, 0.0, " + literal(op.alpha) + ", False)";
    case ExportOpKind::Relu: return "x = torch.relu(x)";
    case ExportOpKind::LeakyRelu: return "x = torch.leaky_relu(x, " + literal(op.alpha) + ")";
    case ExportOpKind::Elu: return "x = torch.elu(x, " + literal(op.alpha) + ", 1.0, 1.0)";
    case ExportOpKind::Gelu: return "x = torch.gelu(x)";
    case ExportOpKind::Tanh: return "x = torch.tanh(x)";
    case ExportOpKind::UpsampleNearest:
        return "x = torch.upsample_nearest2d(x, None, [" + literal(double(op.sizes[0])) + ", "
            + literal(double(op.sizes[1])) + "])";
    case ExportOpKind::PixelShuffle: return "x = torch.pixel_shuffle(x, " + std::to_string(op.sizes[0]) + ")";
    case ExportOpKind::Reshape: {
        std::string shape = "[x.size(0)";
        for (int64_t s : op.sizes)
            shape += ", " + std::to_string(s);
        return "x = torch.reshape(x, " + shape + "])";
    }
    case ExportOpKind::Crop:
        return "x = x[:, :, 0:" + std::to_string(op.sizes[0]) + ", 0:" + std::to_string(op.sizes[1]) + "]";
    case ExportOpKind::Sigmoid: return "x = torch.sigmoid(x)";
    }
    return {};
}

std::string method(const std::string &signature, const std::string &check, const std::vector<ExportOp> &ops)
{
    std::string text = "def " + signature + ":\n" + check;
    for (const ExportOp &op : ops)
        text += "    " + statement(op) + "\n";
    return text + "    return x\n";
}

std::string jsonText(const QJsonDocument &doc) { return doc.toJson(QJsonDocument::Indented).toStdString(); }

} // namespace

std::string torchScriptSource(const ExportPlan &plan)
{
    const ModelOptions &o = plan.options;
    const std::string c = std::to_string(o.channels), h = std::to_string(o.height), w = std::to_string(o.width);
    const std::string l = std::to_string(o.latent);
    // The same input check as the app's model: a wrong size fails with a message, not deep inside a layer.
    const std::string imageCheck =
        "    assert x.dim() == 4 and x.size(1) == " + c + " and x.size(2) == " + h + " and x.size(3) == " + w
        + ", \"expected float images of N x " + c + " x " + h + " x " + w + "\"\n";
    const std::string codeCheck =
        "    assert x.dim() == 2 and x.size(1) == " + l + ", \"expected codes of N x " + l + "\"\n";
    return method("encode(self, x: Tensor) -> Tensor", imageCheck, plan.encoder) + "\n"
        + method("decode(self, x: Tensor) -> Tensor", codeCheck, plan.decoder) + "\n"
        + "def forward(self, x: Tensor) -> Tensor:\n"
          "    return self.decode(self.encode(x))\n";
}

QString exportTorchScript(AutoencoderImpl &model, const QString &path, const ExportMetadata &meta)
{
    QString error;
    const std::optional<ExportPlan> plan = buildExportPlan(model, &error);
    if (!plan)
        return QStringLiteral("%1: %2").arg(path, error);
    std::ostringstream bytes;
    try {
        torch::jit::Module module("AutoencoderStudioModel");
        for (const auto &[name, tensor] : plan->tensors) {
            // Running statistics are buffers, weights parameters: as in the app's state dict.
            const bool isBuffer = name.find("_running_") != std::string::npos;
            if (isBuffer)
                module.register_buffer(name, tensor);
            else
                module.register_parameter(name, tensor, /*is_buffer=*/false);
        }
        module.define(torchScriptSource(*plan));
        module.eval();
        torch::jit::ExtraFilesMap extra{
            {"preprocessing.json", jsonText(QJsonDocument(preprocessingJson(plan->options, meta)))},
            {"class_names.json", jsonText(QJsonDocument(QJsonArray::fromStringList(meta.classNames)))},
            {"model_options.json", jsonText(QJsonDocument(plan->options.toJson()))},
        };
        if (!meta.anomaly.isEmpty())
            extra.emplace("anomaly.json", jsonText(QJsonDocument(meta.anomaly)));
        module.save(bytes, extra);
    } catch (const std::exception &e) {
        return QStringLiteral("cannot build the TorchScript module for %1: %2").arg(path, QString::fromUtf8(e.what()));
    }
    const std::string data = bytes.str();
    return writeFileAtomically(path, QByteArray::fromRawData(data.data(), qsizetype(data.size())));
}

} // namespace aes
