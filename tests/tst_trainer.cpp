// The trainer on small generated data: it learns, it obeys stop and pause from
// another thread within one batch, and a NaN loss restores the last good weights.

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "testdata.h"
#include "training/lrschedule.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace aes;

namespace {
std::vector<torch::Tensor> weights(const Trainer &t)
{
    std::vector<torch::Tensor> w;
    for (const auto &p : t.model()->parameters())
        w.push_back(p.detach().clone());
    return w;
}
bool sameWeights(const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
    for (size_t i = 0; i < a.size(); ++i)
        if (!torch::equal(a[i], b[i]))
            return false;
    return true;
}

// A trainer on n generated size x size images with a fraction held out for validation.
std::unique_ptr<Trainer> makeTrainer(const TrainOptions &train, const ModelOptions &model = {}, int n = 64,
                                     int size = 8, double valFraction = 0.25)
{
    const Dataset data = test::makePatternDataset(n, 1, size, size);
    QString error;
    auto trainer = Trainer::create(data, splitIndices(data.size(), valFraction, 1), model, train, &error);
    if (!trainer)
        qWarning("cannot create the trainer: %s", qPrintable(error));
    return trainer;
}
} // namespace

class TestTrainer final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { setComputeThreads(2); }
    void validationLossFalls_data();
    void validationLossFalls();
    void sameSeedSameResult();
    void stopFromAnotherThread();
    void pauseFromAnotherThread();
    void stopDuringValidation();
    void injectedNanRestoresLastGoodWeights();
    void hugeLearningRateIsCaught();
    void allocationFailureIsReportedAndRolledBack();
    void explodingStepIsCaughtAtOnce_data();
    void explodingStepIsCaughtAtOnce();
    void learningRateChangeApplies();
    void splitIsDeterministicAndDisjoint();
    void resumeEqualsAnUninterruptedRun_data();
    void resumeEqualsAnUninterruptedRun();
    void restoreRefusesOtherModelsAndChangesNothing();
    void scheduleSetsEveryStepsRate_data();
    void scheduleSetsEveryStepsRate();
    void resumeWithAScheduleEqualsAnUninterruptedRun_data();
    void resumeWithAScheduleEqualsAnUninterruptedRun();
    void earlyStoppingKeepsTheBestWeights();
private:
    QTemporaryDir m_dir;
};

void TestTrainer::validationLossFalls_data()
{
    QTest::addColumn<QString>("kind");
    for (const QString &kind : modelKindNames())
        QTest::newRow(qPrintable(kind)) << kind;
}

void TestTrainer::validationLossFalls()
{
    QFETCH(QString, kind);
    ModelOptions model;
    model.kind = *modelKindFromString(kind);
    model.latent = 8;
    TrainOptions train;
    train.epochs = 0;
    train.batchSize = 32;
    train.learningRate = model.kind == ModelKind::KerasConv ? 3e-3 : 5e-3;
    auto trainer = makeTrainer(train, model, 256, 16, 0.25);
    QVERIFY(trainer);
    const double before = trainer->evaluate().valMse;
    trainer->setEpochs(8);
    TrainingControl control;
    const TrainOutcome outcome = trainer->run(control);
    QVERIFY2(outcome.status == TrainStatus::Finished, qPrintable(outcome.message));
    QCOMPARE(trainer->history().size(), 8);
    const EpochReport last = trainer->history().last();
    QVERIFY2(last.valMse < 0.6 * before, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(last.valMse)));
    QVERIFY(last.valPsnr > 10.0 * std::log10(1.0 / before));
    QVERIFY(last.valSsim > trainer->history().first().valSsim - 0.05);
    QVERIFY(last.knnAccuracy >= 0.0 && last.knnAccuracy <= 1.0);
    QVERIFY(last.seconds > 0.0 && last.imagesPerSecond > 0.0);
}

void TestTrainer::sameSeedSameResult()
{
    TrainOptions train;
    train.epochs = 2;
    train.batchSize = 16;
    train.threads = 1;
    QVector<double> losses;
    for (int run = 0; run < 2; ++run) {
        auto trainer = makeTrainer(train, ModelOptions{}, 64, 8, 0.25);
        QVERIFY(trainer);
        TrainingControl control;
        trainer->run(control);
        losses << trainer->history().last().valLoss;
    }
    QCOMPARE(losses[0], losses[1]);
}

void TestTrainer::stopFromAnotherThread()
{
    TrainOptions train;
    train.epochs = 1000;
    train.batchSize = 8;
    auto trainer = makeTrainer(train, ModelOptions{}, 512, 16, 0.1);
    QVERIFY(trainer);
    TrainingControl control;
    std::atomic<qint64> stepAtStop{-1};
    std::atomic<qint64> lastStep{0};
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &s) { lastStep = s.globalStep; };
    QThread *stopper = QThread::create([&] {
        while (lastStep.load() < 5)
            QThread::msleep(1);
        stepAtStop = lastStep.load();
        control.stop();
    });
    stopper->start();
    const TrainOutcome outcome = trainer->run(control, callbacks);
    stopper->wait();
    delete stopper;
    QVERIFY2(outcome.status == TrainStatus::Stopped, qPrintable(outcome.message));
    // The batch running when stop() was called may finish; no other one starts.
    QVERIFY2(trainer->globalStep() <= stepAtStop.load() + 1,
             qPrintable(QStringLiteral("%1 vs %2").arg(trainer->globalStep()).arg(stepAtStop.load())));
    QCOMPARE(outcome.epochsCompleted, 0);
}

void TestTrainer::pauseFromAnotherThread()
{
    TrainOptions train;
    train.epochs = 1000;
    train.batchSize = 4;
    auto trainer = makeTrainer(train, ModelOptions{}, 256, 8, 0.1);
    QVERIFY(trainer);
    TrainingControl control;
    std::atomic<qint64> lastStep{0};
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &s) { lastStep = s.globalStep; };
    TrainOutcome outcome;
    QThread *worker = QThread::create([&] { outcome = trainer->run(control, callbacks); });
    worker->start();
    QTRY_VERIFY(lastStep.load() >= 3);
    control.pause();
    QTest::qWait(100);  // the batch in flight finishes
    const qint64 paused = lastStep.load();
    QTest::qWait(300);  // ... and nothing more happens while paused
    QCOMPARE(lastStep.load(), paused);
    control.resume();
    QTRY_VERIFY(lastStep.load() > paused + 3);
    control.pause();
    QTest::qWait(50);
    control.stop();  // stop wakes a paused trainer
    QVERIFY(worker->wait(5000));
    delete worker;
    QVERIFY2(outcome.status == TrainStatus::Stopped, qPrintable(outcome.message));
}

void TestTrainer::stopDuringValidation()
{
    // A stop requested at the last step of an epoch lands in the validation pass, which on a
    // large set takes seconds: it must end there too, not run to its end.
    TrainOptions train;
    train.epochs = 5;
    train.batchSize = 16;
    auto trainer = makeTrainer(train, ModelOptions{}, 64, 8, 0.5);
    QVERIFY(trainer);
    TrainingControl control;
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &s) {
        if (s.stepInEpoch == s.stepsPerEpoch)
            control.stop();
    };
    const TrainOutcome outcome = trainer->run(control, callbacks);
    QVERIFY2(outcome.status == TrainStatus::Stopped, qPrintable(outcome.message));
    QCOMPARE(trainer->epochsCompleted(), 1);
    QVERIFY(std::isnan(trainer->history().last().valLoss));
    QVERIFY(std::isfinite(trainer->history().last().trainLoss));
    // Without a stop the same trainer validates normally.
    QVERIFY(std::isfinite(trainer->evaluate().valLoss));
}

void TestTrainer::injectedNanRestoresLastGoodWeights()
{
    TrainOptions train;
    train.epochs = 3;
    train.batchSize = 8;
    train.debugNanAtStep = 4;
    auto trainer = makeTrainer(train, ModelOptions{}, 64, 8, 0.25);
    QVERIFY(trainer);
    TrainingControl control;
    std::vector<torch::Tensor> beforeBadStep;
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &s) {
        // Step 3's loss was computed with the weights left by step 2: the last ones known
        // to be good when step 4's loss is NaN.
        if (s.globalStep == 2)
            beforeBadStep = weights(*trainer);
    };
    const TrainOutcome outcome = trainer->run(control, callbacks);
    QVERIFY2(outcome.status == TrainStatus::Diverged, qPrintable(outcome.message));
    QVERIFY(outcome.message.contains(QStringLiteral("NaN")));
    QVERIFY(outcome.message.contains(QStringLiteral("lower learning rate")));
    QCOMPARE(trainer->globalStep(), qint64(3));
    QVERIFY(sameWeights(weights(*trainer), beforeBadStep));
    // Training can go on from there.
    trainer->setEpochs(1);
    const TrainOutcome again = trainer->run(control);
    QVERIFY2(again.status == TrainStatus::Finished, qPrintable(again.message));
}

void TestTrainer::allocationFailureIsReportedAndRolledBack()
{
    // An allocation that does not fit, half-way through step 3 (after the optimizer moved the
    // weights): reported as out of memory, the step undone, the trainer still usable.
    TrainOptions train;
    train.epochs = 2;
    train.batchSize = 8;
    train.debugAllocFailAtStep = 3;
    auto trainer = makeTrainer(train, ModelOptions{}, 64, 8, 0.25);
    QVERIFY(trainer);
    TrainingControl control;
    std::vector<torch::Tensor> beforeFailedStep;
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &s) {
        if (s.globalStep == 2)
            beforeFailedStep = weights(*trainer);
    };
    const TrainOutcome outcome = trainer->run(control, callbacks);
    QCOMPARE(outcome.status, TrainStatus::Failed);
    QVERIFY2(outcome.message.startsWith(QStringLiteral("Out of memory")), qPrintable(outcome.message));
    QVERIFY(outcome.message.contains(QStringLiteral("smaller batch size")));
    QCOMPARE(trainer->globalStep(), qint64(2));
    QVERIFY(sameWeights(weights(*trainer), beforeFailedStep));
    const TrainOutcome again = trainer->run(control);
    QVERIFY2(again.status == TrainStatus::Finished, qPrintable(again.message));
}

void TestTrainer::hugeLearningRateIsCaught()
{
    ModelOptions model;
    model.kind = ModelKind::Dense;
    model.batchNorm = false;
    TrainOptions train;
    train.epochs = 5;
    train.batchSize = 8;
    train.optimizer = OptimizerKind::Sgd;
    train.learningRate = 1e6;
    train.loss = LossKind::Bce;
    auto trainer = makeTrainer(train, model, 64, 8, 0.25);
    QVERIFY(trainer);
    TrainingControl control;
    const TrainOutcome outcome = trainer->run(control);
    QVERIFY2(outcome.status == TrainStatus::Diverged, qPrintable(outcome.message));
    for (const auto &p : trainer->model()->parameters())
        QVERIFY(torch::isfinite(p).all().item<bool>());
}

void TestTrainer::explodingStepIsCaughtAtOnce_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("loss");
    // Sigmoid outputs bound the MSE and L1 losses: they stay finite however far the weights go.
    QTest::newRow("conv mse") << "conv" << "mse";
    QTest::newRow("dense mse") << "dense" << "mse";
    QTest::newRow("vae bce") << "vae" << "bce";
    QTest::newRow("sparse l1") << "sparse" << "l1";
}

void TestTrainer::explodingStepIsCaughtAtOnce()
{
    QFETCH(QString, kind);
    QFETCH(QString, loss);
    ModelOptions model;
    model.kind = *modelKindFromString(kind);
    model.latent = 8;
    TrainOptions train;
    train.epochs = 2;
    train.batchSize = 8;
    train.optimizer = OptimizerKind::Adam;
    train.learningRate = 100.0;
    train.loss = *lossKindFromString(loss);
    auto trainer = makeTrainer(train, model, 64, 8, 0.25);
    QVERIFY(trainer);
    const std::vector<torch::Tensor> initial = weights(*trainer);
    TrainingControl control;
    int steps = 0;
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &) { ++steps; };
    const TrainOutcome outcome = trainer->run(control, callbacks);
    QVERIFY2(outcome.status == TrainStatus::Diverged, qPrintable(outcome.message));
    // Caught at the first step: no step was reported or counted, the weights are those
    // from before it, and the user is told what to do.
    QCOMPARE(steps, 0);
    QCOMPARE(trainer->globalStep(), qint64(0));
    QVERIFY(sameWeights(weights(*trainer), initial));
    QVERIFY2(outcome.message.contains(QStringLiteral("step 1 ")), qPrintable(outcome.message));
    QVERIFY2(outcome.message.contains(QStringLiteral("lower learning rate")), qPrintable(outcome.message));
    // Training can go on at a sound rate (fresh optimizer moments, nothing left of the bad step).
    control.setLearningRate(3e-3);
    trainer->setEpochs(1);
    const TrainOutcome again = trainer->run(control);
    QVERIFY2(again.status == TrainStatus::Finished, qPrintable(again.message));
    QVERIFY(trainer->globalStep() > 0);
    QVERIFY(std::isfinite(trainer->history().last().valLoss));
}

void TestTrainer::learningRateChangeApplies()
{
    TrainOptions train;
    train.epochs = 1;
    train.batchSize = 8;
    auto trainer = makeTrainer(train, ModelOptions{}, 64, 8, 0.25);
    QVERIFY(trainer);
    TrainingControl control;
    QVector<double> rates;
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &s) {
        rates << s.learningRate;
        if (s.globalStep == 2)
            control.setLearningRate(1e-4);
    };
    trainer->run(control, callbacks);
    QCOMPARE(rates[1], train.learningRate);
    QCOMPARE(rates[2], 1e-4);
    QCOMPARE(rates.last(), 1e-4);
}

void TestTrainer::splitIsDeterministicAndDisjoint()
{
    const Split a = splitIndices(1000, 0.1, 42), b = splitIndices(1000, 0.1, 42), c = splitIndices(1000, 0.1, 43);
    QCOMPARE(a.val.numel(), 100);
    QCOMPARE(a.train.numel(), 900);
    QVERIFY(torch::equal(a.val, b.val) && torch::equal(a.train, b.train));
    QVERIFY(!torch::equal(a.val, c.val));
    const torch::Tensor all = std::get<0>(torch::cat({a.train, a.val}).sort());
    QVERIFY(torch::equal(all, torch::arange(1000, torch::kLong)));
}

void TestTrainer::resumeEqualsAnUninterruptedRun_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("optimizer");
    // vae and denoising draw from the global generator, dense uses dropout: all must resume.
    QTest::newRow("conv-adam") << QStringLiteral("conv") << QStringLiteral("adam");
    QTest::newRow("vae-adamw") << QStringLiteral("vae") << QStringLiteral("adamw");
    QTest::newRow("denoising-sgd") << QStringLiteral("denoising") << QStringLiteral("sgd");
    QTest::newRow("dense-adam") << QStringLiteral("dense") << QStringLiteral("adam");
}

void TestTrainer::resumeEqualsAnUninterruptedRun()
{
    QFETCH(QString, kind);
    QFETCH(QString, optimizer);
    setComputeThreads(1);
    ModelOptions model;
    model.kind = *modelKindFromString(kind);
    TrainOptions train;
    train.epochs = 2;
    train.batchSize = 16;
    train.threads = 1;
    train.optimizer = *optimizerKindFromString(optimizer);
    auto whole = makeTrainer(train, model, 96, 12, 0.25);
    QVERIFY(whole);
    TrainingControl control;
    QVERIFY(whole->run(control).status == TrainStatus::Finished);

    train.epochs = 1;
    auto first = makeTrainer(train, model, 96, 12, 0.25);
    QVERIFY(first->run(control).status == TrainStatus::Finished);
    const QString path = m_dir.filePath(kind + QStringLiteral(".pt"));
    QCOMPARE(first->saveCheckpoint(path), QString());
    first.reset();

    train.epochs = 2;
    auto second = makeTrainer(train, model, 96, 12, 0.25);
    QCOMPARE(second->restore(path), QString());
    QCOMPARE(second->epochsCompleted(), 1);
    QVERIFY(second->run(control).status == TrainStatus::Finished);
    QCOMPARE(second->globalStep(), whole->globalStep());
    const double a = whole->history().last().valLoss, b = second->history().last().valLoss;
    QVERIFY2(std::abs(a - b) <= 1e-4 * std::abs(a), qPrintable(QStringLiteral("%1 vs %2").arg(a, 0, 'g', 10).arg(b, 0, 'g', 10)));
    QCOMPARE(second->history().first().valLoss, whole->history().first().valLoss);
    setComputeThreads(2);
}

void TestTrainer::restoreRefusesOtherModelsAndChangesNothing()
{
    TrainOptions train;
    train.epochs = 1;
    train.batchSize = 16;
    auto trainer = makeTrainer(train);
    TrainingControl control;
    trainer->run(control);
    const std::vector<torch::Tensor> before = weights(*trainer);

    // Weights only: no optimizer or generator state to continue from.
    const QString weightsOnly = m_dir.filePath(QStringLiteral("weights.pt"));
    QCOMPARE(saveCheckpoint(weightsOnly, *trainer->model()), QString());
    QVERIFY(trainer->restore(weightsOnly).contains(QStringLiteral("weights only")));

    // Another latent size.
    ModelOptions other;
    other.latent = 3;
    auto otherTrainer = makeTrainer(train, other);
    const QString otherPath = m_dir.filePath(QStringLiteral("other.pt"));
    QCOMPARE(otherTrainer->saveCheckpoint(otherPath), QString());
    const QString why = trainer->restore(otherPath);
    QVERIFY2(why.contains(QStringLiteral("another model")) && why.contains(otherPath), qPrintable(why));
    QVERIFY(sameWeights(weights(*trainer), before));
    QCOMPARE(trainer->epochsCompleted(), 1);
}

void TestTrainer::scheduleSetsEveryStepsRate_data()
{
    QTest::addColumn<QString>("schedule");
    for (const QString &name : {QStringLiteral("cosine"), QStringLiteral("onecycle")})
        QTest::newRow(qPrintable(name)) << name;
}

void TestTrainer::scheduleSetsEveryStepsRate()
{
    QFETCH(QString, schedule);
    TrainOptions train;
    train.epochs = 2;
    train.batchSize = 8;
    train.schedule = *scheduleKindFromString(schedule);
    auto trainer = makeTrainer(train, ModelOptions{}, 64, 8, 0.25);  // 48 training images: 6 steps an epoch
    QVERIFY(trainer);
    TrainingControl control;
    QVector<double> rates;
    TrainCallbacks callbacks;
    callbacks.onStep = [&](const StepReport &s) { rates << s.learningRate; };
    QVERIFY(trainer->run(control, callbacks).status == TrainStatus::Finished);
    QCOMPARE(rates.size(), 12);
    const LearningRateSchedule expected(train.schedule, train.learningRate, 12);
    for (int step = 0; step < rates.size(); ++step)
        QVERIFY2(std::abs(rates[step] - expected.at(step)) <= 1e-15,
                 qPrintable(QStringLiteral("step %1: %2 vs %3").arg(step).arg(rates[step]).arg(expected.at(step))));
    QVERIFY(rates.last() < train.learningRate / 10);
}

void TestTrainer::resumeWithAScheduleEqualsAnUninterruptedRun_data()
{
    QTest::addColumn<QString>("schedule");
    for (const QString &name : {QStringLiteral("cosine"), QStringLiteral("plateau")})
        QTest::newRow(qPrintable(name)) << name;
}

void TestTrainer::resumeWithAScheduleEqualsAnUninterruptedRun()
{
    QFETCH(QString, schedule);
    setComputeThreads(1);
    TrainOptions train;
    train.epochs = 3;
    train.batchSize = 16;
    train.threads = 1;
    train.schedule = *scheduleKindFromString(schedule);
    QVector<double> wholeRates;
    TrainCallbacks record;
    record.onStep = [&](const StepReport &s) { wholeRates << s.learningRate; };
    auto whole = makeTrainer(train, ModelOptions{}, 96, 12, 0.25);
    QVERIFY(whole);
    TrainingControl control;
    QVERIFY(whole->run(control, record).status == TrainStatus::Finished);

    // The same run stopped after its first epoch (as a killed run's checkpoint has it), then continued.
    auto first = makeTrainer(train, ModelOptions{}, 96, 12, 0.25);
    TrainingControl stopAfterOne;
    TrainCallbacks stop;
    stop.onEpoch = [&](const EpochReport &) { stopAfterOne.stop(); };
    first->run(stopAfterOne, stop);
    QCOMPARE(first->epochsCompleted(), 1);
    const QString path = m_dir.filePath(QStringLiteral("schedule-%1.pt").arg(schedule));
    QCOMPARE(first->saveCheckpoint(path), QString());
    first.reset();

    auto second = makeTrainer(train, ModelOptions{}, 96, 12, 0.25);
    QCOMPARE(second->restore(path), QString());
    QVector<double> secondRates;
    TrainCallbacks recordSecond;
    recordSecond.onStep = [&](const StepReport &s) { secondRates << s.learningRate; };
    QVERIFY(second->run(control, recordSecond).status == TrainStatus::Finished);
    QCOMPARE(secondRates, wholeRates.mid(wholeRates.size() - secondRates.size()));
    const double a = whole->history().last().valLoss, b = second->history().last().valLoss;
    QVERIFY2(std::abs(a - b) <= 1e-4 * std::abs(a), qPrintable(QStringLiteral("%1 vs %2").arg(a, 0, 'g', 10).arg(b, 0, 'g', 10)));
    setComputeThreads(2);
}

void TestTrainer::earlyStoppingKeepsTheBestWeights()
{
    TrainOptions train;
    train.epochs = 10;
    train.batchSize = 8;
    train.earlyStopping = true;
    train.patience = 2;
    train.minDelta = 0.99;  // only a 100x better loss counts: epoch 1 stays the best
    auto trainer = makeTrainer(train, ModelOptions{}, 64, 8, 0.25);
    QVERIFY(trainer);
    TrainingControl control;
    std::vector<torch::Tensor> firstEpoch;
    TrainCallbacks callbacks;
    callbacks.onEpoch = [&](const EpochReport &e) {
        if (e.epoch == 1)
            firstEpoch = weights(*trainer);
    };
    const TrainOutcome outcome = trainer->run(control, callbacks);
    QVERIFY(outcome.status == TrainStatus::Finished);
    QCOMPARE(outcome.epochsCompleted, 3);
    QCOMPARE(outcome.bestEpoch, 1);
    QVERIFY2(outcome.message.contains(QStringLiteral("stopped early")), qPrintable(outcome.message));
    QVERIFY(!firstEpoch.empty());
    QVERIFY(sameWeights(weights(*trainer), firstEpoch));
    QCOMPARE(trainer->keptEpoch(), 1);
    // The same run without early stopping trains every epoch.
    train.earlyStopping = false;
    auto full = makeTrainer(train, ModelOptions{}, 64, 8, 0.25);
    QCOMPARE(full->run(control).epochsCompleted, 10);
    QCOMPARE(full->keptEpoch(), 0);
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
