#pragma once
// A trained autoencoder's inference computation (evaluation mode) as two flat lists of
// operations with named weights: the one place that reads the model's structure, which
// the TorchScript and ONNX exporters translate op by op.
//
// Evaluation semantics: batch norm uses its running statistics, dropout is left out,
// a vae encodes to its mean (the log-variance rows of its head are dropped).
//
// Threads: reads the model's tensors (copies them); call from the thread that owns the
// model or on a copy of it (cloneModel in checkpoint.h).
// Failure: a layer the exporters cannot translate gives std::nullopt and a message.

#include "model/modeloptions.h"

#include <ATen/core/Tensor.h>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aes {

class AutoencoderImpl;

enum class ExportOpKind {
    PadBottomRight,     // zeros below and to the right: sizes = {bottom, right}
    Flatten,            // N x ... -> N x features
    Linear,             // y = x W^T + b
    Conv,               // 2-D convolution: stride, padding, dilation, groups
    ConvTranspose,      // 2-D transposed convolution, with outputPadding
    BatchNorm,          // running statistics; alpha = epsilon
    Relu,
    LeakyRelu,          // alpha = negative slope
    Elu,                // alpha
    Gelu,               // exact (erf) form
    Tanh,
    UpsampleNearest,    // sizes = {scale y, scale x}, integer factors
    PixelShuffle,       // N x C r^2 x H x W -> N x C x rH x rW: sizes = {r, C, H, W}
    Reshape,            // N x features -> N x sizes (the batch is kept)
    Crop,               // keep rows [0, sizes[0]) and columns [0, sizes[1])
    Sigmoid,
};

struct ExportOp {
    ExportOpKind kind = ExportOpKind::Relu;
    // Names into ExportPlan::tensors; empty when absent (a bias before batch norm).
    std::string weight, bias, runningMean, runningVar;
    std::vector<int64_t> stride, padding, dilation, outputPadding, kernel;  // 2 values each
    int64_t groups = 1;
    double alpha = 0.0;
    std::vector<int64_t> sizes;
};

struct ExportPlan {
    ModelOptions options;
    std::vector<ExportOp> encoder;   // image N x C x H x W in [0, 1] -> code N x latent
    std::vector<ExportOp> decoder;   // code N x latent -> image N x C x H x W in [0, 1]
    // float32, contiguous, detached copies, in a stable order; names are identifiers
    // ("encoder_0_weight") usable in TorchScript and ONNX alike.
    std::vector<std::pair<std::string, at::Tensor>> tensors;

    const at::Tensor &tensor(const std::string &name) const;
};

std::optional<ExportPlan> buildExportPlan(AutoencoderImpl &model, QString *error);

// What a user of an exported model needs besides the weights: how the images were made.
struct ExportMetadata {
    QStringList classNames;        // index = label; empty when unlabelled
    QString resize = QStringLiteral("crop");  // how other-size images were fitted: crop or letterbox
    QJsonObject anomaly;           // the run's anomaly.json (AnomalyThreshold::toJson); empty: none
};
// {"layout": "NCHW", "dtype": "float32", "range": [0, 1], "channels", "height", "width",
//  "color": "gray" | "rgb", "resize", "latent", "kind"}: written into every exported model.
QJsonObject preprocessingJson(const ModelOptions &options, const ExportMetadata &meta);

} // namespace aes
