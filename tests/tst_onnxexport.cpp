// ONNX export: for every model kind, an odd image size and colour, encoder.onnx and
// decoder.onnx pass onnx::checker, declare image/latent with a dynamic batch "N", and
// OpenCV's DNN module runs them to LibTorch's numbers (max abs difference <= 1e-4) at
// batch 1 and 3. An unwritable folder is named and leaves no file.

#include "model/autoencoder.h"
#include "export/onnxexport.h"

#include <torch/torch.h>

#include <onnx/onnx_pb.h>
#include <opencv2/dnn.hpp>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include "testmodels.h"

#include <QTest>

using namespace aes;


namespace {

torch::Tensor runOpenCv(const QString &path, const torch::Tensor &input)
{
    cv::dnn::Net net = cv::dnn::readNetFromONNX(path.toStdString());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    const torch::Tensor in = input.contiguous();
    const std::vector<int> dims(in.sizes().begin(), in.sizes().end());
    net.setInput(cv::Mat(int(dims.size()), dims.data(), CV_32F, in.data_ptr<float>()));
    const cv::Mat out = net.forward();
    const std::vector<int64_t> shape(out.size.p, out.size.p + out.dims);
    return torch::from_blob(out.data, shape, torch::kFloat32).clone();
}

onnx::ModelProto readModel(const QString &path)
{
    QFile file(path);
    onnx::ModelProto model;
    if (file.open(QIODevice::ReadOnly)) {
        const QByteArray data = file.readAll();
        model.ParseFromArray(data.constData(), int(data.size()));
    }
    return model;
}

QString shapeOf(const onnx::ValueInfoProto &value)
{
    QStringList dims;
    for (const auto &d : value.type().tensor_type().shape().dim())
        dims << (d.has_dim_param() ? QString::fromStdString(d.dim_param()) : QString::number(d.dim_value()));
    return QString::fromStdString(value.name()) + QLatin1Char(':') + dims.join(QLatin1Char('x'));
}

} // namespace

class TestOnnxExport final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void openCvRunsItToLibTorchsNumbers_data();
    void openCvRunsItToLibTorchsNumbers();
    void unwritableFolderIsNamedAndLeavesNoFile();
};

void TestOnnxExport::openCvRunsItToLibTorchsNumbers_data()
{
    test::addExportRows();
}

void TestOnnxExport::openCvRunsItToLibTorchsNumbers()
{
    QFETCH(ModelKind, kind);
    QFETCH(int, channels);
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(Activation, activation);
    QFETCH(bool, batchNorm);
    const ModelOptions o = test::smallModelOptions(kind, channels, height, width, activation, batchNorm);
    Autoencoder model = test::trainedLikeModel(o, 5);

    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("onnx"));  // created by the export
    const QString error = exportOnnx(*model, out);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QString encoderPath = QDir(out).filePath(QLatin1String(kOnnxEncoderFile));
    const QString decoderPath = QDir(out).filePath(QLatin1String(kOnnxDecoderFile));
    QCOMPARE(checkOnnxFile(encoderPath), QString());
    QCOMPARE(checkOnnxFile(decoderPath), QString());

    const onnx::ModelProto encoder = readModel(encoderPath), decoder = readModel(decoderPath);
    QVERIFY(encoder.opset_import_size() == 1 && encoder.opset_import(0).version() >= 13);
    const QString image = QStringLiteral("image:Nx%1x%2x%3").arg(channels).arg(height).arg(width);
    const QString latent = QStringLiteral("latent:Nx6");
    QCOMPARE(shapeOf(encoder.graph().input(0)), image);
    QCOMPARE(shapeOf(encoder.graph().output(0)), latent);
    QCOMPARE(shapeOf(decoder.graph().input(0)), latent);
    QCOMPARE(shapeOf(decoder.graph().output(0)), image);
    QCOMPARE(encoder.metadata_props(0).key(), std::string("preprocessing"));
    const QJsonObject pre = QJsonDocument::fromJson(QByteArray::fromStdString(encoder.metadata_props(0).value())).object();
    QCOMPARE(pre.value(QStringLiteral("width")).toInt(), width);

    torch::NoGradGuard noGrad;
    for (int batch : {1, 3}) {
        const torch::Tensor x = torch::rand({batch, channels, height, width});
        const torch::Tensor z = model->encode(x);
        const torch::Tensor y = model->decode(z);
        const torch::Tensor zCv = runOpenCv(encoderPath, x);
        const torch::Tensor yCv = runOpenCv(decoderPath, z);
        QCOMPARE(zCv.sizes().vec(), z.sizes().vec());
        QCOMPARE(yCv.sizes().vec(), y.sizes().vec());
        const double zDiff = (zCv - z).abs().max().item<double>();
        const double yDiff = (yCv - y).abs().max().item<double>();
        QVERIFY2(zDiff <= 1e-4, qPrintable(QStringLiteral("batch %1: latent differs by %2").arg(batch).arg(zDiff)));
        QVERIFY2(yDiff <= 1e-4, qPrintable(QStringLiteral("batch %1: image differs by %2").arg(batch).arg(yDiff)));
        // Outputs that vary with the input: a constant model would match nothing here.
        if (batch == 3)
            QVERIFY((z[0] - z[1]).abs().max().item<double>() > 1e-4);
    }
}

void TestOnnxExport::unwritableFolderIsNamedAndLeavesNoFile()
{
    Autoencoder model = test::trainedLikeModel(test::smallModelOptions(ModelKind::Conv, 1, 12, 12, Activation::ReLU, true), 5);
    QTemporaryDir dir;
    // decoder.onnx cannot be written (a folder of that name is in the way): encoder.onnx
    // must not be left behind either, since both are checked and built before writing.
    QVERIFY(QDir(dir.path()).mkpath(QLatin1String(kOnnxDecoderFile)));
    const QString error = exportOnnx(*model, dir.path());
    QVERIFY2(error.contains(QDir(dir.path()).filePath(QLatin1String(kOnnxDecoderFile))), qPrintable(error));
    QVERIFY(!QFileInfo::exists(QDir(dir.path()).filePath(QLatin1String(kOnnxEncoderFile))));

    // A folder below a file cannot be created: named.
    QFile file(dir.filePath(QStringLiteral("file")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString below = dir.filePath(QStringLiteral("file/onnx"));
    QVERIFY(exportOnnx(*model, below).contains(below));
}

QTEST_GUILESS_MAIN(TestOnnxExport)
#include "tst_onnxexport.moc"
