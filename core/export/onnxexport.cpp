#include "export/onnxexport.h"

#include "model/autoencoder.h"
#include "util/atomicfile.h"

#include <torch/torch.h>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <memory>
#include <set>

namespace aes {

namespace {

// Builds one graph: initializers, nodes and unique value names.
class GraphBuilder {
public:
    GraphBuilder(onnx::GraphProto *graph, const ExportPlan &plan) : m_graph(graph), m_plan(plan) {}

    std::string fresh(const std::string &hint) { return hint + "_" + std::to_string(m_counter++); }

    // A weight of the plan, added once as an initializer.
    std::string weight(const std::string &name)
    {
        if (m_added.insert(name).second) {
            const at::Tensor &t = m_plan.tensor(name);
            addFloat(name, t.sizes().vec(), t.data_ptr<float>(), size_t(t.numel()));
        }
        return name;
    }

    std::string floats(const std::string &hint, const std::vector<int64_t> &dims, const std::vector<float> &values)
    {
        const std::string name = fresh(hint);
        addFloat(name, dims, values.data(), values.size());
        return name;
    }

    std::string int64s(const std::string &hint, const std::vector<int64_t> &values)
    {
        const std::string name = fresh(hint);
        onnx::TensorProto *t = m_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(int64_t(values.size()));
        for (int64_t v : values)
            t->add_int64_data(v);
        return name;
    }

    onnx::NodeProto *node(const std::string &op, const std::vector<std::string> &inputs, const std::string &output)
    {
        onnx::NodeProto *n = m_graph->add_node();
        n->set_op_type(op);
        n->set_name(fresh(op));
        for (const std::string &in : inputs)
            n->add_input(in);
        n->add_output(output);
        return n;
    }

    // Applies op to the value x; returns the name of the result (finalName for the last op).
    std::string apply(const ExportOp &op, const std::string &x, const std::string &finalName);

private:
    void addFloat(const std::string &name, const std::vector<int64_t> &dims, const float *data, size_t count)
    {
        onnx::TensorProto *t = m_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        for (int64_t d : dims)
            t->add_dims(d);
        // raw_data is little-endian; so is every machine this runs on.
        t->set_raw_data(reinterpret_cast<const char *>(data), count * sizeof(float));
    }

    onnx::GraphProto *m_graph;
    const ExportPlan &m_plan;
    std::set<std::string> m_added;
    int m_counter = 0;
};

void setInts(onnx::NodeProto *n, const char *name, const std::vector<int64_t> &values)
{
    onnx::AttributeProto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
        a->add_ints(v);
}

void setInt(onnx::NodeProto *n, const char *name, int64_t value)
{
    onnx::AttributeProto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
}

void setFloat(onnx::NodeProto *n, const char *name, double value)
{
    onnx::AttributeProto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(float(value));
}

void setString(onnx::NodeProto *n, const char *name, const std::string &value)
{
    onnx::AttributeProto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(value);
}

std::string GraphBuilder::apply(const ExportOp &op, const std::string &x, const std::string &finalName)
{
    const auto out = [&](const char *hint) { return finalName.empty() ? fresh(hint) : finalName; };
    switch (op.kind) {
    case ExportOpKind::PadBottomRight: {
        // Pads: begin of each axis, then end of each axis (N, C, H, W).
        const std::string pads = int64s("pads", {0, 0, 0, 0, 0, 0, op.sizes[0], op.sizes[1]});
        const std::string y = out("padded");
        setString(node("Pad", {x, pads}, y), "mode", "constant");
        return y;
    }
    case ExportOpKind::Flatten: {
        const std::string y = out("flat");
        setInt(node("Flatten", {x}, y), "axis", 1);
        return y;
    }
    case ExportOpKind::Linear: {
        std::vector<std::string> inputs{x, weight(op.weight)};
        if (!op.bias.empty())
            inputs.push_back(weight(op.bias));
        const std::string y = out("linear");
        setInt(node("Gemm", inputs, y), "transB", 1);
        return y;
    }
    case ExportOpKind::Conv:
    case ExportOpKind::ConvTranspose: {
        std::vector<std::string> inputs{x, weight(op.weight)};
        if (!op.bias.empty())
            inputs.push_back(weight(op.bias));
        const bool transposed = op.kind == ExportOpKind::ConvTranspose;
        const std::string y = out(transposed ? "deconv" : "conv");
        onnx::NodeProto *n = node(transposed ? "ConvTranspose" : "Conv", inputs, y);
        setInts(n, "kernel_shape", op.kernel);
        setInts(n, "strides", op.stride);
        setInts(n, "pads", {op.padding[0], op.padding[1], op.padding[0], op.padding[1]});
        setInts(n, "dilations", op.dilation);
        setInt(n, "group", op.groups);
        if (transposed)
            setInts(n, "output_padding", op.outputPadding);
        return y;
    }
    case ExportOpKind::BatchNorm: {
        const std::string y = out("bn");
        onnx::NodeProto *n = node("BatchNormalization", {x, weight(op.weight), weight(op.bias),
                                                         weight(op.runningMean), weight(op.runningVar)}, y);
        setFloat(n, "epsilon", op.alpha);
        return y;
    }
    case ExportOpKind::Relu: {
        const std::string y = out("relu");
        node("Relu", {x}, y);
        return y;
    }
    case ExportOpKind::LeakyRelu: {
        const std::string y = out("leaky");
        setFloat(node("LeakyRelu", {x}, y), "alpha", op.alpha);
        return y;
    }
    case ExportOpKind::Elu: {
        const std::string y = out("elu");
        setFloat(node("Elu", {x}, y), "alpha", op.alpha);
        return y;
    }
    case ExportOpKind::Gelu: {
        // No Gelu operator before opset 20: 0.5 x (1 + erf(x / sqrt 2)), as PyTorch exports it.
        const std::string scaled = fresh("gelu_scaled"), erf = fresh("gelu_erf"), onePlus = fresh("gelu_1p"),
                          product = fresh("gelu_prod"), y = out("gelu");
        node("Mul", {x, floats("inv_sqrt2", {1}, {float(M_SQRT1_2)})}, scaled);
        node("Erf", {scaled}, erf);
        node("Add", {erf, floats("one", {1}, {1.0f})}, onePlus);
        node("Mul", {x, onePlus}, product);
        node("Mul", {product, floats("half", {1}, {0.5f})}, y);
        return y;
    }
    case ExportOpKind::Tanh: {
        const std::string y = out("tanh");
        node("Tanh", {x}, y);
        return y;
    }
    case ExportOpKind::UpsampleNearest: {
        // Constant scales and no roi: the form OpenCV's importer reads. "asymmetric" + "floor"
        // is PyTorch's nearest: source index = floor(destination / scale).
        const std::string scales = floats("scales", {4}, {1.0f, 1.0f, float(op.sizes[0]), float(op.sizes[1])});
        const std::string y = out("upsampled");
        onnx::NodeProto *n = node("Resize", {x, "", scales}, y);
        setString(n, "mode", "nearest");
        setString(n, "coordinate_transformation_mode", "asymmetric");
        setString(n, "nearest_mode", "floor");
        return y;
    }
    case ExportOpKind::PixelShuffle: {
        // PixelShuffle as reshape -> transpose -> reshape with constant shapes (batch kept
        // by 0): DepthToSpace ("CRD") needs the input shape, which OpenCV's importer cannot
        // infer with a dynamic batch.
        const int64_t r = op.sizes[0], c = op.sizes[1], h = op.sizes[2], w = op.sizes[3];
        const std::string split = fresh("shuffle_split"), moved = fresh("shuffle_moved"), y = out("shuffled");
        node("Reshape", {x, int64s("shape", {0, c, r, r, h, w})}, split);
        setInts(node("Transpose", {split}, moved), "perm", {0, 1, 4, 2, 5, 3});
        node("Reshape", {moved, int64s("shape", {0, c, h * r, w * r})}, y);
        return y;
    }
    case ExportOpKind::Reshape: {
        // 0 keeps the batch size (dynamic), the rest is constant.
        std::vector<int64_t> shape{0};
        shape.insert(shape.end(), op.sizes.begin(), op.sizes.end());
        const std::string y = out("reshaped");
        node("Reshape", {x, int64s("shape", shape)}, y);
        return y;
    }
    case ExportOpKind::Crop: {
        const std::string y = out("cropped");
        node("Slice", {x, int64s("starts", {0, 0}), int64s("ends", {op.sizes[0], op.sizes[1]}),
                       int64s("axes", {2, 3})}, y);
        return y;
    }
    case ExportOpKind::Sigmoid: {
        const std::string y = out("sigmoid");
        node("Sigmoid", {x}, y);
        return y;
    }
    }
    return x;
}

void setTensorType(onnx::ValueInfoProto *value, const std::string &name, const std::vector<int64_t> &dims)
{
    value->set_name(name);
    onnx::TypeProto_Tensor *type = value->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto *shape = type->mutable_shape();
    shape->add_dim()->set_dim_param("N");  // the batch: any size
    for (int64_t d : dims)
        shape->add_dim()->set_dim_value(d);
}

onnx::ModelProto buildModel(const ExportPlan &plan, bool encoder, const ExportMetadata &meta)
{
    const ModelOptions &o = plan.options;
    onnx::ModelProto model;
    model.set_ir_version(7);  // the IR of opset 13
    model.set_producer_name("Autoencoder Studio");
    model.set_producer_version(AES_VERSION);
    model.set_model_version(1);
    model.set_doc_string(encoder ? "Autoencoder encoder: image (N x C x H x W, float32 in [0, 1]) -> latent"
                                 : "Autoencoder decoder: latent -> image (N x C x H x W, float32 in [0, 1])");
    onnx::OperatorSetIdProto *opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOnnxOpset);
    const auto addMeta = [&](const char *key, const QJsonDocument &value) {
        onnx::StringStringEntryProto *p = model.add_metadata_props();
        p->set_key(key);
        p->set_value(value.toJson(QJsonDocument::Compact).toStdString());
    };
    addMeta("preprocessing", QJsonDocument(preprocessingJson(o, meta)));
    addMeta("class_names", QJsonDocument(QJsonArray::fromStringList(meta.classNames)));
    addMeta("model_options", QJsonDocument(o.toJson()));

    onnx::GraphProto *graph = model.mutable_graph();
    graph->set_name(encoder ? "encoder" : "decoder");
    const std::vector<int64_t> imageDims{o.channels, o.height, o.width}, latentDims{o.latent};
    const std::string input = encoder ? "image" : "latent", output = encoder ? "latent" : "image";
    setTensorType(graph->add_input(), input, encoder ? imageDims : latentDims);
    setTensorType(graph->add_output(), output, encoder ? latentDims : imageDims);

    GraphBuilder builder(graph, plan);
    const std::vector<ExportOp> &ops = encoder ? plan.encoder : plan.decoder;
    std::string x = input;
    for (size_t i = 0; i < ops.size(); ++i)
        x = builder.apply(ops[i], x, i + 1 == ops.size() ? output : std::string());
    return model;
}

} // namespace

QString exportOnnx(AutoencoderImpl &model, const QString &dir, const ExportMetadata &meta)
{
    const QDir out(dir);
    const QString paths[2] = {out.filePath(QLatin1String(kOnnxEncoderFile)), out.filePath(QLatin1String(kOnnxDecoderFile))};
    QString error;
    const std::optional<ExportPlan> plan = buildExportPlan(model, &error);
    if (!plan)
        return QStringLiteral("%1: %2").arg(dir, error);
    std::string bytes[2];
    for (int i = 0; i < 2; ++i) {
        try {
            const onnx::ModelProto proto = buildModel(*plan, /*encoder=*/i == 0, meta);
            onnx::checker::check_model(proto);
            if (!proto.SerializeToString(&bytes[i]))
                return QStringLiteral("cannot serialise %1").arg(paths[i]);
        } catch (const std::exception &e) {
            // A checker failure is a bug in this exporter: name it so that it can be reported.
            return QStringLiteral("the ONNX model for %1 is invalid: %2").arg(paths[i], QString::fromUtf8(e.what()));
        }
    }
    if (!QDir().mkpath(dir))
        return QStringLiteral("cannot create the directory %1").arg(dir);
    // Both to temporary files first, renamed only when both are complete: a failure leaves
    // no file of this export (the QSaveFiles not committed remove their temporary files).
    std::unique_ptr<QSaveFile> files[2];
    for (int i = 0; i < 2; ++i) {
        files[i] = std::make_unique<QSaveFile>(paths[i]);
        if (!files[i]->open(QIODevice::WriteOnly))
            return QStringLiteral("cannot write %1: %2").arg(paths[i], files[i]->errorString());
        if (files[i]->write(bytes[i].data(), qint64(bytes[i].size())) != qint64(bytes[i].size())) {
            const QString reason = files[i]->errorString();
            files[i]->cancelWriting();
            return QStringLiteral("cannot write %1: %2").arg(paths[i], reason);
        }
    }
    for (int i = 0; i < 2; ++i)
        if (QString e = verifySaveFile(*files[i]); !e.isEmpty())
            return e;
    for (int i = 0; i < 2; ++i)
        if (QString e = commitSaveFile(*files[i]); !e.isEmpty())
            return e;
    return {};
}

QString checkOnnxFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    const QByteArray data = file.readAll();
    onnx::ModelProto model;
    if (!model.ParseFromArray(data.constData(), int(data.size())))
        return QStringLiteral("%1 is not an ONNX model").arg(path);
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception &e) {
        return QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what()));
    }
    return {};
}

} // namespace aes
