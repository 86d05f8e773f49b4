// The export job as the GUI and the CLI run it: cancelling at any step and a full disk
// leave no partial file and the previous export intact; every failure names the file.

#include "export/exportjob.h"
#include "project/trainjob.h"
#include "testdata.h"
#include "training/trainingcontrol.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtTest>

using namespace aes;

class TestExportJob : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cancelAtEveryStepWritesNothingMore_data();
    void cancelAtEveryStepWritesNothingMore();
    void fullDiskKeepsThePreviousExport();
    void unwritablePlaceIsNamed();

private:
    ExportTargets targetsIn(const QString &dir) const;
    // path -> hash of every file under dir.
    QMap<QString, QByteArray> contents(const QString &dir) const;

    QTemporaryDir m_dir;
    QString m_runDir;
};

void TestExportJob::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString data = m_dir.filePath(QStringLiteral("images"));
    for (int i = 0; i < 24; ++i) {
        cv::Mat img = test::solidImage(12, 12, cv::Scalar(20), CV_8UC1);
        if (i % 2)
            img.rowRange(3, 9).setTo(200 + i);
        else
            img.colRange(2, 6).setTo(180 + i);
        QVERIFY(test::writeImage(QStringLiteral("%1/%2/%3.png").arg(data, i % 2 ? QStringLiteral("rows") : QStringLiteral("cols")).arg(i), img));
    }
    TrainJobOptions options;
    options.data = data;
    options.runDir = m_runDir = m_dir.filePath(QStringLiteral("run"));
    options.model.kind = ModelKind::Dense;
    options.model.widths = {16};
    options.model.latent = 3;
    options.train.epochs = 1;
    options.train.batchSize = 8;
    options.train.threads = 1;
    TrainingControl control;
    const TrainJobResult trained = runTrainJob(options, control);
    QVERIFY2(trained.ok, qPrintable(trained.error));
}

ExportTargets TestExportJob::targetsIn(const QString &dir) const
{
    ExportTargets t;
    t.torchscriptFile = dir + QStringLiteral("/model.pt");
    t.onnxDir = dir + QStringLiteral("/onnx");
    t.embeddingsDir = dir + QStringLiteral("/projector");
    t.imagesDir = dir + QStringLiteral("/images");
    t.imageCount = 8;
    return t;
}

QMap<QString, QByteArray> TestExportJob::contents(const QString &dir) const
{
    QMap<QString, QByteArray> out;
    for (const QString &name : test::filesUnder(dir)) {
        QFile f(dir + QLatin1Char('/') + name);
        if (f.open(QIODevice::ReadOnly))
            out.insert(name, QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha1));
    }
    return out;
}

void TestExportJob::cancelAtEveryStepWritesNothingMore_data()
{
    QTest::addColumn<int>("cancelAt");  // the step whose start sees the cancel
    // Steps: 0 load model, 1 load data, 2 TorchScript, 3 ONNX, 4 projector, 5 images.
    for (int step = 0; step <= 5; ++step)
        QTest::newRow(qPrintable(QStringLiteral("step %1").arg(step))) << step;
}

void TestExportJob::cancelAtEveryStepWritesNothingMore()
{
    QFETCH(int, cancelAt);
    QTemporaryDir out;
    // A complete export of an earlier model state, which a cancelled export must not damage.
    const ExportJobResult first = runExportJob(m_runDir, targetsIn(out.path()));
    QVERIFY2(first.ok, qPrintable(first.error));
    const QMap<QString, QByteArray> before = contents(out.path());
    QVERIFY(before.contains(QStringLiteral("onnx/encoder.onnx")));

    // Export the same run into a fresh folder beside it, cancelled at the start of one step.
    QTemporaryDir fresh;
    std::atomic_bool cancel{cancelAt == 0};
    QStringList started;
    const ExportJobResult r = runExportJob(m_runDir, targetsIn(fresh.path()),
        [&](const QString &what, int done, int) {
            started << what;
            if (done + 1 == cancelAt)
                cancel.store(true);  // seen by the next step
        }, &cancel);
    QVERIFY(!r.ok);
    QVERIFY(r.cancelled);
    QCOMPARE(r.error, QStringLiteral("export cancelled"));
    QCOMPARE(started.size(), cancelAt);
    // Only targets whose step finished before the cancel exist, complete; nothing else.
    QStringList expected;
    if (cancelAt > 2)
        expected << QStringLiteral("model.pt");
    if (cancelAt > 3)
        expected << QStringLiteral("onnx/decoder.onnx") << QStringLiteral("onnx/encoder.onnx");
    const QStringList files = test::filesUnder(fresh.path());
    for (const QString &f : files)
        QVERIFY2(expected.contains(f), qPrintable(QStringLiteral("unexpected file %1").arg(f)));
    QCOMPARE(files.size(), expected.size());

    // The cancel at the start of a step also holds for the earlier export's folder.
    cancel.store(true);
    const ExportJobResult again = runExportJob(m_runDir, targetsIn(out.path()), {}, &cancel);
    QVERIFY(again.cancelled);
    QCOMPARE(contents(out.path()), before);
}

void TestExportJob::fullDiskKeepsThePreviousExport()
{
    QTemporaryDir out;
    const ExportJobResult first = runExportJob(m_runDir, targetsIn(out.path()));
    QVERIFY2(first.ok, qPrintable(first.error));
    const QMap<QString, QByteArray> before = contents(out.path());
    // Files may not grow past 600 bytes: every model file and the sprite are larger.
    ExportJobResult r;
    {
        test::FileSizeLimit full(600);
        r = runExportJob(m_runDir, targetsIn(out.path()));
    }
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QStringLiteral("cannot write ") + out.path()), qPrintable(r.error));
    QCOMPARE(contents(out.path()), before);
}

void TestExportJob::unwritablePlaceIsNamed()
{
    QTemporaryDir out;
    QVERIFY(test::writeFile(out.filePath(QStringLiteral("file")), "x"));
    ExportTargets t;
    t.onnxDir = out.filePath(QStringLiteral("file/onnx"));
    const ExportJobResult r = runExportJob(m_runDir, t);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(t.onnxDir), qPrintable(r.error));
    QCOMPARE(test::filesUnder(out.path()), QStringList{QStringLiteral("file")});
}

QTEST_GUILESS_MAIN(TestExportJob)
#include "tst_exportjob.moc"
