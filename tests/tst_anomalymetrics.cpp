// Anomaly evaluation against hand-computed cases: AUROC with ties, average precision, the
// F1-maximising threshold, undefined measures as NaN, verdicts, which classes are normal, and
// the run's threshold file.

#include "anomaly/anomalymetrics.h"
#include "anomaly/anomalythreshold.h"
#include "project/runfiles.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace aes;

class TestAnomalyMetrics final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void measures_data();
    void measures();
    void missingGroupIsNaN();
    void rocCurvePoints();
    void precisionRecallStartsAtRecallZero();
    void verdictsCountFlaggedImages();
    void normalClassesChosen();
    void scoreKindNamesRoundTrip();
    void thresholdFileRoundTrip();
};

void TestAnomalyMetrics::measures_data()
{
    QTest::addColumn<QVector<double>>("scores");
    QTest::addColumn<QVector<bool>>("anomalous");
    QTest::addColumn<double>("auroc");
    QTest::addColumn<double>("aupr");
    QTest::addColumn<double>("f1");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<double>("precision");
    QTest::addColumn<double>("recall");
    // scikit-learn's documented example: roc_auc 0.75, average precision 0.8333.
    QTest::newRow("distinct") << QVector<double>{0.1, 0.4, 0.35, 0.8} << QVector<bool>{false, false, true, true}
                              << 0.75 << 5.0 / 6.0 << 0.8 << 0.35 << 2.0 / 3.0 << 1.0;
    // The tie at 0.5 between an anomalous and a normal image counts one half: 3.5 of 4 pairs.
    QTest::newRow("tie") << QVector<double>{0.2, 0.5, 0.5, 0.9} << QVector<bool>{false, true, false, true}
                         << 0.875 << 0.5 + 0.5 * 2.0 / 3.0 << 0.8 << 0.5 << 2.0 / 3.0 << 1.0;
    // Every score equal: chance, and one threshold that flags everything.
    QTest::newRow("all equal") << QVector<double>{1, 1, 1, 1} << QVector<bool>{true, false, true, false}
                               << 0.5 << 0.5 << 2.0 / 3.0 << 1.0 << 0.5 << 1.0;
    // Perfectly separated, in reverse: the anomalous images score lowest.
    QTest::newRow("inverted") << QVector<double>{0.9, 0.8, 0.1, 0.2} << QVector<bool>{false, false, true, true}
                              << 0.0 << (0.5 * 1.0 / 3.0 + 0.5 * 0.5) << 2.0 / 3.0 << 0.1 << 0.5 << 1.0;
}

void TestAnomalyMetrics::measures()
{
    QFETCH(QVector<double>, scores);
    QFETCH(QVector<bool>, anomalous);
    QFETCH(double, auroc);
    QFETCH(double, aupr);
    QFETCH(double, f1);
    QFETCH(double, threshold);
    QFETCH(double, precision);
    QFETCH(double, recall);
    QVERIFY(std::abs(aes::auroc(scores, anomalous) - auroc) < 1e-12);
    QVERIFY(std::abs(averagePrecision(scores, anomalous) - aupr) < 1e-12);
    const Evaluation e = evaluateScores(scores, anomalous);
    QCOMPARE(e.anomalous, 2);
    QCOMPARE(e.normal, 2);
    QVERIFY(std::abs(e.auroc - auroc) < 1e-12);
    QVERIFY(std::abs(e.aupr - aupr) < 1e-12);
    QVERIFY2(std::abs(e.f1 - f1) < 1e-12, qPrintable(QString::number(e.f1)));
    QCOMPARE(e.threshold, threshold);
    QVERIFY(std::abs(e.precision - precision) < 1e-12);
    QVERIFY(std::abs(e.recall - recall) < 1e-12);
}

void TestAnomalyMetrics::missingGroupIsNaN()
{
    const QVector<double> scores{0.1, 0.2, 0.3};
    const Evaluation normalOnly = evaluateScores(scores, {false, false, false});
    QVERIFY(std::isnan(normalOnly.auroc));
    QVERIFY(std::isnan(normalOnly.aupr));
    QVERIFY(std::isnan(normalOnly.f1));
    QCOMPARE(normalOnly.normal, 3);
    const Evaluation anomalousOnly = evaluateScores(scores, {true, true, true});
    QVERIFY(std::isnan(anomalousOnly.auroc));
    QCOMPARE(anomalousOnly.aupr, 1.0);
    QVERIFY(std::isnan(auroc({}, {})));
}

void TestAnomalyMetrics::rocCurvePoints()
{
    const Curve c = rocCurve({0.1, 0.4, 0.35, 0.8}, {false, false, true, true});
    QCOMPARE(c.x, (QVector<double>{0.0, 0.0, 0.5, 0.5, 1.0}));
    QCOMPARE(c.y, (QVector<double>{0.0, 0.5, 0.5, 1.0, 1.0}));
    QVERIFY(std::isinf(c.thresholds[0]));
    QCOMPARE(c.thresholds.mid(1), (QVector<double>{0.8, 0.4, 0.35, 0.1}));
    // Tied scores make one point.
    QCOMPARE(rocCurve({1, 1, 1}, {true, false, true}).x.size(), 2);
}

void TestAnomalyMetrics::precisionRecallStartsAtRecallZero()
{
    const Curve c = precisionRecallCurve({0.1, 0.4, 0.35, 0.8}, {false, false, true, true});
    QCOMPARE(c.x, (QVector<double>{0.0, 0.5, 0.5, 1.0, 1.0}));
    QCOMPARE(c.y, (QVector<double>{1.0, 1.0, 0.5, 2.0 / 3.0, 0.5}));
}

void TestAnomalyMetrics::verdictsCountFlaggedImages()
{
    const Verdicts v = verdictsAt({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}, 0.4);
    QCOMPARE(v.truePositives, 1);   // 0.8
    QCOMPARE(v.falsePositives, 1);  // 0.4: flagged at score == threshold
    QCOMPARE(v.trueNegatives, 1);
    QCOMPARE(v.falseNegatives, 1);
}

void TestAnomalyMetrics::normalClassesChosen()
{
    QString error;
    const QStringList mvtec{"broken", "Good", "cut"};
    QCOMPARE(*normalClasses(mvtec, {}, {}, &error), QVector<int>{1});
    QCOMPARE(*normalClasses(mvtec, {"cut", "broken"}, {}, &error), (QVector<int>{2, 0}));
    QVERIFY(!normalClasses(mvtec, {"scratch"}, {}, &error));
    QVERIFY2(error.contains("scratch") && error.contains("broken, Good, cut"), qPrintable(error));
    const QStringList digits{"0", "1", "2", "3"};
    QCOMPARE(*normalClasses(digits, {}, {"3", "1"}, &error), (QVector<int>{1, 3}));
    error.clear();
    QVERIFY(!normalClasses(digits, {}, {}, &error));
    QVERIFY(!error.isEmpty());
}

void TestAnomalyMetrics::scoreKindNamesRoundTrip()
{
    QCOMPARE(scoreKindNames(), (QStringList{"mse", "ssim", "max-smoothed"}));
    for (const QString &name : scoreKindNames())
        QCOMPARE(toString(*scoreKindFromString(name)), name);
    QVERIFY(!scoreKindFromString("psnr"));
}

void TestAnomalyMetrics::thresholdFileRoundTrip()
{
    QTemporaryDir dir;
    QString error;
    QVERIFY(!readAnomalyThreshold(dir.path(), &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));  // no file is not a problem
    const AnomalyThreshold written{ScoreKind::MaxSmoothed, 1.5, 0.0123};
    QCOMPARE(writeAnomalyThreshold(dir.path(), written), QString());
    const std::optional<AnomalyThreshold> read = readAnomalyThreshold(dir.path(), &error);
    QVERIFY2(read, qPrintable(error));
    QVERIFY(read->kind == ScoreKind::MaxSmoothed);
    QCOMPARE(read->sigma, 1.5);
    QCOMPARE(read->threshold, 0.0123);

    QFile damaged(dir.filePath(runfiles::kAnomaly));
    QVERIFY(damaged.open(QIODevice::WriteOnly));
    damaged.write(R"({"score": "psnr", "threshold": 1})");
    damaged.close();
    QVERIFY(!readAnomalyThreshold(dir.path(), &error));
    QVERIFY2(error.contains("score") && error.contains(runfiles::kAnomaly), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestAnomalyMetrics)
#include "tst_anomalymetrics.moc"
