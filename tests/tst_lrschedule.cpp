// Learning-rate schedules against their formulas, the user's rate rescaling a schedule, the
// plateau rule, a schedule's state surviving a checkpoint, and the early-stopping rule.

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

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "tst_lrschedule.moc"
