// The GUI's anomaly scoring thread: a trained run scores a folder with images it has not
// seen (the anomalous ones score higher), a cancel ends with cancelled and no scores, an
// image's pictures are answered at the data's size, a run that is not there is named, and
// the controller can be destroyed mid-scoring.

#include "anomaly/anomalycontroller.h"
#include "project/trainjob.h"
#include "testdata.h"
#include "training/trainingcontrol.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

Q_DECLARE_METATYPE(aes::ScoreKind)

using namespace aes;

class TestAnomalyController final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void scoresEveryImageAndAnomaliesHigher_data();
    void scoresEveryImageAndAnomaliesHigher();
    void cancelEndsWithoutScores();
    void imageRequestIsAnswered();
    void missingRunIsNamed();
    void destroyedWhileScoring();

private:
    AnomalyScores scoreAndWait(AnomalyController &controller, const AnomalyRequest &request);
    AnomalyRequest request(ScoreKind kind = ScoreKind::Mse) const;

    QTemporaryDir m_dir;
    QString m_runDir;
    QString m_test;
    static constexpr int kGood = 12;
    static constexpr int kDefects = 6;
};

// A dark image with a bright bar: what "good" looks like.
static cv::Mat goodImage(int i)
{
    cv::Mat img = test::solidImage(12, 12, cv::Scalar(20), CV_8UC1);
    img.rowRange(3 + i % 4, 7 + i % 4).setTo(200);
    return img;
}

void TestAnomalyController::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString train = m_dir.filePath(QStringLiteral("train"));
    for (int i = 0; i < 24; ++i)
        QVERIFY(test::writeImage(QStringLiteral("%1/good/%2.png").arg(train).arg(i), goodImage(i)));
    m_test = m_dir.filePath(QStringLiteral("test"));
    for (int i = 0; i < kGood; ++i)
        QVERIFY(test::writeImage(QStringLiteral("%1/good/%2.png").arg(m_test).arg(i), goodImage(i + 1)));
    // Defects: a bright checkerboard the model never saw.
    for (int i = 0; i < kDefects; ++i) {
        cv::Mat img = goodImage(i);
        for (int y = 0; y < 12; ++y)
            for (int x = (y + i) % 2; x < 12; x += 2)
                img.at<uchar>(y, x) = 255;
        QVERIFY(test::writeImage(QStringLiteral("%1/defect/%2.png").arg(m_test).arg(i), img));
    }
    TrainJobOptions options;
    options.data = train;
    options.runDir = m_runDir = m_dir.filePath(QStringLiteral("run"));
    options.model.kind = ModelKind::Dense;
    options.model.widths = {32};
    options.model.latent = 4;
    options.train.epochs = 4;
    options.train.batchSize = 4;
    options.train.threads = 1;
    options.train.seed = 5;
    TrainingControl control;
    const TrainJobResult trained = runTrainJob(options, control);
    QVERIFY2(trained.ok, qPrintable(trained.error));
}

AnomalyRequest TestAnomalyController::request(ScoreKind kind) const
{
    AnomalyRequest r;
    r.runDir = m_runDir;
    r.dataPath = m_test;
    r.kind = kind;
    return r;
}

AnomalyScores TestAnomalyController::scoreAndWait(AnomalyController &controller, const AnomalyRequest &request)
{
    QSignalSpy scored(&controller, &AnomalyController::scored);
    if (!controller.scoreFolder(request) || !scored.wait(60000))
        return {};
    return scored.first().first().value<AnomalyScores>();
}

void TestAnomalyController::scoresEveryImageAndAnomaliesHigher_data()
{
    QTest::addColumn<ScoreKind>("kind");
    QTest::newRow("mse") << ScoreKind::Mse;
    QTest::newRow("ssim") << ScoreKind::Ssim;
    QTest::newRow("max-smoothed") << ScoreKind::MaxSmoothed;
}

void TestAnomalyController::scoresEveryImageAndAnomaliesHigher()
{
    QFETCH(ScoreKind, kind);
    AnomalyController controller;
    QSignalSpy progress(&controller, &AnomalyController::progress);
    const AnomalyScores scores = scoreAndWait(controller, request(kind));
    QVERIFY2(scores.ok(), qPrintable(scores.error));
    QVERIFY(!controller.isScoring());
    QCOMPARE(scores.size(), qint64(kGood + kDefects));
    QCOMPARE(scores.paths.size(), kGood + kDefects);
    QCOMPARE(scores.labels.size(), kGood + kDefects);
    QCOMPARE(scores.classNames, (QStringList{QStringLiteral("defect"), QStringLiteral("good")}));
    QCOMPARE(scores.trainedOn, QStringList{QStringLiteral("good")});
    QCOMPARE(scores.epoch, 4);
    QVERIFY(!progress.isEmpty());
    // Every defect scores above every good image.
    double worstGood = -1, bestDefect = 1e300;
    for (int i = 0; i < scores.scores.size(); ++i) {
        QVERIFY(std::isfinite(scores.scores[i]));
        if (scores.classNames[scores.labels[i]] == QLatin1String("good"))
            worstGood = std::max(worstGood, scores.scores[i]);
        else
            bestDefect = std::min(bestDefect, scores.scores[i]);
    }
    QVERIFY2(bestDefect > worstGood, qPrintable(QStringLiteral("%1 <= %2").arg(bestDefect).arg(worstGood)));
}

void TestAnomalyController::cancelEndsWithoutScores()
{
    AnomalyController controller;
    QSignalSpy scored(&controller, &AnomalyController::scored);
    QVERIFY(controller.scoreFolder(request()));
    QVERIFY(!controller.scoreFolder(request()));  // one at a time
    controller.cancel();
    QVERIFY(scored.wait(60000));
    const auto scores = scored.first().first().value<AnomalyScores>();
    QVERIFY(scores.cancelled);
    QVERIFY(scores.scores.isEmpty());
    // And it scores again afterwards; a cancelled run answers no pictures.
    QVERIFY(scoreAndWait(controller, request()).ok());
}

void TestAnomalyController::imageRequestIsAnswered()
{
    AnomalyController controller;
    const AnomalyScores scores = scoreAndWait(controller, request());
    QVERIFY(scores.ok());
    QSignalSpy ready(&controller, &AnomalyController::imageReady);
    const qint64 row = scores.size() - 1;
    controller.requestImage(row);
    // Repeated while the first is queued or being answered, it is answered once; on a loaded
    // machine the first may be answered before the repeat arrives, which is then answered again.
    controller.requestImage(row);
    QVERIFY(ready.wait(30000));
    QTest::qWait(200);
    QVERIFY2(ready.size() == 1 || ready.size() == 2, qPrintable(QString::number(ready.size())));
    const auto image = ready.first().first().value<AnomalyImage>();
    QCOMPARE(image.row, row);
    QCOMPARE(image.generation, controller.generation());
    QCOMPARE(image.image.size(), QSize(12, 12));
    QCOMPARE(image.reconstruction.size(), QSize(12, 12));
    QVERIFY(!image.heatmap.isNull());
    QVERIFY(std::abs(image.score - scores.scores[int(row)]) <= 1e-6 * std::abs(scores.scores[int(row)]));  // float32 sums
}

void TestAnomalyController::missingRunIsNamed()
{
    AnomalyController controller;
    AnomalyRequest r = request();
    r.runDir = m_dir.filePath(QStringLiteral("no-such-run"));
    const AnomalyScores scores = scoreAndWait(controller, r);
    QVERIFY(!scores.ok());
    QVERIFY(!scores.cancelled);
    QVERIFY2(scores.error.contains(QStringLiteral("no-such-run")), qPrintable(scores.error));
}

void TestAnomalyController::destroyedWhileScoring()
{
    auto controller = std::make_unique<AnomalyController>();
    QVERIFY(controller->scoreFolder(request()));
    controller->requestImage(0);
    controller.reset();  // cancels and waits; nothing arrives afterwards
    QTest::qWait(100);
}

QTEST_GUILESS_MAIN(TestAnomalyController)
#include "tst_anomalycontroller.moc"
