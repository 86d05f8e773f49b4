// TorchScript export: the archive reloaded with torch::jit::load gives the app's numbers
// (encode, decode, forward) for every model kind, size and activation; it carries the
// preprocessing as extra files; a wrong input is refused with a message; an unwritable
// destination is named and leaves no file behind.
//
// With AES_EXPORT_REFERENCE_DIR set, the archives and the app's outputs are also kept
// there (reference-<row>.pt, model-<row>.pt) for bench/check_torchscript_python.sh.

#include "model/autoencoder.h"
#include "export/torchscriptexport.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include "testmodels.h"

#include <QTest>

#include <fstream>

using namespace aes;


namespace {

double maxAbsDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class TestTorchScriptExport final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reloadedModelGivesTheAppsNumbers_data();
    void reloadedModelGivesTheAppsNumbers();
    void extraFilesCarryThePreprocessing();
    void wrongInputIsRefusedWithAMessage();
    void unwritableDestinationIsNamedAndLeavesNoFile();
};

void TestTorchScriptExport::reloadedModelGivesTheAppsNumbers_data()
{
    test::addExportRows();
}

void TestTorchScriptExport::reloadedModelGivesTheAppsNumbers()
{
    QFETCH(ModelKind, kind);
    QFETCH(int, channels);
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(Activation, activation);
    QFETCH(bool, batchNorm);
    const ModelOptions o = test::smallModelOptions(kind, channels, height, width, activation, batchNorm);
    Autoencoder model = test::trainedLikeModel(o, 3);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("model.pt"));
    const QString error = exportTorchScript(*model, path);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    torch::jit::Module loaded = torch::jit::load(path.toStdString());
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::rand({4, channels, height, width});
    const torch::Tensor z = model->encode(x);
    const torch::Tensor decoded = model->decode(z);
    const torch::Tensor reconstructed = model->forward(x);
    const torch::Tensor zScript = loaded.run_method("encode", x).toTensor();
    const torch::Tensor decodedScript = loaded.run_method("decode", z).toTensor();
    const torch::Tensor reconstructedScript = loaded.forward({x}).toTensor();
    QCOMPARE(zScript.sizes().vec(), z.sizes().vec());
    QCOMPARE(decodedScript.sizes().vec(), x.sizes().vec());
    QCOMPARE(reconstructedScript.sizes().vec(), x.sizes().vec());
    QVERIFY2(maxAbsDiff(zScript, z) <= 1e-5, qPrintable(QString::number(maxAbsDiff(zScript, z))));
    QVERIFY2(maxAbsDiff(decodedScript, decoded) <= 1e-5, qPrintable(QString::number(maxAbsDiff(decodedScript, decoded))));
    QVERIFY2(maxAbsDiff(reconstructedScript, reconstructed) <= 1e-5,
             qPrintable(QString::number(maxAbsDiff(reconstructedScript, reconstructed))));
    // The codes vary with the input: a model that ignored it would pass the comparisons above.
    QVERIFY(maxAbsDiff(z[0], z[1]) > 1e-4);
    // Batch size is free: one image gives the same code as in the batch.
    QVERIFY(maxAbsDiff(loaded.run_method("encode", x.slice(0, 0, 1)).toTensor(), z.slice(0, 0, 1)) <= 1e-5);

    // Kept for the Python check (bench/check_torchscript_python.sh).
    const QString referenceDir = qEnvironmentVariable("AES_EXPORT_REFERENCE_DIR");
    if (!referenceDir.isEmpty()) {
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        QVERIFY(QFile::copy(path, QDir(referenceDir).filePath(QStringLiteral("model-%1.pt").arg(tag))));
        c10::Dict<std::string, torch::Tensor> reference;
        reference.insert("x", x);
        reference.insert("z", z);
        reference.insert("decoded", decoded);
        reference.insert("reconstructed", reconstructed);
        const std::vector<char> bytes = torch::pickle_save(reference);
        std::ofstream out(QDir(referenceDir).filePath(QStringLiteral("reference-%1.pt").arg(tag)).toStdString(),
                          std::ios::binary);
        out.write(bytes.data(), std::streamsize(bytes.size()));
        QVERIFY(out.good());
    }
}

void TestTorchScriptExport::extraFilesCarryThePreprocessing()
{
    ModelOptions o = test::smallModelOptions(ModelKind::Vae, 3, 20, 31, Activation::ELU);
    Autoencoder model = test::trainedLikeModel(o, 3);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("model.pt"));
    ExportMetadata meta;
    meta.classNames = {QStringLiteral("cat"), QStringLiteral("dog")};
    meta.resize = QStringLiteral("letterbox");
    QCOMPARE(exportTorchScript(*model, path, meta), QString());

    torch::jit::ExtraFilesMap extra{{"preprocessing.json", ""}, {"class_names.json", ""}, {"model_options.json", ""}};
    torch::jit::load(path.toStdString(), c10::nullopt, extra);
    const QJsonObject pre = QJsonDocument::fromJson(QByteArray::fromStdString(extra["preprocessing.json"])).object();
    QCOMPARE(pre.value(QStringLiteral("channels")).toInt(), 3);
    QCOMPARE(pre.value(QStringLiteral("height")).toInt(), 20);
    QCOMPARE(pre.value(QStringLiteral("width")).toInt(), 31);
    QCOMPARE(pre.value(QStringLiteral("layout")).toString(), QStringLiteral("NCHW"));
    QCOMPARE(pre.value(QStringLiteral("color")).toString(), QStringLiteral("rgb"));
    QCOMPARE(pre.value(QStringLiteral("resize")).toString(), QStringLiteral("letterbox"));
    QCOMPARE(pre.value(QStringLiteral("range")).toArray(), (QJsonArray{0, 1}));
    const QJsonArray classes = QJsonDocument::fromJson(QByteArray::fromStdString(extra["class_names.json"])).array();
    QCOMPARE(classes, (QJsonArray{QStringLiteral("cat"), QStringLiteral("dog")}));
    QString error;
    const std::optional<ModelOptions> stored = ModelOptions::fromJson(
        QJsonDocument::fromJson(QByteArray::fromStdString(extra["model_options.json"])).object(), &error);
    QVERIFY2(stored, qPrintable(error));
    QCOMPARE(stored->toJson(), o.toJson());
}

void TestTorchScriptExport::wrongInputIsRefusedWithAMessage()
{
    Autoencoder model = test::trainedLikeModel(test::smallModelOptions(ModelKind::Conv, 1, 25, 25, Activation::ReLU), 3);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("model.pt"));
    QCOMPARE(exportTorchScript(*model, path), QString());
    torch::jit::Module loaded = torch::jit::load(path.toStdString());
    try {
        loaded.run_method("encode", torch::rand({2, 3, 25, 25}));
        QFAIL("a 3-channel image was accepted by a 1-channel model");
    } catch (const std::exception &e) {  // torch::jit::JITException
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("N x 1 x 25 x 25")), e.what());
    }
}

void TestTorchScriptExport::unwritableDestinationIsNamedAndLeavesNoFile()
{
    Autoencoder model = test::trainedLikeModel(test::smallModelOptions(ModelKind::Dense, 1, 8, 8, Activation::ReLU), 3);
    QTemporaryDir dir;
    // A path whose parent is a file cannot be written.
    const QString blocker = dir.filePath(QStringLiteral("not-a-folder"));
    QFile f(blocker);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("previous");
    f.close();
    const QString path = blocker + QStringLiteral("/model.pt");
    const QString error = exportTorchScript(*model, path);
    QVERIFY(error.contains(path));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList{QStringLiteral("not-a-folder")});
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("previous"));
}

QTEST_GUILESS_MAIN(TestTorchScriptExport)
#include "tst_torchscriptexport.moc"
