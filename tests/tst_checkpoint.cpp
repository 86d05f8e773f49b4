// Checkpoints round-trip exactly and refuse damaged or mismatched files with a reason.

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "testutil.h"

#include <torch/torch.h>

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace aes;

class TestCheckpoint final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripGivesTheSameNumbers_data();
    void roundTripGivesTheSameNumbers();
    void truncatedFileIsRefused();
    void bitFlippedFileIsRefused();
    void mismatchedShapesAreNamed();
    void notACheckpoint();
    void failedSaveKeepsThePreviousFile();
    void interruptedSaveKeepsThePreviousFile();
    void fullDiskKeepsThePreviousFile();
    void cloneIsIndependent();
private:
    QTemporaryDir m_dir;
};

void TestCheckpoint::roundTripGivesTheSameNumbers_data()
{
    QTest::addColumn<QString>("kind");
    for (const QString &kind : modelKindNames())
        QTest::newRow(qPrintable(kind)) << kind;
}

void TestCheckpoint::roundTripGivesTheSameNumbers()
{
    QFETCH(QString, kind);
    ModelOptions o;
    o.kind = *modelKindFromString(kind);
    o.height = 12;
    o.width = 10;
    o.channels = 3;
    Autoencoder model(o);
    // Move batch-norm statistics away from their defaults so buffers are checked too.
    model->train();
    model->forward(torch::rand({8, 3, 12, 10}));
    model->eval();
    const QString path = m_dir.filePath(kind + QStringLiteral(".pt"));
    QCOMPARE(saveCheckpoint(path, *model, QJsonObject{{QStringLiteral("epoch"), 7}}), QString());
    QString error;
    const auto loaded = loadCheckpoint(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->meta.value(QStringLiteral("epoch")).toInt(), 7);
    QVERIFY(loaded->options.kind == o.kind);
    const torch::Tensor x = torch::rand({4, 3, 12, 10});
    QVERIFY(torch::equal(model->forward(x), loaded->model->forward(x)));
    QVERIFY(torch::equal(model->encode(x), loaded->model->encode(x)));
}

void TestCheckpoint::truncatedFileIsRefused()
{
    Autoencoder model(ModelOptions{});
    const QString path = m_dir.filePath(QStringLiteral("full.pt"));
    QCOMPARE(saveCheckpoint(path, *model), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    const QString cut = m_dir.filePath(QStringLiteral("cut.pt"));
    QFile out(cut);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes.left(bytes.size() / 2));
    out.close();
    QString error;
    QVERIFY(!loadCheckpoint(cut, &error));
    QVERIFY2(error.startsWith(cut) && error.contains(QStringLiteral("damaged")), qPrintable(error));
}

void TestCheckpoint::bitFlippedFileIsRefused()
{
    // One flipped bit in the stored weights: LibTorch does not check the archive's CRC-32s and
    // would load wrong numbers (or crash, for damaged code entries: fuzz/regressions).
    Autoencoder model(ModelOptions{});
    const QString path = m_dir.filePath(QStringLiteral("flip.pt"));
    QCOMPARE(saveCheckpoint(path, *model), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    f.close();
    // The first tensor's local zip header: signature, 26 bytes, name length, extra length, name.
    const auto le16 = [&](qsizetype o) { return int(quint8(bytes[o])) | int(quint8(bytes[o + 1])) << 8; };
    const QByteArray entry("/data/0");
    const QByteArray localMagic("PK\x03\x04", 4);
    qsizetype header = -1;
    for (qsizetype at = bytes.indexOf(entry); at >= 0 && header < 0; at = bytes.indexOf(entry, at + 1)) {
        const qsizetype start = bytes.lastIndexOf(localMagic, at);
        if (start >= 0 && start + 30 + le16(start + 26) == at + entry.size())
            header = start;
    }
    QVERIFY(header >= 0);
    const qsizetype data = header + 30 + le16(header + 26) + le16(header + 28);
    QVERIFY(data < bytes.size());
    bytes[data] = char(bytes[data] ^ 0x10);
    const QString flipped = m_dir.filePath(QStringLiteral("flipped.pt"));
    QFile out(flipped);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes);
    out.close();
    QString error;
    QVERIFY(!loadCheckpoint(flipped, &error));
    QVERIFY2(error.startsWith(flipped) && error.contains(QStringLiteral("checksum")), qPrintable(error));
    QVERIFY(loadCheckpoint(path, &error));
}

void TestCheckpoint::mismatchedShapesAreNamed()
{
    // A file whose stored options say latent 16 but whose weights are for latent 8:
    // made by saving a latent-8 model, then swapping in the options of latent 16.
    ModelOptions small;
    small.latent = 8;
    Autoencoder model(small);
    torch::serialize::OutputArchive archive;
    model->save(archive);
    ModelOptions big = small;
    big.latent = 16;
    archive.write("aestudio_model_options",
                  c10::IValue(QJsonDocument(big.toJson()).toJson(QJsonDocument::Compact).toStdString()));
    const QString path = m_dir.filePath(QStringLiteral("mismatch.pt"));
    archive.save_to(path.toStdString());
    QString error;
    QVERIFY(!loadCheckpoint(path, &error));
    QVERIFY2(error.contains(QStringLiteral("_latent.weight is [")) && error.contains(QStringLiteral("8")) && error.contains(QStringLiteral("16]")),
             qPrintable(error));
}

void TestCheckpoint::notACheckpoint()
{
    const QString path = m_dir.filePath(QStringLiteral("text.pt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("hello, not a model");
    f.close();
    QString error;
    QVERIFY(!loadCheckpoint(path, &error));
    QVERIFY(error.startsWith(path));
    QVERIFY(!loadCheckpoint(m_dir.filePath(QStringLiteral("missing.pt")), &error));
    QVERIFY(error.contains(QStringLiteral("missing.pt")));
}

void TestCheckpoint::failedSaveKeepsThePreviousFile()
{
    Autoencoder model(ModelOptions{});
    const QString path = m_dir.filePath(QStringLiteral("keep.pt"));
    QCOMPARE(saveCheckpoint(path, *model), QString());
    // A path inside a missing folder cannot be written: a message names it.
    const QString bad = m_dir.filePath(QStringLiteral("no/such/dir/x.pt"));
    const QString error = saveCheckpoint(bad, *model);
    QVERIFY2(error.contains(bad), qPrintable(error));
    QString loadError;
    QVERIFY(loadCheckpoint(path, &loadError));
}

void TestCheckpoint::interruptedSaveKeepsThePreviousFile()
{
    // A save that is interrupted on purpose half-way through (the state writer throws, as a
    // serialisation failure would): the previous checkpoint stays, no temporary file is left.
    QTemporaryDir dir;
    Autoencoder model(ModelOptions{});
    const QString path = dir.filePath(QStringLiteral("run.pt"));
    QCOMPARE(saveCheckpoint(path, *model, QJsonObject{{QStringLiteral("epoch"), 1}}), QString());
    const QStringList before = test::filesUnder(dir.path());
    {
        torch::NoGradGuard noGrad;
        for (auto &p : model->parameters())
            p.add_(1.0);
    }
    const QString error = saveCheckpoint(path, *model, QJsonObject{{QStringLiteral("epoch"), 2}},
                                         [](torch::serialize::OutputArchive &archive) {
                                             archive.write("half", torch::ones({3}));
                                             throw std::runtime_error("interrupted on purpose");
                                         });
    QVERIFY2(error.contains(path) && error.contains(QStringLiteral("interrupted on purpose")), qPrintable(error));
    QCOMPARE(test::filesUnder(dir.path()), before);
    QString loadError;
    const auto loaded = loadCheckpoint(path, &loadError);
    QVERIFY2(loaded, qPrintable(loadError));
    QCOMPARE(loaded->meta.value(QStringLiteral("epoch")).toInt(), 1);
}

void TestCheckpoint::fullDiskKeepsThePreviousFile()
{
    QTemporaryDir dir;
    Autoencoder model(ModelOptions{});
    const QString path = dir.filePath(QStringLiteral("run.pt"));
    QCOMPARE(saveCheckpoint(path, *model, QJsonObject{{QStringLiteral("epoch"), 1}}), QString());
    const qint64 size = QFileInfo(path).size();
    const QStringList before = test::filesUnder(dir.path());
    // Room for a few kilobytes, less than a checkpoint, and for the whole checkpoint but one
    // byte: either way the save fails, names the file and keeps the old one.
    for (const qint64 room : {qint64(4096), size - 1}) {
        QString error;
        {
            test::FileSizeLimit full{rlim_t(room)};
            error = saveCheckpoint(path, *model, QJsonObject{{QStringLiteral("epoch"), 2}});
        }
        QVERIFY2(error.contains(path), qPrintable(error));
        QCOMPARE(test::filesUnder(dir.path()), before);
        QString loadError;
        const auto loaded = loadCheckpoint(path, &loadError);
        QVERIFY2(loaded, qPrintable(loadError));
        QCOMPARE(loaded->meta.value(QStringLiteral("epoch")).toInt(), 1);
    }
}

void TestCheckpoint::cloneIsIndependent()
{
    Autoencoder model(ModelOptions{});
    model->eval();
    auto copy = cloneModel(*model);
    const torch::Tensor x = torch::rand({2, 1, 28, 28});
    QVERIFY(torch::equal(model->forward(x), copy->forward(x)));
    {
        torch::NoGradGuard noGrad;
        for (auto &p : model->parameters())
            p.add_(0.1);
    }
    QVERIFY(!torch::equal(model->forward(x), copy->forward(x)));
}

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "tst_checkpoint.moc"
