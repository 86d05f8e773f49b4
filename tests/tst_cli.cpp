// aestudio-cli end to end on a generated folder: the run directory's files, encode's
// TSV, and one-line reasons with a non-zero exit for bad arguments or data.

#include "testutil.h"
#include "training/distributed.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

class TestCli final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void trainWritesTheRunDirectory();
    void encodeWritesOneRowPerImage();
    void similarFindsTheQueryFirstInBruteForceOrder();
    void resumeContinuesTheRun();
    void exportWritesEveryFormat();
    void helpForEveryCommand_data();
    void helpForEveryCommand();
    void badArgumentsGiveOneLineAndNonZero_data();
    void badArgumentsGiveOneLineAndNonZero();
    void benchQuickJsonHasEveryRow();
    void trainNeverReplacesARunByAccident();
    void runsListsEveryRunAndNamesDamagedOnes();
    void runsShowsTheEpochEarlyStoppingKept();

private:
    using Result = aes::test::ProgramResult;
    static Result run(const QStringList &args) { return aes::test::runProgram(QStringLiteral(AES_CLI_PATH), args); }
    QTemporaryDir m_dir;
    QString m_data;
    QString m_runDir;
};

void TestCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = m_dir.filePath(QStringLiteral("images"));
    m_runDir = m_dir.filePath(QStringLiteral("run"));
    const char *classes[] = {"circle", "square", "stripes"};
    for (int k = 0; k < 3; ++k) {
        for (int i = 0; i < 20; ++i) {
            cv::Mat img(16, 16, CV_8UC1, cv::Scalar(0));
            if (k == 0)
                cv::circle(img, {8, 8}, 3 + i % 4, cv::Scalar(255), -1);
            else if (k == 1)
                cv::rectangle(img, {2 + i % 3, 2 + i % 3}, {12, 12}, cv::Scalar(255), -1);
            else
                for (int r = i % 2; r < 16; r += 3)
                    img.row(r).setTo(200);
            std::vector<uchar> png;
            cv::imencode(".png", img, png);
            QVERIFY(aes::test::writeFile(QStringLiteral("%1/%2/%3.png").arg(m_data, QLatin1String(classes[k])).arg(i),
                                         QByteArray(reinterpret_cast<const char *>(png.data()), int(png.size()))));
        }
    }
    QVERIFY(aes::test::writeFile(m_data + QStringLiteral("/square/broken.png"), "this is not a png"));
}

void TestCli::trainWritesTheRunDirectory()
{
    const Result r = run({QStringLiteral("train"), m_data, QStringLiteral("--out"), m_runDir,
                          QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--latent"), QStringLiteral("4"),
                          QStringLiteral("--batch"), QStringLiteral("8"), QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("epoch 2/2")));

    QFile history(m_runDir + QStringLiteral("/history.csv"));
    QVERIFY(history.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(history.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    const QStringList columns = lines[0].split(QLatin1Char(','));
    for (const char *c : {"epoch", "train_loss", "val_loss", "val_psnr", "seconds"})
        QVERIFY2(columns.contains(QLatin1String(c)), c);
    const QStringList row2 = lines[2].split(QLatin1Char(','));
    QCOMPARE(row2[0], QStringLiteral("2"));
    const double seconds1 = lines[1].split(QLatin1Char(','))[columns.indexOf(QStringLiteral("seconds"))].toDouble();
    const double seconds2 = row2[columns.indexOf(QStringLiteral("seconds"))].toDouble();
    QVERIFY(seconds2 > seconds1 && seconds1 > 0.0);  // cumulative

    QFile summaryFile(m_runDir + QStringLiteral("/summary.json"));
    QVERIFY(summaryFile.open(QIODevice::ReadOnly));
    const QJsonObject s = QJsonDocument::fromJson(summaryFile.readAll()).object();
    QCOMPARE(s.value(QStringLiteral("images")).toInt(), 60);
    QCOMPARE(s.value(QStringLiteral("skipped")).toInt(), 1);
    for (const char *key : {"load_seconds", "train_seconds", "images_per_second", "final_train_loss",
                            "final_val_loss", "val_psnr", "val_ssim", "knn_accuracy"}) {
        QVERIFY2(s.value(QLatin1String(key)).isDouble(), key);
    }
    QVERIFY(s.value(QStringLiteral("images_per_second")).toDouble() > 0.0);
    QCOMPARE(s.value(QStringLiteral("model")).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("conv"));
    QCOMPARE(s.value(QStringLiteral("model")).toObject().value(QStringLiteral("latent")).toInt(), 4);
    // What was not given follows the data (16x16 gray, 54 training images): said, and recorded.
    QVERIFY2(r.err.contains(QStringLiteral("defaults for 16x16x1, 54 training images: widths 8,16, cosine schedule")),
             qPrintable(r.err));
    const QJsonObject training = s.value(QStringLiteral("training")).toObject();
    QCOMPARE(training.value(QStringLiteral("batch")).toInt(), 8);
    QCOMPARE(training.value(QStringLiteral("epochs")).toInt(), 2);
    QCOMPARE(training.value(QStringLiteral("schedule")).toString(), QStringLiteral("cosine"));

    QFile report(m_runDir + QStringLiteral("/load-report.txt"));
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QString reportText = QString::fromUtf8(report.readAll());
    QVERIFY2(reportText.contains(QStringLiteral("broken.png")), qPrintable(reportText));
    QCOMPARE(reportText.trimmed().split(QLatin1Char('\n')).size(), 1);
    QVERIFY(QFile::exists(m_runDir + QStringLiteral("/checkpoint.pt")));
}

void TestCli::similarFindsTheQueryFirstInBruteForceOrder()
{
    if (!QFile::exists(m_runDir + QStringLiteral("/checkpoint.pt")))
        QSKIP("needs the run of trainWritesTheRunDirectory");
    // Brute force from encode's codes: the distance of every image to circle/3.png's code.
    const QString codesTsv = m_dir.filePath(QStringLiteral("similar-codes.tsv"));
    QCOMPARE(run({QStringLiteral("encode"), m_runDir, m_data, QStringLiteral("--out"), codesTsv}).exitCode, 0);
    QFile codesFile(codesTsv);
    QVERIFY(codesFile.open(QIODevice::ReadOnly));
    QStringList rows = QString::fromUtf8(codesFile.readAll()).trimmed().split(QLatin1Char('\n'));
    rows.removeFirst();
    const QString query = QDir(m_data).absoluteFilePath(QStringLiteral("circle/3.png"));
    QHash<QString, QVector<double>> codes;
    for (const QString &row : rows) {
        const QStringList f = row.split(QLatin1Char('\t'));
        QVector<double> z;
        for (int j = 2; j < f.size(); ++j)
            z << f[j].toDouble();
        codes.insert(f[0], z);
    }
    QVERIFY(codes.contains(query));
    QHash<QString, double> distance;
    for (auto it = codes.cbegin(); it != codes.cend(); ++it) {
        double s = 0.0;
        for (int j = 0; j < it.value().size(); ++j)
            s += std::pow(it.value()[j] - codes[query][j], 2.0);
        distance.insert(it.key(), std::sqrt(s));
    }

    const QString out = m_dir.filePath(QStringLiteral("neighbours.tsv"));
    const Result r = run({QStringLiteral("similar"), m_runDir, m_data, QStringLiteral("--query"), query,
                          QStringLiteral("--k"), QStringLiteral("7"), QStringLiteral("--out"), out});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 8);
    QCOMPARE(lines[0], QStringLiteral("rank\tpath\tlabel\tdistance"));
    const QStringList first = lines[1].split(QLatin1Char('\t'));
    QCOMPARE(first, (QStringList{QStringLiteral("1"), query, QStringLiteral("circle"), QStringLiteral("0")}));
    double previous = 0.0;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList row = lines[i].split(QLatin1Char('\t'));
        QCOMPARE(row[0].toInt(), i);
        const double d = row[3].toDouble();
        QVERIFY(d >= previous);
        previous = d;
        // The distance brute force finds from the written codes (8 significant digits).
        QVERIFY2(std::abs(d - distance.value(row[1], -1.0)) < 1e-4 * std::max(1.0, d), qPrintable(lines[i]));
    }
    // Nothing left out was nearer than the last one listed.
    int nearer = 0;
    for (double d : distance)
        nearer += d < previous - 1e-4 * std::max(1.0, previous) ? 1 : 0;
    QVERIFY(nearer <= 6);

    // A query outside DATA: a copy is the same image (distance 0); a changed copy is not.
    const QString outside = m_dir.filePath(QStringLiteral("query-copy.png"));
    QVERIFY(QFile::copy(query, outside));
    const QString csv = m_dir.filePath(QStringLiteral("neighbours.csv"));
    QVERIFY(run({QStringLiteral("similar"), m_runDir, m_data, QStringLiteral("--query"), outside, QStringLiteral("--out"), csv}).exitCode == 0);
    QFile c(csv);
    QVERIFY(c.open(QIODevice::ReadOnly));
    const QStringList csvLines = QString::fromUtf8(c.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(csvLines.size(), 11);  // --k defaults to 10
    QCOMPARE(csvLines[0], QStringLiteral("rank,path,label,distance"));
    // The first image of DATA with the copy's pixels (circle/3.png, or a duplicate of it).
    const QStringList best = csvLines[1].split(QLatin1Char(','));
    QCOMPARE(best.size(), 4);
    QCOMPARE(best[0], QStringLiteral("1"));
    QCOMPARE(best[2], QStringLiteral("circle"));
    QCOMPARE(best[3], QStringLiteral("0"));
    QCOMPARE(distance.value(best[1], -1.0), 0.0);
    QImage changed(outside);
    changed.invertPixels();
    const QString inverted = m_dir.filePath(QStringLiteral("query-inverted.png"));
    QVERIFY(changed.save(inverted));
    const Result printed = run({QStringLiteral("similar"), m_runDir, m_data, QStringLiteral("--query"), inverted, QStringLiteral("--k"), QStringLiteral("3")});
    QVERIFY2(printed.exitCode == 0, qPrintable(printed.err));
    const QStringList printedLines = printed.out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(printedLines.size(), 4);
    QVERIFY(printedLines[1].split(QLatin1Char('\t')).value(3).toDouble() > 0.0);
    // Bad arguments: one line, non-zero.
    QCOMPARE(run({QStringLiteral("similar"), m_runDir, m_data}).exitCode, 2);
    const Result missing = run({QStringLiteral("similar"), m_runDir, m_data, QStringLiteral("--query"), m_dir.filePath(QStringLiteral("nothing.png"))});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains(QStringLiteral("nothing.png")));
}

void TestCli::encodeWritesOneRowPerImage()
{
    if (!QFile::exists(m_runDir + QStringLiteral("/checkpoint.pt")))
        QSKIP("needs the run of trainWritesTheRunDirectory");
    const QString tsv = m_dir.filePath(QStringLiteral("codes.tsv"));
    const Result r = run({QStringLiteral("encode"), m_runDir, m_data, QStringLiteral("--out"), tsv});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile f(tsv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 61);
    QCOMPARE(lines[0], QStringLiteral("path\tlabel\tz0\tz1\tz2\tz3"));
    const QStringList row = lines[1].split(QLatin1Char('\t'));
    QCOMPARE(row.size(), 6);
    QVERIFY(QDir::isAbsolutePath(row[0]) && QFile::exists(row[0]));
    QCOMPARE(row[1], QStringLiteral("circle"));
    bool ok = false;
    row[2].toDouble(&ok);
    QVERIFY(ok);
}

void TestCli::resumeContinuesTheRun()
{
    if (!QFile::exists(m_runDir + QStringLiteral("/checkpoint.pt")))
        QSKIP("needs the run of trainWritesTheRunDirectory");
    const Result r = run({QStringLiteral("train"), QStringLiteral("--resume"), m_runDir, QStringLiteral("--epochs"),
                          QStringLiteral("3"), QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("continuing after epoch 2")), qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("epoch 3/3")));
    QFile history(m_runDir + QStringLiteral("/history.csv"));
    QVERIFY(history.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(history.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 4);  // header + the 2 earlier epochs + the new one
    QVERIFY(lines[3].startsWith(QStringLiteral("3,")));
    QFile summaryFile(m_runDir + QStringLiteral("/summary.json"));
    QVERIFY(summaryFile.open(QIODevice::ReadOnly));
    const QJsonObject s = QJsonDocument::fromJson(summaryFile.readAll()).object();
    QCOMPARE(s.value(QStringLiteral("epochs")).toInt(), 3);
    QCOMPARE(s.value(QStringLiteral("model")).toObject().value(QStringLiteral("latent")).toInt(), 4);
}

void TestCli::exportWritesEveryFormat()
{
    if (!QFile::exists(m_runDir + QStringLiteral("/checkpoint.pt")))
        QSKIP("needs the run of trainWritesTheRunDirectory");
    const QString out = m_dir.filePath(QStringLiteral("export"));
    const Result r = run({QStringLiteral("export"), m_runDir, QStringLiteral("--torchscript"), out + QStringLiteral("/model.pt"),
                          QStringLiteral("--onnx"), out + QStringLiteral("/onnx"), QStringLiteral("--embeddings"),
                          out + QStringLiteral("/projector"), QStringLiteral("--images"), out + QStringLiteral("/images")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    for (const char *file : {"model.pt", "onnx/encoder.onnx", "onnx/decoder.onnx", "projector/vectors.tsv",
                             "projector/metadata.tsv", "projector/sprite.png", "projector/projector_config.pbtxt",
                             "images/reconstructions.png"})
        QVERIFY2(QFileInfo(out + QLatin1Char('/') + QLatin1String(file)).size() > 0, file);
    QFile vectors(out + QStringLiteral("/projector/vectors.tsv"));
    QVERIFY(vectors.open(QIODevice::ReadOnly));
    const QStringList rows = QString::fromUtf8(vectors.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(rows.size(), 60);                                    // every image of the run's data
    QCOMPARE(rows.first().split(QLatin1Char('\t')).size(), 4);    // latent 4

    const Result none = run({QStringLiteral("export"), m_runDir});
    QVERIFY(none.exitCode != 0);
}

void TestCli::helpForEveryCommand_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("option");
    QTest::newRow("train") << QStringLiteral("train") << QStringLiteral("--resume");
    QTest::newRow("encode") << QStringLiteral("encode") << QStringLiteral("--out");
    QTest::newRow("export") << QStringLiteral("export") << QStringLiteral("--torchscript");
    QTest::newRow("project") << QStringLiteral("project") << QStringLiteral("--method");
    QTest::newRow("similar") << QStringLiteral("similar") << QStringLiteral("--query");
    QTest::newRow("bench") << QStringLiteral("bench") << QStringLiteral("--json");
}

void TestCli::helpForEveryCommand()
{
    QFETCH(QString, command);
    QFETCH(QString, option);
    const Result r = run({command, QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(option), qPrintable(r.out));
}

void TestCli::badArgumentsGiveOneLineAndNonZero_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString out = m_dir.filePath(QStringLiteral("badrun"));
    QTest::newRow("unknown command") << QStringList{QStringLiteral("fly")} << QStringLiteral("fly");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--wings")} << QStringLiteral("wings");
    QTest::newRow("no out") << QStringList{QStringLiteral("train"), m_data} << QStringLiteral("--out");
    QTest::newRow("bad model") << QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--model"), QStringLiteral("gan")} << QStringLiteral("gan");
    QTest::newRow("bad size") << QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--size"), QStringLiteral("big")} << QStringLiteral("--size");
    QTest::newRow("bad lr") << QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--lr"), QStringLiteral("-1")} << QStringLiteral("learning rate");
    QTest::newRow("missing data") << QStringList{QStringLiteral("train"), m_dir.filePath(QStringLiteral("nowhere")), QStringLiteral("--out"), out} << QStringLiteral("nowhere");
    QTest::newRow("bad device") << QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--device"), QStringLiteral("gpu")} << QStringLiteral("device");
    QTest::newRow("bad nproc") << QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--nproc"), QStringLiteral("0")} << QStringLiteral("--nproc");
    QTest::newRow("encode on a bad device") << QStringList{QStringLiteral("encode"), m_runDir, m_data, QStringLiteral("--out"), out, QStringLiteral("--device"), QStringLiteral("cuda:x")} << QStringLiteral("device");
    if (!aes::ncclAvailable())
        QTest::newRow("nccl without NCCL") << QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--nproc"), QStringLiteral("2"), QStringLiteral("--dist-backend"), QStringLiteral("nccl")} << QStringLiteral("NCCL");
    QTest::newRow("encode without model") << QStringList{QStringLiteral("encode"), m_dir.filePath(QStringLiteral("norun")), m_data, QStringLiteral("--out"), out} << QStringLiteral("norun");
}

void TestCli::badArgumentsGiveOneLineAndNonZero()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Result r = run(args);
    QVERIFY(r.exitCode != 0);
    const QStringList lines = r.err.trimmed().split(QLatin1Char('\n'));
    QVERIFY2(lines.last().startsWith(QStringLiteral("aestudio-cli: ")) && lines.last().contains(mentions),
             qPrintable(r.err));
}

// `bench --quick --json`: parseable JSON with a row for every model kind at both sizes,
// encoding and loading rows, and positive speeds; loading the given folder counts its images.
void TestCli::benchQuickJsonHasEveryRow()
{
    const Result r = run({QStringLiteral("bench"), m_data, QStringLiteral("--quick"), QStringLiteral("--json"),
                          QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QJsonParseError error{};
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + r.out));
    QCOMPARE(json.value(QStringLiteral("threads")).toInt(), 1);
    QVERIFY(json.value(QStringLiteral("peak_rss_mib")).toDouble() > 0);
    QVERIFY(json.value(QStringLiteral("errors")).toArray().isEmpty());
    QStringList trained;
    for (const QJsonValue &v : json.value(QStringLiteral("train")).toArray()) {
        const QJsonObject row = v.toObject();
        QVERIFY2(row.value(QStringLiteral("images_per_second")).toDouble() > 0, qPrintable(r.out));
        trained << row.value(QStringLiteral("name")).toString() + QLatin1Char(' ') + row.value(QStringLiteral("input")).toString();
    }
    for (const char *kind : {"dense", "conv", "keras-conv", "vae", "denoising", "sparse"}) {
        QVERIFY2(trained.contains(QStringLiteral("%1 28x28x1").arg(QLatin1String(kind))), qPrintable(trained.join(QLatin1Char(','))));
        QVERIFY2(trained.contains(QStringLiteral("%1 64x64x3").arg(QLatin1String(kind))), qPrintable(trained.join(QLatin1Char(','))));
    }
    QCOMPARE(json.value(QStringLiteral("encode")).toArray().size(), 2);
    const QJsonArray load = json.value(QStringLiteral("load")).toArray();
    QCOMPARE(load.size(), 4);  // three PNG folders written by the bench, then the given one
    const QJsonObject given = load.last().toObject();
    QCOMPARE(given.value(QStringLiteral("name")).toString(), QStringLiteral("given"));
    QCOMPARE(given.value(QStringLiteral("images")).toInt(), 60);  // broken.png skipped
    QVERIFY(given.value(QStringLiteral("images_per_second")).toDouble() > 0);

    const Result text = run({QStringLiteral("bench"), m_data, QStringLiteral("--quick"), QStringLiteral("--load-only")});
    QVERIFY2(text.exitCode == 0, qPrintable(text.err));
    QVERIFY2(text.out.contains(QStringLiteral("images/s")) && text.out.contains(QStringLiteral("given")), qPrintable(text.out));
    QVERIFY(!text.out.contains(QStringLiteral("train ")));
}

void TestCli::trainNeverReplacesARunByAccident()
{
    const QString runDir = m_dir.filePath(QStringLiteral("kept-run"));
    const QStringList train{QStringLiteral("train"), m_data, QStringLiteral("--out"), runDir,
                            QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--latent"), QStringLiteral("2"),
                            QStringLiteral("--batch"), QStringLiteral("16"), QStringLiteral("--threads"), QStringLiteral("1"),
                            QStringLiteral("--no-knn")};
    Result r = run(train);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QMap<QString, QByteArray> before;
    for (const QFileInfo &f : QDir(runDir).entryInfoList(QDir::Files)) {
        QFile file(f.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        before.insert(f.fileName(), file.readAll());
    }
    QVERIFY(before.contains(QStringLiteral("checkpoint.pt")));

    // Again into the same directory: refused in one line naming both ways on, every byte kept.
    r = run(train);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
    QVERIFY2(r.err.contains(QStringLiteral("--resume")) && r.err.contains(QStringLiteral("--overwrite")), qPrintable(r.err));
    QMap<QString, QByteArray> after;
    for (const QFileInfo &f : QDir(runDir).entryInfoList(QDir::Files)) {
        QFile file(f.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        after.insert(f.fileName(), file.readAll());
    }
    QVERIFY(after == before);

    // --overwrite replaces it.
    r = run(train + QStringList{QStringLiteral("--overwrite"), QStringLiteral("--epochs"), QStringLiteral("2")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile history(runDir + QStringLiteral("/history.csv"));
    QVERIFY(history.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(history.readAll()).trimmed().split(QLatin1Char('\n')).size(), 3);

    // A folder with other files is no run directory, --overwrite or not.
    const QString other = m_dir.filePath(QStringLiteral("notes"));
    QVERIFY(aes::test::writeFile(other + QStringLiteral("/todo.txt"), "keep me"));
    for (const bool overwrite : {false, true}) {
        QStringList args{QStringLiteral("train"), m_data, QStringLiteral("--out"), other, QStringLiteral("--epochs"),
                         QStringLiteral("1")};
        if (overwrite)
            args << QStringLiteral("--overwrite");
        r = run(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("holds no run")), qPrintable(r.err));
    }
    QCOMPARE(QDir(other).entryList(QDir::Files), QStringList{QStringLiteral("todo.txt")});
}

void TestCli::runsListsEveryRunAndNamesDamagedOnes()
{
    // Runs written by the tests above, one damaged run, and a folder that is no run.
    const QString root = m_dir.filePath(QStringLiteral("runs"));
    const QStringList train{QStringLiteral("train"), m_data, QStringLiteral("--epochs"), QStringLiteral("1"),
                            QStringLiteral("--batch"), QStringLiteral("16"), QStringLiteral("--threads"), QStringLiteral("1"),
                            QStringLiteral("--no-knn")};
    Result r = run(train + QStringList{QStringLiteral("--out"), root + QStringLiteral("/small"), QStringLiteral("--latent"),
                                       QStringLiteral("2")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = run(train + QStringList{QStringLiteral("--out"), root + QStringLiteral("/dense"), QStringLiteral("--model"),
                                QStringLiteral("dense"), QStringLiteral("--latent"), QStringLiteral("3")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(aes::test::writeFile(root + QStringLiteral("/damaged/checkpoint.pt"), "not a checkpoint"));
    QVERIFY(aes::test::writeFile(root + QStringLiteral("/notes/todo.txt"), "no run here"));

    r = run({QStringLiteral("runs"), root});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);  // header + two readable runs
    QVERIFY(lines[0].contains(QStringLiteral("val loss")));
    QVERIFY2(lines[1].startsWith(QStringLiteral("dense ")), qPrintable(r.out));  // newest first
    QVERIFY(lines[1].contains(QStringLiteral("finished")));
    QVERIFY(lines[2].startsWith(QStringLiteral("small ")));
    QVERIFY2(r.err.contains(QStringLiteral("damaged")), qPrintable(r.err));
    QVERIFY(!r.out.contains(QStringLiteral("notes")));

    r = run({QStringLiteral("runs"), root, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray runs = QJsonDocument::fromJson(r.out.toUtf8()).array();
    QCOMPARE(runs.size(), 3);
    int readable = 0;
    for (const QJsonValue &v : runs) {
        const QJsonObject o = v.toObject();
        if (o.contains(QStringLiteral("problem")))
            continue;
        ++readable;
        QCOMPARE(o.value(QStringLiteral("epochs")).toInt(), 1);
        QVERIFY(o.value(QStringLiteral("final")).toObject().value(QStringLiteral("val_loss")).toDouble() > 0.0);
    }
    QCOMPARE(readable, 2);
    // A run directory itself is a list of one.
    r = run({QStringLiteral("runs"), root + QStringLiteral("/small")});
    QCOMPARE(r.out.trimmed().split(QLatin1Char('\n')).size(), 2);

    // Two runs compared on the small run's validation images: every image's MSE under both, and
    // the rows input | A | B | difference of the two largest differences and one drawn.
    const QString compared = m_dir.filePath(QStringLiteral("compared"));
    r = run({QStringLiteral("runs"), QStringLiteral("compare"), root + QStringLiteral("/small"), root + QStringLiteral("/dense"),
             QStringLiteral("--out"), compared, QStringLiteral("--largest"), QStringLiteral("2"), QStringLiteral("--random"),
             QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("over 6 validation images")), qPrintable(r.out));  // 10% of 60
    QFile csv(compared + QStringLiteral("/comparison.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList rows = QString::fromUtf8(csv.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(rows.size(), 7);
    QCOMPARE(rows[0], QStringLiteral("index,path,mse_a,mse_b,a_minus_b"));
    const QStringList first = rows[1].split(QLatin1Char(','));
    QVERIFY(first[1].endsWith(QStringLiteral(".png")));
    QVERIFY(std::abs(first[2].toDouble() - first[3].toDouble() - first[4].toDouble()) < 1e-8);
    const QImage grid(compared + QStringLiteral("/comparison.png"));
    QCOMPARE(grid.width(), 4 + 4 * (16 * 5 + 4));  // 16-pixel images five times
    QCOMPARE(grid.height(), 4 + 3 * (16 * 5 + 4));
    r = run({QStringLiteral("runs"), QStringLiteral("compare"), root + QStringLiteral("/small"), QStringLiteral("--out"), compared});
    QCOMPARE(r.exitCode, 2);
}

void TestCli::runsShowsTheEpochEarlyStoppingKept()
{
    // A minimum improvement of 99% is never met after epoch 1: patience 1 ends the run after
    // epoch 2 with epoch 1's weights.
    const QString dir = m_dir.filePath(QStringLiteral("early"));
    Result r = run({QStringLiteral("train"), m_data, QStringLiteral("--out"), dir, QStringLiteral("--epochs"),
                    QStringLiteral("auto"), QStringLiteral("--patience"), QStringLiteral("1"), QStringLiteral("--min-delta"),
                    QStringLiteral("0.99"), QStringLiteral("--batch"), QStringLiteral("16"), QStringLiteral("--latent"),
                    QStringLiteral("2"), QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--no-knn")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile history(dir + QStringLiteral("/history.csv"));
    QVERIFY(history.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(history.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);  // header + epochs 1 and 2
    const int valLossColumn = int(lines[0].split(QLatin1Char(',')).indexOf(QStringLiteral("val_loss")));
    const double epoch1Loss = lines[1].split(QLatin1Char(','))[valLossColumn].toDouble();
    const double epoch2Loss = lines[2].split(QLatin1Char(','))[valLossColumn].toDouble();
    QVERIFY(epoch1Loss != epoch2Loss);

    QFile summaryFile(dir + QStringLiteral("/summary.json"));
    QVERIFY(summaryFile.open(QIODevice::ReadOnly));
    const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object();
    QCOMPARE(summary.value(QStringLiteral("kept_epoch")).toInt(), 1);
    // history.csv rounds to 9 significant digits.
    const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-6 * std::abs(b); };
    QVERIFY(near(summary.value(QStringLiteral("final_val_loss")).toDouble(), epoch1Loss));

    r = run({QStringLiteral("runs"), dir});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("kept 1 of 2")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QString::number(epoch1Loss, 'f', 5)), qPrintable(r.out));
    r = run({QStringLiteral("runs"), dir, QStringLiteral("--json")});
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).array().at(0).toObject();
    QCOMPARE(json.value(QStringLiteral("epochs")).toInt(), 2);
    QCOMPARE(json.value(QStringLiteral("kept_epoch")).toInt(), 1);
    QVERIFY(near(json.value(QStringLiteral("final")).toObject().value(QStringLiteral("val_loss")).toDouble(), epoch1Loss));

    // Resumed, the run has its best epoch's weights at hand again (the checkpoint holds them):
    // epoch 3 does not improve either, and epoch 1's weights are kept once more.
    r = run({QStringLiteral("train"), QStringLiteral("--resume"), dir, QStringLiteral("--epochs"), QStringLiteral("3"),
             QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("kept the weights of epoch 1")), qPrintable(r.err));
    r = run({QStringLiteral("runs"), dir});
    QVERIFY2(r.out.contains(QStringLiteral("kept 1 of 3")), qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
