// Anomaly scoring end to end through the real aestudio-cli: train on one class of a generated
// folder (`train --classes`), `score` it with each score kind (bad files skipped and named,
// one CSV row per image, unlike images scoring higher, heatmaps the input's size, the saved
// threshold's verdicts, IDX without labels), and `apply` (relative paths kept, never into
// the data or over an input). The error maps' blur is checked directly.

#include "anomaly/anomalyscore.h"
#include "anomaly/anomalythreshold.h"
#include "testutil.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace aes;

class TestAnomalyScore final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void classesTrainOnTheSubset();
    void unknownClassNamesTheKnownOnes();
    void scoreRanksUnlikeImagesHigher_data();
    void scoreRanksUnlikeImagesHigher();
    void heatmapsHaveTheInputSize();
    void masksGivePixelAuroc();
    void savedThresholdGivesVerdicts();
    void exportCarriesTheThreshold();
    void idxWithoutLabelsHasEmptyLabels();
    void applyKeepsRelativePaths();
    void applyNeverWritesIntoTheData();
    void errorMapBlurKeepsTheTotal();

private:
    using Result = test::ProgramResult;
    static Result run(const QStringList &args) { return test::runProgram(QStringLiteral(AES_CLI_PATH), args); }
    static QJsonObject readJson(const QString &path);
    QTemporaryDir m_dir;
    QString m_data;
    QString m_run;
};

QJsonObject TestAnomalyScore::readJson(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

namespace {
QByteArray png(const cv::Mat &img)
{
    std::vector<uchar> bytes;
    cv::imencode(".png", img, bytes);
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), int(bytes.size()));
}
} // namespace

void TestAnomalyScore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = m_dir.filePath(QStringLiteral("data"));
    m_run = m_dir.filePath(QStringLiteral("run"));
    // good: filled discs; bad: horizontal stripes, nothing like a disc.
    for (int i = 0; i < 30; ++i) {
        cv::Mat img(16, 16, CV_8UC1, cv::Scalar(0));
        cv::circle(img, {8, 8}, 3 + i % 4, cv::Scalar(255), -1);
        QVERIFY(test::writeFile(QStringLiteral("%1/good/%2.png").arg(m_data).arg(i), png(img)));
    }
    cv::Mat disc(16, 16, CV_8UC1, cv::Scalar(0));
    cv::circle(disc, {8, 8}, 4, cv::Scalar(255), -1);
    QVERIFY(test::writeFile(m_data + QStringLiteral("/good/a,\"b\".png"), png(disc)));
    for (int i = 0; i < 10; ++i) {
        cv::Mat img(16, 16, CV_8UC1, cv::Scalar(0));
        for (int r = i % 3; r < 16; r += 3)
            img.row(r).setTo(220);
        QVERIFY(test::writeFile(QStringLiteral("%1/bad/%2.png").arg(m_data).arg(i), png(img)));
    }
    QVERIFY(test::writeFile(m_data + QStringLiteral("/good/broken.png"), "this is not a png"));
    const Result r = run({QStringLiteral("train"), m_data, QStringLiteral("--classes"), QStringLiteral("good"),
                          QStringLiteral("--out"), m_run, QStringLiteral("--epochs"), QStringLiteral("6"),
                          QStringLiteral("--latent"), QStringLiteral("4"), QStringLiteral("--batch"), QStringLiteral("8"),
                          QStringLiteral("--schedule"), QStringLiteral("constant"),
                          QStringLiteral("--val-split"), QStringLiteral("0.1"), QStringLiteral("--no-knn"),
                          QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
}

void TestAnomalyScore::classesTrainOnTheSubset()
{
    const QJsonObject summary = readJson(m_run + QStringLiteral("/summary.json"));
    QCOMPARE(summary.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("classes")).toArray(),
             QJsonArray{QStringLiteral("good")});
    // 31 readable discs, none of the 10 stripes.
    QCOMPARE(summary.value(QStringLiteral("train_images")).toInt() + summary.value(QStringLiteral("val_images")).toInt(), 31);
}

void TestAnomalyScore::unknownClassNamesTheKnownOnes()
{
    const Result r = run({QStringLiteral("train"), m_data, QStringLiteral("--classes"), QStringLiteral("good,scratch"),
                          QStringLiteral("--out"), m_dir.filePath(QStringLiteral("never")), QStringLiteral("--epochs"), QStringLiteral("1")});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("\"scratch\"")) && r.err.contains(QStringLiteral("bad, good")), qPrintable(r.err));
    // Refused before writing: the folder can be used as it is.
    QVERIFY(test::filesUnder(m_dir.filePath(QStringLiteral("never"))).isEmpty());
}

void TestAnomalyScore::scoreRanksUnlikeImagesHigher_data()
{
    QTest::addColumn<QString>("kind");
    for (const QString &kind : scoreKindNames())
        QTest::newRow(qPrintable(kind)) << kind;
}

void TestAnomalyScore::scoreRanksUnlikeImagesHigher()
{
    QFETCH(QString, kind);
    const QString csv = m_dir.filePath(kind + QStringLiteral(".csv"));
    const Result r = run({QStringLiteral("score"), m_run, m_data, QStringLiteral("--out"), csv, QStringLiteral("--score"), kind,
                          QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("skipped 1")) && r.err.contains(QStringLiteral("broken.png")), qPrintable(r.err));

    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.first(), QStringLiteral("path,label,score"));
    QCOMPARE(lines.size(), 1 + 41);
    double good = 0.0, bad = 0.0;
    bool quoted = false;
    for (const QString &line : lines.mid(1)) {
        const QString label = line.section(QLatin1Char(','), -2, -2);
        const double score = line.section(QLatin1Char(','), -1).toDouble();
        (label == QLatin1String("bad") ? bad : good) += score;
        quoted = quoted || line.endsWith(QStringLiteral("/good/a,\"\"b\"\".png\",good,") + line.section(QLatin1Char(','), -1));
    }
    QVERIFY2(quoted, "a path with a comma and quotes is one quoted CSV field");
    QVERIFY2(bad / 10 > good / 31, qPrintable(QStringLiteral("mean score bad %1, good %2").arg(bad / 10).arg(good / 31)));

    const QJsonObject json = readJson(m_dir.filePath(kind + QStringLiteral(".json")));
    QCOMPARE(json.value(QStringLiteral("score")).toString(), kind);
    QCOMPARE(json.value(QStringLiteral("normal_classes")).toArray(), QJsonArray{QStringLiteral("good")});
    QCOMPARE(json.value(QStringLiteral("anomalous")).toInt(), 10);
    QCOMPARE(json.value(QStringLiteral("normal")).toInt(), 31);
    QVERIFY2(json.value(QStringLiteral("auroc")).toDouble() > 0.75, qPrintable(QString::number(json.value(QStringLiteral("auroc")).toDouble())));
}

void TestAnomalyScore::heatmapsHaveTheInputSize()
{
    const QString maps = m_dir.filePath(QStringLiteral("maps"));
    const Result r = run({QStringLiteral("score"), m_run, m_data, QStringLiteral("--out"), m_dir.filePath(QStringLiteral("m.csv")),
                          QStringLiteral("--maps"), maps, QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(test::filesUnder(maps).size(), 41);
    for (const char *name : {"good/0.png", "bad/3.png", "good/a,\"b\".png"}) {
        const QImage map(maps + QLatin1Char('/') + QLatin1String(name));
        QVERIFY2(!map.isNull(), name);
        QCOMPARE(map.size(), QSize(16, 16));
    }
    // A heatmap under the data would be read as an image next time.
    const Result inside = run({QStringLiteral("score"), m_run, m_data, QStringLiteral("--out"), m_dir.filePath(QStringLiteral("i.csv")),
                               QStringLiteral("--maps"), m_data + QStringLiteral("/maps")});
    QVERIFY(inside.exitCode != 0);
    QVERIFY(!QFileInfo::exists(m_data + QStringLiteral("/maps")));
}

void TestAnomalyScore::masksGivePixelAuroc()
{
    // MVTec AD layout: the defect's pixels (the stripes) marked in <defect>/<name>_mask.png;
    // good images have none (all normal); bad/9 has none either and is left out.
    const QString masks = m_dir.filePath(QStringLiteral("masks"));
    for (int i = 0; i < 9; ++i) {
        cv::Mat mask(16, 16, CV_8UC1, cv::Scalar(0));
        for (int r = i % 3; r < 16; r += 3)
            mask.row(r).setTo(255);
        QVERIFY(test::writeFile(QStringLiteral("%1/bad/%2_mask.png").arg(masks).arg(i), png(mask)));
    }
    const QString csv = m_dir.filePath(QStringLiteral("masked.csv"));
    const Result r = run({QStringLiteral("score"), m_run, m_data, QStringLiteral("--out"), csv, QStringLiteral("--masks"), masks});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject json = readJson(m_dir.filePath(QStringLiteral("masked.json")));
    QCOMPARE(json.value(QStringLiteral("pixel_auroc_images")).toInt(), 31 + 9);
    QVERIFY2(json.value(QStringLiteral("pixel_auroc")).toDouble() > 0.8, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("pixel AUROC")), qPrintable(r.err));
}

void TestAnomalyScore::savedThresholdGivesVerdicts()
{
    const QString copy = m_dir.filePath(QStringLiteral("run-threshold"));
    QVERIFY(QDir().mkpath(copy));
    QVERIFY(QFile::copy(m_run + QStringLiteral("/checkpoint.pt"), copy + QStringLiteral("/checkpoint.pt")));
    // Everything flagged: every anomalous image a true positive, every normal one a false one.
    QCOMPARE(writeAnomalyThreshold(copy, AnomalyThreshold{ScoreKind::Ssim, 2.0, -1.0}), QString());
    const QString csv = m_dir.filePath(QStringLiteral("t.csv"));
    const Result r = run({QStringLiteral("score"), copy, m_data, QStringLiteral("--out"), csv});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("(ssim)")), qPrintable(r.err));  // the saved kind when none is given
    const QJsonObject saved = readJson(m_dir.filePath(QStringLiteral("t.json"))).value(QStringLiteral("saved_threshold")).toObject();
    QCOMPARE(saved.value(QStringLiteral("flagged")).toInt(), 41);
    QCOMPARE(saved.value(QStringLiteral("true_positives")).toInt(), 10);
    QCOMPARE(saved.value(QStringLiteral("false_positives")).toInt(), 31);
    // Another kind: the threshold does not apply, and says so.
    const Result other = run({QStringLiteral("score"), copy, m_data, QStringLiteral("--out"), csv, QStringLiteral("--score"), QStringLiteral("mse")});
    QVERIFY2(other.exitCode == 0 && other.err.contains(QStringLiteral("not applied")), qPrintable(other.err));
}

void TestAnomalyScore::exportCarriesTheThreshold()
{
    const QString copy = m_dir.filePath(QStringLiteral("run-export"));
    QVERIFY(QDir().mkpath(copy));
    QVERIFY(QFile::copy(m_run + QStringLiteral("/checkpoint.pt"), copy + QStringLiteral("/checkpoint.pt")));
    const QString plain = m_dir.filePath(QStringLiteral("plain-onnx"));
    QVERIFY(run({QStringLiteral("export"), copy, QStringLiteral("--onnx"), plain}).exitCode == 0);
    QVERIFY(!QFileInfo::exists(plain + QStringLiteral("/anomaly.json")));  // no threshold, no file

    QCOMPARE(writeAnomalyThreshold(copy, AnomalyThreshold{ScoreKind::MaxSmoothed, 1.5, 0.25}), QString());
    const QString script = m_dir.filePath(QStringLiteral("model.pt"));
    const QString onnx = m_dir.filePath(QStringLiteral("onnx"));
    const Result r = run({QStringLiteral("export"), copy, QStringLiteral("--torchscript"), script, QStringLiteral("--onnx"), onnx});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject beside = readJson(onnx + QStringLiteral("/anomaly.json"));
    QCOMPARE(beside.value(QStringLiteral("threshold")).toDouble(), 0.25);
    QCOMPARE(beside.value(QStringLiteral("score")).toString(), QStringLiteral("max-smoothed"));
    torch::jit::ExtraFilesMap extra{{"anomaly.json", ""}};
    torch::jit::load(script.toStdString(), torch::kCPU, extra);
    const QJsonObject inside = QJsonDocument::fromJson(QByteArray::fromStdString(extra["anomaly.json"])).object();
    QCOMPARE(inside, beside);
}

void TestAnomalyScore::idxWithoutLabelsHasEmptyLabels()
{
    QByteArray idx = test::be32(0x00000803) + test::be32(3) + test::be32(16) + test::be32(16);
    for (int i = 0; i < 3; ++i)
        idx += QByteArray(16 * 16, char(i * 100));
    const QString path = m_dir.filePath(QStringLiteral("tiny-images-idx3-ubyte"));
    QVERIFY(test::writeFile(path, idx));
    const QString maps = m_dir.filePath(QStringLiteral("idxmaps"));
    const QString csv = m_dir.filePath(QStringLiteral("idx.csv"));
    const Result r = run({QStringLiteral("score"), m_run, path, QStringLiteral("--out"), csv, QStringLiteral("--maps"), maps});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines[2].startsWith(path + QStringLiteral("#1,,")), qPrintable(lines[2]));
    QCOMPARE(test::filesUnder(maps), (QStringList{"0.png", "1.png", "2.png"}));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("idx.json"))));
}

void TestAnomalyScore::applyKeepsRelativePaths()
{
    const QString out = m_dir.filePath(QStringLiteral("applied"));
    const Result r = run({QStringLiteral("apply"), m_run, m_data, QStringLiteral("--out"), out});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("broken.png")), qPrintable(r.err));
    QCOMPARE(test::filesUnder(out).size(), 41);
    const QImage disc(out + QStringLiteral("/good/5.png"));
    QCOMPARE(disc.size(), QSize(16, 16));
    // The reconstruction of a disc is bright in the middle and dark in the corner.
    QVERIFY(qGray(disc.pixel(8, 8)) > 128 && qGray(disc.pixel(0, 0)) < 64);
}

void TestAnomalyScore::applyNeverWritesIntoTheData()
{
    const QStringList before = test::filesUnder(m_data);
    const QString link = m_dir.filePath(QStringLiteral("link-to-data"));
    QVERIFY(QFile::link(m_data, link));
    for (const QString &out : {m_data, m_data + QStringLiteral("/good"), m_data + QStringLiteral("/new"), link}) {
        const Result r = run({QStringLiteral("apply"), m_run, m_data, QStringLiteral("--out"), out});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("outside the data")) || r.err.contains(QStringLiteral("input image")), qPrintable(r.err));
    }
    QCOMPARE(test::filesUnder(m_data), before);
}

void TestAnomalyScore::errorMapBlurKeepsTheTotal()
{
    // One wrong pixel in the middle: the blur spreads it (the peak drops) and keeps its total.
    torch::Tensor x = torch::zeros({1, 1, 21, 21});
    torch::Tensor r = x.clone();
    r[0][0][10][10] = 1.0;
    const torch::Tensor sharp = errorMaps(x, r, 0.0);
    const torch::Tensor blurred = errorMaps(x, r, 2.0);
    QCOMPARE(blurred.sizes(), sharp.sizes());
    QCOMPARE(sharp.max().item<float>(), 1.0f);
    QVERIFY(blurred.max().item<float>() < 0.1f);
    QVERIFY(std::abs(blurred.sum().item<float>() - 1.0f) < 1e-4f);
    QCOMPARE(blurred.argmax().item<int64_t>(), int64_t(10 * 21 + 10));
}

QTEST_GUILESS_MAIN(TestAnomalyScore)
#include "tst_anomalyscore.moc"
