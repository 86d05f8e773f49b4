// Learning-rate schedules against their formulas, the user's rate rescaling a schedule, the
// plateau rule, a schedule's state surviving a checkpoint, the early-stopping rule, and the
// defaults that follow the data (which choose the schedule among the rest).

#include "training/datadefaults.h"
#include "training/lrschedule.h"

#include <QTest>

#include <cmath>

using namespace aes;

namespace {
constexpr double kPi = 3.14159265358979323846;
bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b)); }
} // namespace

class TestLrSchedule final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constantIsFlat();
    void cosineWarmsUpThenFollowsTheFormula();
    void oneCycleRisesToThePeakAndFallsFarBelowTheStart();
    void plateauHalvesAfterTwoEpochsWithoutImprovement();
    void userRateRescalesTheRestOfTheSchedule();
    void stateSurvivesACheckpoint();
    void longerRunStretchesTheSchedule();
    void earlyStoppingWaitsForPatience();
    void dataDefaultsFollowTheRule_data();
    void dataDefaultsFollowTheRule();
    void dataDefaultsLeaveTheUsersChoices();
    void automaticFlagsRoundTrip();
};

void TestLrSchedule::constantIsFlat()
{
    const LearningRateSchedule s(ScheduleKind::Constant, 0.01, 100);
    for (qint64 step : {0, 1, 50, 99, 500})
        QCOMPARE(s.at(step), 0.01);
}

void TestLrSchedule::cosineWarmsUpThenFollowsTheFormula()
{
    const double peak = 0.01;
    const LearningRateSchedule s(ScheduleKind::Cosine, peak, 100);  // warm-up W = 5 steps
    QVERIFY(close(s.at(0), peak / 5));
    QVERIFY(close(s.at(2), peak * 3 / 5));
    QVERIFY(close(s.at(4), peak));
    QVERIFY(close(s.at(5), peak));
    for (qint64 step : {6, 30, 52, 77, 99})
        QVERIFY2(close(s.at(step), peak * (1 + std::cos(kPi * double(step - 5) / 95.0)) / 2),
                 qPrintable(QString::number(step)));
    QVERIFY(s.at(99) < peak * 1e-3);
    for (qint64 step = 5; step < 99; ++step)
        QVERIFY(s.at(step + 1) <= s.at(step));
}

void TestLrSchedule::oneCycleRisesToThePeakAndFallsFarBelowTheStart()
{
    const double peak = 0.01;
    const LearningRateSchedule s(ScheduleKind::OneCycle, peak, 100);  // rise over 30 steps
    QVERIFY(close(s.at(0), peak / 25));
    QVERIFY(close(s.at(15), (peak / 25 + peak) / 2));  // half way up the cosine
    QVERIFY(close(s.at(30), peak));
    const double end = peak / 25 / 1e4;
    QVERIFY(close(s.at(65), (peak + end) / 2));
    QVERIFY(close(s.at(100), end));
    for (qint64 step = 0; step < 30; ++step)
        QVERIFY(s.at(step + 1) >= s.at(step));
    for (qint64 step = 30; step < 100; ++step)
        QVERIFY(s.at(step + 1) <= s.at(step));
}

void TestLrSchedule::plateauHalvesAfterTwoEpochsWithoutImprovement()
{
    LearningRateSchedule s(ScheduleKind::Plateau, 0.01, 100);
    QVERIFY(!s.epochEnded(1.0));
    QVERIFY(!s.epochEnded(0.9));       // better
    QVERIFY(!s.epochEnded(0.8999999)); // by less than 1e-4 relative: not better (1 bad epoch)
    QCOMPARE(s.at(10), 0.01);
    QVERIFY(s.epochEnded(0.95));       // 2 bad epochs: halved
    QCOMPARE(s.at(10), 0.005);
    QVERIFY(!s.epochEnded(0.95));
    QVERIFY(s.epochEnded(0.95));
    QCOMPARE(s.at(10), 0.0025);
    QVERIFY(!s.epochEnded(0.5));       // better again: the count starts over
    QVERIFY(!s.epochEnded(0.6));
    QCOMPARE(s.at(10), 0.0025);
    // Other schedules ignore validation losses.
    LearningRateSchedule constant(ScheduleKind::Constant, 0.01, 100);
    for (int i = 0; i < 5; ++i)
        QVERIFY(!constant.epochEnded(1.0));
    QCOMPARE(constant.at(0), 0.01);
}

void TestLrSchedule::userRateRescalesTheRestOfTheSchedule()
{
    const double peak = 0.01;
    LearningRateSchedule s(ScheduleKind::Cosine, peak, 100);
    const LearningRateSchedule reference(ScheduleKind::Cosine, peak, 100);
    const double scale = 0.001 / reference.at(40);
    s.rescale(0.001, 40);
    QVERIFY(close(s.at(40), 0.001));
    for (qint64 step : {41, 60, 90})
        QVERIFY(close(s.at(step), reference.at(step) * scale));
}

void TestLrSchedule::stateSurvivesACheckpoint()
{
    LearningRateSchedule s(ScheduleKind::Plateau, 0.01, 100);
    s.epochEnded(1.0);
    s.epochEnded(1.0);
    s.epochEnded(1.0);  // halved
    s.rescale(0.002, 10);
    s.epochEnded(1.0);  // one bad epoch pending
    LearningRateSchedule restored(ScheduleKind::Plateau, 0.01, 100);
    restored.restoreState(s.state());
    QCOMPARE(restored.at(20), s.at(20));
    QCOMPARE(restored.epochEnded(1.0), s.epochEnded(1.0));  // both halve now
    QCOMPARE(restored.at(20), s.at(20));
}

void TestLrSchedule::longerRunStretchesTheSchedule()
{
    LearningRateSchedule s(ScheduleKind::Cosine, 0.01, 100);
    const double before = s.at(99);
    s.setTotalSteps(200);
    const LearningRateSchedule longer(ScheduleKind::Cosine, 0.01, 200);
    QCOMPARE(s.at(99), longer.at(99));
    QVERIFY(s.at(99) > before);
}

void TestLrSchedule::earlyStoppingWaitsForPatience()
{
    EarlyStopping early(/*patience=*/2, /*minDelta=*/0.01);
    QVERIFY(early.add(1, 1.0));
    QVERIFY(early.add(2, 0.9));
    QVERIFY(!early.add(3, 0.895));  // less than 1% better
    QVERIFY(!early.shouldStop(3));
    QVERIFY(!early.add(4, std::nan("")));  // a missing loss never counts as better
    QVERIFY(early.shouldStop(4));
    QCOMPARE(early.bestEpoch(), 2);
    QCOMPARE(early.bestLoss(), 0.9);
}

void TestLrSchedule::dataDefaultsFollowTheRule_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("side");
    QTest::addColumn<qint64>("images");
    QTest::addColumn<int>("latent");
    QTest::addColumn<QString>("widths");
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("epochs");
    // The benchmark sets of docs/PERFORMANCE.md; Fashion-MNIST keeps what it was tuned to.
    QTest::newRow("fashion-mnist") << 1 << 28 << qint64(63000) << 16 << "8,16" << 32 << 10;
    QTest::newRow("digits 8x8") << 1 << 8 << qint64(1617) << 16 << "8,16" << 16 << 13;
    QTest::newRow("faces 25x25") << 1 << 25 << qint64(2700) << 16 << "8,16" << 16 << 10;
    QTest::newRow("gray 32x32: 1024 values") << 1 << 32 << qint64(5000) << 16 << "8,16" << 16 << 10;
    QTest::newRow("gray 33x33") << 1 << 33 << qint64(5000) << 32 << "8,16" << 16 << 10;
    QTest::newRow("gray 65x65") << 1 << 65 << qint64(5000) << 64 << "8,16,32" << 16 << 10;
    QTest::newRow("icons 48x48 rgb") << 3 << 48 << qint64(897) << 64 << "8,16" << 16 << 23;
    QTest::newRow("photos 64x64") << 3 << 64 << qint64(3600) << 64 << "8,16" << 16 << 10;
    QTest::newRow("photos 128x128") << 3 << 128 << qint64(1800) << 64 << "8,16,32" << 16 << 12;
    QTest::newRow("1024x1024: 4 stages at most") << 3 << 1024 << qint64(100) << 64 << "8,16,32,64" << 16 << 30;
    QTest::newRow("10000 images: batch 32") << 1 << 28 << qint64(10000) << 16 << "8,16" << 32 << 10;
}

void TestLrSchedule::dataDefaultsFollowTheRule()
{
    QFETCH(int, channels);
    QFETCH(int, side);
    QFETCH(qint64, images);
    QFETCH(int, latent);
    QFETCH(QString, widths);
    QFETCH(int, batch);
    QFETCH(int, epochs);
    const DataShape shape{channels, side, side, images};
    ModelOptions model;
    TrainOptions train;
    const QString chosen = applyDataDefaults(shape, AutoOptions(), &model, &train);
    QCOMPARE(model.latent, latent);
    QStringList w;
    for (int v : model.widths)
        w << QString::number(v);
    QCOMPARE(w.join(QLatin1Char(',')), widths);
    QCOMPARE(train.batchSize, batch);
    QCOMPARE(train.epochs, epochs);
    QCOMPARE(toString(train.schedule), QStringLiteral("cosine"));
    QVERIFY2(chosen.contains(QStringLiteral("latent %1").arg(latent)), qPrintable(chosen));
    QVERIFY(model.validate().isEmpty());
    QVERIFY(train.validate().isEmpty());

    // With early stopping the length is the cap and the schedule the plateau rule.
    TrainOptions stopping;
    stopping.earlyStopping = true;
    stopping.epochs = kAutoEpochCap;
    applyDataDefaults(shape, AutoOptions(), &model, &stopping);
    QCOMPARE(stopping.epochs, kAutoEpochCap);
    QCOMPARE(toString(stopping.schedule), QStringLiteral("plateau"));
}

void TestLrSchedule::dataDefaultsLeaveTheUsersChoices()
{
    const DataShape icons{3, 48, 48, 897};
    ModelOptions model;
    model.latent = 5;
    model.widths = {4, 4, 4};
    TrainOptions train;
    train.batchSize = 7;
    train.epochs = 3;
    train.schedule = ScheduleKind::OneCycle;
    QVERIFY(applyDataDefaults(icons, AutoOptions::none(), &model, &train).isEmpty());
    QCOMPARE(model.latent, 5);
    QCOMPARE(model.widths, (QVector<int>{4, 4, 4}));
    QCOMPARE(train.batchSize, 7);
    QCOMPARE(train.epochs, 3);
    QCOMPARE(toString(train.schedule), QStringLiteral("onecycle"));

    // Only the automatic ones change; dense and keras-conv keep their own widths.
    AutoOptions onlyLatent = AutoOptions::none();
    onlyLatent.latent = true;
    onlyLatent.widths = true;
    model.kind = ModelKind::Dense;
    model.widths.clear();
    const QString chosen = applyDataDefaults(icons, onlyLatent, &model, &train);
    QCOMPARE(model.latent, 64);
    QVERIFY(model.widths.isEmpty());
    QCOMPARE(train.batchSize, 7);
    QCOMPARE(chosen, QStringLiteral("for 48x48x3, 897 training images: latent 64"));
}

void TestLrSchedule::automaticFlagsRoundTrip()
{
    AutoOptions a;
    a.widths = false;
    a.schedule = false;
    const AutoOptions b = autoOptionsFromJson(toJson(a));
    QCOMPARE(toJson(b), toJson(a));
    const AutoOptions missing = autoOptionsFromJson(QJsonObject{});
    QVERIFY(missing.latent && missing.widths && missing.batchSize && missing.epochs && missing.schedule);
}

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "tst_lrschedule.moc"
