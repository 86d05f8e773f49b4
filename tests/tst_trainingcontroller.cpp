// The training controller: loading and training on its worker thread, results as signals,
// pause / resume / stop between batches, and a clean shutdown mid-training.

#include "controller/trainingcontroller.h"

#include "data/audiofile.h"
#include "data/idxfile.h"
#include "data/spectrogramsound.h"
#include "testutil.h"

#include <torch/torch.h>

#include <QImage>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <memory>

using aes::TrainingController;

class TestTrainingController final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void loadSummarisesTheFolder();
    void missingFolderFailsToLoad();
    void lossFalls_data();
    void lossFalls();
    void reconstructionsCoverClasses();
    void pauseStopsStepsAndResumeContinues();
    void stopWhilePausedEndsWithoutAnotherBatch();
    void stopWhileRunningEndsTheRun();
    void learningRateChangeApplies();
    void unusableOptionsFail();
    void destroyingMidTrainingIsClean();
    void loadOptionsShapeTheImages();
    void folderWithoutImagesNamesFolderAndReasons();
    void continueAfterStopGoesOnFromTheWeights();
    void continueAtAnotherRateMarksTheChange();
    void divergenceKeepsTheModelToContinue();
    void newModelForgetsTheWeights();
    void latentMapCoversEveryImageAndDecodes();
    void latentRequestsAreServedWhileTraining();
    void decodingAtAnImagesCodeGivesItsReconstruction_data();
    void decodingAtAnImagesCodeGivesItsReconstruction();
    void mapsCarryErrorsAndTheWorstImages();
    void chosenDimensionsFollowEveryEpoch();
    void interpolationEndsAtBothReconstructions_data();
    void interpolationEndsAtBothReconstructions();
    void traversalGridHasEveryCell();
    void requestsAreServedWhilePaused();
    void tsneShowsIntermediateLayouts();
    void requestsAreServedWhenPausedBeforeTheFirstStep();
    void allocationFailureIsReportedNotACrash();
    void audioFolderTrainsAndSoundsBack();

private:
    // A controller with the fixture loaded.
    std::unique_ptr<TrainingController> loadedController();
    static aes::TrainOptions longRun();

    QTemporaryDir m_dir;
};

void TestTrainingController::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Two classes a user could tell apart: horizontal and vertical gradients, with noise.
    QRandomGenerator random(7);
    for (int i = 0; i < 64; ++i) {
        const bool horizontal = i % 2 == 0;
        QImage image(8, 8, QImage::Format_Grayscale8);
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) {
                const int ramp = (horizontal ? x : y) * 32;
                const int value = qBound(0, ramp + int(random.bounded(40)) - 20, 255);
                image.scanLine(y)[x] = uchar(value);
            }
        const QString cls = horizontal ? QStringLiteral("horizontal") : QStringLiteral("vertical");
        QDir().mkpath(m_dir.filePath(cls));
        QVERIFY(image.save(m_dir.filePath(QStringLiteral("%1/%2.png").arg(cls).arg(i, 2, 10, QLatin1Char('0')))));
    }
    QVERIFY(aes::test::writeFile(m_dir.filePath(QStringLiteral("horizontal/broken.png")), "not a png"));
}

std::unique_ptr<TrainingController> TestTrainingController::loadedController()
{
    auto controller = std::make_unique<TrainingController>();
    QSignalSpy loaded(controller.get(), &TrainingController::datasetLoaded);
    if (!controller->loadDataset(m_dir.path()) || !loaded.wait(20000))
        return nullptr;
    return controller;
}

aes::TrainOptions TestTrainingController::longRun()
{
    aes::TrainOptions train;
    train.epochs = 100000;  // ends only by stop() or the destructor
    train.batchSize = 4;
    train.threads = 1;
    train.knn = false;
    return train;
}

static aes::ModelOptions tinyModel(aes::ModelKind kind = aes::ModelKind::Dense)
{
    aes::ModelOptions model;
    model.kind = kind;
    model.latent = 4;
    model.widths = kind == aes::ModelKind::Dense ? QVector<int>{32} : QVector<int>{8};
    return model;
}

void TestTrainingController::loadSummarisesTheFolder()
{
    TrainingController controller;
    QSignalSpy loaded(&controller, &TrainingController::datasetLoaded);
    QSignalSpy states(&controller, &TrainingController::stateChanged);
    QVERIFY(controller.loadDataset(m_dir.path()));
    QCOMPARE(controller.state(), TrainingController::State::Loading);
    QVERIFY(!controller.loadDataset(m_dir.path()));  // one load at a time
    QVERIFY(loaded.wait(20000));
    QCOMPARE(controller.state(), TrainingController::State::Idle);
    QVERIFY(controller.hasDataset());

    const auto summary = loaded.first().first().value<aes::DatasetSummary>();
    QCOMPARE(summary.count, qint64(64));
    QCOMPARE(summary.classNames, (QStringList{QStringLiteral("horizontal"), QStringLiteral("vertical")}));
    QCOMPARE(summary.classCounts, (QVector<qint64>{32, 32}));
    QCOMPARE(summary.width, 8);
    QCOMPARE(summary.height, 8);
    QCOMPARE(summary.channels, 1);
    QCOMPARE(summary.skipped.size(), 1);
    QVERIFY(summary.skipped.first().first.endsWith(QStringLiteral("broken.png")));
    QVERIFY(!summary.samples.isEmpty());
    QCOMPARE(summary.samples.first().size(), QSize(8, 8));
    QVERIFY(states.count() >= 2);
}

void TestTrainingController::missingFolderFailsToLoad()
{
    TrainingController controller;
    QSignalSpy failed(&controller, &TrainingController::loadFailed);
    QVERIFY(controller.loadDataset(m_dir.filePath(QStringLiteral("no-such-folder"))));
    QVERIFY(failed.wait(20000));
    QVERIFY(!failed.first().first().toString().isEmpty());
    QVERIFY(!controller.hasDataset());
    QCOMPARE(controller.state(), TrainingController::State::Idle);
    QVERIFY(!controller.start(tinyModel(), longRun()));  // nothing to train on
}

void TestTrainingController::lossFalls_data()
{
    QTest::addColumn<aes::ModelKind>("kind");
    QTest::newRow("dense") << aes::ModelKind::Dense;
    QTest::newRow("conv") << aes::ModelKind::Conv;
}

void TestTrainingController::lossFalls()
{
    QFETCH(aes::ModelKind, kind);
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QSignalSpy epochs(controller.get(), &TrainingController::epochReport);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy started(controller.get(), &TrainingController::trainingStarted);

    aes::TrainOptions train;
    train.epochs = 15;
    train.batchSize = 8;
    train.threads = 1;
    QVERIFY(controller->start(tinyModel(kind), train));
    QVERIFY(finished.wait(60000));
    const auto outcome = finished.first().first().value<aes::TrainOutcome>();
    QCOMPARE(outcome.status, aes::TrainStatus::Finished);
    QCOMPARE(outcome.epochsCompleted, 15);
    QCOMPARE(started.count(), 1);
    const auto run = started.first().first().value<aes::RunInfo>();
    QCOMPARE(run.trainImages + run.valImages, qint64(64));
    QCOMPARE(run.firstEpoch, 1);
    QCOMPARE(run.totalEpochs, 15);
    QVERIFY(!run.continued);
    QVERIFY(run.parameters > 0);

    // Every step arrives exactly once, in order.
    qint64 expected = 1;
    for (const auto &args : steps)
        for (const QPointF &p : args.first().value<QVector<QPointF>>())
            QCOMPARE(qint64(p.x()), expected++);
    QCOMPARE(expected - 1, qint64(15) * steps.last().at(1).value<aes::StepReport>().stepsPerEpoch);

    QCOMPARE(epochs.count(), 15);
    const auto first = epochs.first().first().value<aes::EpochReport>();
    const auto last = epochs.last().first().value<aes::EpochReport>();
    QVERIFY2(last.valLoss < first.valLoss,
             qPrintable(QStringLiteral("%1 -> %2").arg(first.valLoss).arg(last.valLoss)));
}

void TestTrainingController::reconstructionsCoverClasses()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy snapshots(controller.get(), &TrainingController::reconstructionsReady);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    aes::TrainOptions train = longRun();
    train.epochs = 2;
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    QVERIFY(snapshots.count() >= 2);  // the untrained model, and the final one

    const auto before = snapshots.first().first().value<aes::ReconstructionSnapshot>();
    const auto after = snapshots.last().first().value<aes::ReconstructionSnapshot>();
    QCOMPARE(before.globalStep, qint64(0));
    QVERIFY(after.globalStep > 0);
    QCOMPARE(after.inputs.size(), TrainingController::kSnapshotImages);
    QCOMPARE(after.reconstructions.size(), after.inputs.size());
    QCOMPARE(after.reconstructions.first().size(), QSize(8, 8));
    QVERIFY(after.captions.contains(QStringLiteral("horizontal")));
    QVERIFY(after.captions.contains(QStringLiteral("vertical")));
    // The same images every time, so the user watches the same pictures improve.
    QCOMPARE(after.inputs, before.inputs);
    QVERIFY(after.reconstructions != before.reconstructions);
    // Each image's error comes with the snapshot, and training lowers it on average.
    QCOMPARE(after.mse.size(), after.inputs.size());
    double meanBefore = 0, meanAfter = 0;
    for (int i = 0; i < after.mse.size(); ++i) {
        QVERIFY(std::isfinite(after.mse[i]) && after.mse[i] >= 0);
        meanBefore += before.mse[i];
        meanAfter += after.mse[i];
    }
    QVERIFY2(meanAfter < meanBefore, qPrintable(QStringLiteral("%1 -> %2").arg(meanBefore).arg(meanAfter)));
}

void TestTrainingController::pauseStopsStepsAndResumeContinues()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QVERIFY(controller->start(tinyModel(), longRun()));
    QVERIFY(steps.wait(20000));

    controller->pause();
    QCOMPARE(controller->state(), TrainingController::State::Paused);
    QTest::qWait(300);  // the batch that was running ends and its loss is flushed
    const auto lastBefore = steps.last().first().value<QVector<QPointF>>().last();
    steps.clear();
    QTest::qWait(500);  // nothing may arrive while paused
    QCOMPARE(steps.count(), 0);

    controller->resume();
    QCOMPARE(controller->state(), TrainingController::State::Training);
    QVERIFY(steps.wait(20000));
    // Training goes on from the next step: none lost, none repeated.
    QCOMPARE(steps.first().first().value<QVector<QPointF>>().first().x(), lastBefore.x() + 1);
}

void TestTrainingController::stopWhilePausedEndsWithoutAnotherBatch()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QVERIFY(controller->start(tinyModel(), longRun()));
    QVERIFY(steps.wait(20000));
    controller->pause();
    QTest::qWait(300);
    steps.clear();

    controller->stop();
    QCOMPARE(controller->state(), TrainingController::State::Stopping);
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Stopped);
    QCOMPARE(steps.count(), 0);  // stop woke the paused worker, which trained no further batch
    QCOMPARE(controller->state(), TrainingController::State::Idle);
}

void TestTrainingController::stopWhileRunningEndsTheRun()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QVERIFY(controller->start(tinyModel(), longRun()));
    QVERIFY(steps.wait(20000));
    controller->stop();
    QVERIFY(finished.wait(20000));
    const auto outcome = finished.first().first().value<aes::TrainOutcome>();
    QCOMPARE(outcome.status, aes::TrainStatus::Stopped);
    QVERIFY(outcome.epochsCompleted < 100000);
    // Idle again: a new run can start on the same data.
    QVERIFY(controller->start(tinyModel(), longRun()));
    controller->stop();
    QVERIFY(finished.wait(20000));
}

void TestTrainingController::learningRateChangeApplies()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QVERIFY(controller->start(tinyModel(), longRun()));
    QVERIFY(steps.wait(20000));
    QSignalSpy changes(controller.get(), &TrainingController::learningRateChanged);
    QCOMPARE(steps.last().at(1).value<aes::StepReport>().learningRate, longRun().learningRate);
    controller->setLearningRate(1.25e-4);
    QTRY_COMPARE_WITH_TIMEOUT(steps.last().at(1).value<aes::StepReport>().learningRate, 1.25e-4, 20000);
    // The change is reported once, at the first step that used the new rate.
    QCOMPARE(changes.count(), 1);
    QCOMPARE(changes.first().at(1).toDouble(), 1.25e-4);
    const qint64 changedAt = changes.first().at(0).toLongLong();
    for (const auto &args : steps) {
        const auto latest = args.at(1).value<aes::StepReport>();
        if (latest.globalStep < changedAt)
            QCOMPARE(latest.learningRate, longRun().learningRate);
    }
}

void TestTrainingController::unusableOptionsFail()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy failed(controller.get(), &TrainingController::failed);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    aes::ModelOptions model = tinyModel();
    model.latent = 0;
    QVERIFY(controller->start(model, longRun()));
    QVERIFY(finished.wait(20000));
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.first().first().toString().contains(QStringLiteral("latent")));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Failed);
    QCOMPARE(controller->state(), TrainingController::State::Idle);
}

void TestTrainingController::destroyingMidTrainingIsClean()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QVERIFY(controller->start(tinyModel(), longRun()));
    QVERIFY(steps.wait(20000));
    controller.reset();  // stops between batches and joins the thread; a hang fails by timeout

    // Destroying while paused, and right after a start that has not run yet, is just as clean.
    controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps2(controller.get(), &TrainingController::stepsReported);
    QVERIFY(controller->start(tinyModel(), longRun()));
    QVERIFY(steps2.wait(20000));
    controller->pause();
    controller.reset();

    controller = loadedController();
    QVERIFY(controller);
    QVERIFY(controller->start(tinyModel(), longRun()));
    controller.reset();
}

void TestTrainingController::loadOptionsShapeTheImages()
{
    TrainingController controller;
    QSignalSpy loaded(&controller, &TrainingController::datasetLoaded);
    aes::LoadOptions options;
    options.width = 4;
    options.height = 6;
    options.channels = 3;
    options.resize = aes::ResizeMode::Letterbox;
    QVERIFY(controller.loadDataset(m_dir.path(), options));
    QVERIFY(loaded.wait(20000));
    const auto summary = loaded.first().first().value<aes::DatasetSummary>();
    QCOMPARE(summary.width, 4);
    QCOMPARE(summary.height, 6);
    QCOMPARE(summary.channels, 3);
    QCOMPARE(summary.samples.first().size(), QSize(4, 6));
}

void TestTrainingController::folderWithoutImagesNamesFolderAndReasons()
{
    QTemporaryDir dir;
    QVERIFY(aes::test::writeFile(dir.filePath(QStringLiteral("a/one.png")), "not a png"));
    QVERIFY(aes::test::writeFile(dir.filePath(QStringLiteral("a/two.jpg")), "nor a jpeg"));
    TrainingController controller;
    QSignalSpy failed(&controller, &TrainingController::loadFailed);
    QVERIFY(controller.loadDataset(dir.path()));
    QVERIFY(failed.wait(20000));
    const QString message = failed.first().at(0).toString();
    QVERIFY2(message.contains(dir.path()), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("not an image")), qPrintable(message));
    const auto partial = failed.first().at(1).value<aes::DatasetSummary>();
    QCOMPARE(partial.skipped.size(), 2);
    QVERIFY(!partial.skipped.first().second.isEmpty());
    QVERIFY(!controller.hasDataset());
}

void TestTrainingController::continueAfterStopGoesOnFromTheWeights()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QSignalSpy started(controller.get(), &TrainingController::trainingStarted);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy epochs(controller.get(), &TrainingController::epochReport);
    QSignalSpy models(controller.get(), &TrainingController::modelChanged);
    aes::TrainOptions train = longRun();
    train.epochs = 3;
    QVERIFY(!controller->continueTraining(3));  // nothing to continue yet
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(steps.wait(20000));
    controller->stop();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Stopped);
    QVERIFY(controller->hasModel());
    QCOMPARE(models.count(), 1);
    QCOMPARE(controller->modelOptions().latent, 4);
    const qint64 lastStep = qint64(steps.last().first().value<QVector<QPointF>>().last().x());
    const int done = controller->epochsCompleted();
    QVERIFY(done < 3);

    steps.clear();
    started.clear();
    finished.clear();
    QVERIFY(controller->continueTraining(3));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Finished);
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().epochsCompleted, 3);
    const auto run = started.first().first().value<aes::RunInfo>();
    QVERIFY(run.continued);
    QCOMPARE(run.firstEpoch, done + 1);
    QCOMPARE(run.totalEpochs, 3);
    QCOMPARE(run.stepsBefore, lastStep);
    // The step count goes on where it stopped: the same model, not a new one.
    QCOMPARE(qint64(steps.first().first().value<QVector<QPointF>>().first().x()), lastStep + 1);
    QCOMPARE(epochs.last().first().value<aes::EpochReport>().epoch, 3);
    QCOMPARE(controller->epochsCompleted(), 3);
    QVERIFY(!controller->continueTraining(3));  // already there
}

void TestTrainingController::continueAtAnotherRateMarksTheChange()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy changes(controller.get(), &TrainingController::learningRateChanged);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    aes::TrainOptions train = longRun();
    train.epochs = 1;
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    QCOMPARE(changes.count(), 0);
    const qint64 lastStep = qint64(steps.last().first().value<QVector<QPointF>>().last().x());
    QVERIFY(controller->continueTraining(2, 5e-4));
    QVERIFY(finished.wait(60000));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(changes.first().at(0).toLongLong(), lastStep + 1);
    QCOMPARE(changes.first().at(1).toDouble(), 5e-4);
}

void TestTrainingController::divergenceKeepsTheModelToContinue()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy failed(controller.get(), &TrainingController::failed);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    aes::TrainOptions train = longRun();
    train.epochs = 2;
    train.debugNanAtStep = 5;
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    const auto outcome = finished.first().first().value<aes::TrainOutcome>();
    QCOMPARE(outcome.status, aes::TrainStatus::Diverged);
    QVERIFY(outcome.message.contains(QStringLiteral("learning rate")));
    QCOMPARE(failed.count(), 0);  // a divergence is not a failure: the model is kept
    QVERIFY(controller->hasModel());
    steps.clear();
    finished.clear();
    QVERIFY(controller->continueTraining(2, 1e-4));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Finished);
    QCOMPARE(qint64(steps.first().first().value<QVector<QPointF>>().first().x()), qint64(5));
}

void TestTrainingController::allocationFailureIsReportedNotACrash()
{
    // Out of memory in the worker's training: failed() with the reason, then finished(); the
    // controller is idle and can start again.
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy failed(controller.get(), &TrainingController::failed);
    aes::TrainOptions train = longRun();
    train.epochs = 2;
    train.debugAllocFailAtStep = 3;
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Failed);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.first().first().toString().startsWith(QStringLiteral("Out of memory")),
             qPrintable(failed.first().first().toString()));
    QCOMPARE(controller->state(), TrainingController::State::Idle);
    finished.clear();
    train.debugAllocFailAtStep = -1;
    train.epochs = 1;
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Finished);
}

void TestTrainingController::newModelForgetsTheWeights()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy started(controller.get(), &TrainingController::trainingStarted);
    QSignalSpy models(controller.get(), &TrainingController::modelChanged);
    aes::TrainOptions train = longRun();
    train.epochs = 1;
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    QVERIFY(controller->hasModel());
    QVERIFY(controller->newModel());
    QVERIFY(!controller->hasModel());
    QCOMPARE(models.count(), 2);
    QCOMPARE(models.last().first().toBool(), false);
    QVERIFY(!controller->continueTraining(5));
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    const auto run = started.last().first().value<aes::RunInfo>();
    QVERIFY(!run.continued);
    QCOMPARE(run.stepsBefore, qint64(0));
    // Loading a dataset forgets the model too.
    QSignalSpy loaded(controller.get(), &TrainingController::datasetLoaded);
    QVERIFY(controller->loadDataset(m_dir.path()));
    QVERIFY(loaded.wait(20000));
    QVERIFY(!controller->hasModel());
}

void TestTrainingController::latentMapCoversEveryImageAndDecodes()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy maps(controller.get(), &TrainingController::latentMapReady);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    aes::TrainOptions train = longRun();
    train.epochs = 1;
    QVERIFY(controller->start(tinyModel(), train));
    QVERIFY(finished.wait(60000));
    QTRY_COMPARE_WITH_TIMEOUT(maps.count(), 1, 10000);

    // Every image of the dataset (train + validation), in dataset order, with its class.
    const auto map = maps.first().first().value<aes::LatentSnapshot>();
    const qint64 images = controller->datasetSummary().count;
    QCOMPARE(images, qint64(64));
    QCOMPARE(qint64(map.x.size()), images);
    QCOMPARE(qint64(map.y.size()), images);
    QCOMPARE(qint64(map.labels.size()), images);
    QCOMPARE(map.classNames, controller->datasetSummary().classNames);
    QCOMPARE(aes::toString(map.method), QStringLiteral("pca"));  // a 4-number code
    QCOMPARE(map.epoch, 1);
    QVERIFY(map.exactInverse);
    QVERIFY(map.labels.contains(0) && map.labels.contains(1));
    float spread = 0;
    for (int i = 0; i < map.x.size(); ++i) {
        QVERIFY(std::isfinite(map.x[i]) && std::isfinite(map.y[i]));
        spread = std::max(spread, std::abs(map.x[i] - map.x[0]) + std::abs(map.y[i] - map.y[0]));
    }
    QVERIFY(spread > 0);  // not every image on one spot

    // Any point of the map decodes to an image of the dataset's size.
    QSignalSpy decoded(controller.get(), &TrainingController::decodedImage);
    controller->decodeAt(map.x[3], map.y[3]);
    QVERIFY(decoded.wait(10000));
    const QImage image = decoded.first().at(0).value<QImage>();
    QCOMPARE(image.size(), QSize(8, 8));
    QCOMPARE(decoded.first().at(1).toDouble(), double(map.x[3]));
    QVERIFY(decoded.first().at(3).toBool());  // PCA has an exact inverse

    // Hovering asks for a dataset image by its row of the map.
    QSignalSpy images2(controller.get(), &TrainingController::datasetImage);
    controller->requestImage(5);
    QVERIFY(images2.wait(10000));
    QCOMPARE(images2.first().at(0).toLongLong(), qint64(5));
    QCOMPARE(images2.first().at(1).value<QImage>().size(), QSize(8, 8));
    QCOMPARE(images2.first().at(2).toString(), controller->datasetSummary().classNames.at(map.labels[5]));

    // A projection the model cannot give is refused with a message.
    QSignalSpy failed(controller.get(), &TrainingController::latentMapFailed);
    QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Direct));
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.first().first().toString().contains(QStringLiteral("latent size of 2")));

    // t-SNE on request when idle: every image again, decoded only approximately.
    maps.clear();
    decoded.clear();
    QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Tsne));
    QVERIFY(maps.wait(60000));
    const auto tsne = maps.first().first().value<aes::LatentSnapshot>();
    QCOMPARE(aes::toString(tsne.method), QStringLiteral("tsne"));
    QCOMPARE(tsne.x.size(), map.x.size());
    QVERIFY(!tsne.exactInverse);
    controller->decodeAt(tsne.x[0], tsne.y[0]);
    QVERIFY(decoded.wait(10000));
    QVERIFY(!decoded.first().at(3).toBool());

    // A point cap below the image count: a sample of points, every image's code and label.
    controller->setMapPointCap(20);
    for (const auto method : {aes::ProjectionMethod::Pca, aes::ProjectionMethod::Tsne}) {
        maps.clear();
        QVERIFY(controller->requestLatentMap(method));
        QTRY_VERIFY_WITH_TIMEOUT(!maps.isEmpty() && !maps.last().first().value<aes::LatentSnapshot>().partial, 60000);
        const auto sampled = maps.last().first().value<aes::LatentSnapshot>();
        QCOMPARE(sampled.pointCount(), qint64(20));
        QCOMPARE(sampled.y.size(), 20);
        QCOMPARE(sampled.sampleRows.size(), 20);
        QCOMPARE(sampled.rowCount(), images);
        QVERIFY(std::is_sorted(sampled.sampleRows.cbegin(), sampled.sampleRows.cend()));
        QCOMPARE(qint64(sampled.labels.size()), images);
        QCOMPARE(qint64(sampled.codes.size()), images * sampled.latentSize);
        QCOMPARE(qint64(sampled.errors.size()), images);
        QCOMPARE(sampled.sampleRows, aes::sampleMapRows(images, sampled.labels, 20));  // the same each time
    }
    controller->setMapPointCap(0);
    maps.clear();
    QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Pca));
    QVERIFY(maps.wait(10000));
    QCOMPARE(maps.last().first().value<aes::LatentSnapshot>().pointCount(), images);
    QVERIFY(!maps.last().first().value<aes::LatentSnapshot>().sampled());
}

void TestTrainingController::latentRequestsAreServedWhileTraining()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    aes::ModelOptions model = tinyModel();
    model.latent = 2;
    QVERIFY(!controller->requestLatentMap());  // no model yet
    QVERIFY(controller->start(model, longRun()));
    QVERIFY(steps.wait(20000));
    QSignalSpy maps(controller.get(), &TrainingController::latentMapReady);
    QSignalSpy decoded(controller.get(), &TrainingController::decodedImage);
    QVERIFY(controller->requestLatentMap());
    QTRY_VERIFY_WITH_TIMEOUT(!maps.isEmpty(), 20000);
    QCOMPARE(controller->state(), TrainingController::State::Training);  // between steps, not after
    const auto map = maps.last().first().value<aes::LatentSnapshot>();
    QCOMPARE(aes::toString(map.method), QStringLiteral("direct"));  // a 2-number code is its own map
    QCOMPARE(map.x.size(), 64);
    controller->decodeAt(0.0, 0.0);
    QVERIFY(decoded.wait(20000));
    QCOMPARE(decoded.first().at(0).value<QImage>().size(), QSize(8, 8));
    // t-SNE would hold the training up for minutes: refused while it runs.
    QSignalSpy failed(controller.get(), &TrainingController::latentMapFailed);
    QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Tsne));
    QVERIFY(failed.wait(20000));
    QVERIFY(failed.first().first().toString().contains(QStringLiteral("stop the training")));
    controller->stop();
}

// Largest difference of two 8-bit images of one size (255 when they cannot be compared).
static int maxPixelDifference(const QImage &a, const QImage &b)
{
    if (a.size() != b.size() || a.isNull())
        return 255;
    const QImage ga = a.convertToFormat(QImage::Format_Grayscale8), gb = b.convertToFormat(QImage::Format_Grayscale8);
    int worst = 0;
    for (int y = 0; y < ga.height(); ++y)
        for (int x = 0; x < ga.width(); ++x)
            worst = std::max(worst, std::abs(int(ga.constScanLine(y)[x]) - int(gb.constScanLine(y)[x])));
    return worst;
}

// A trained model with its newest map.
static bool trainEpochs(TrainingController *controller, const aes::ModelOptions &model, aes::LatentSnapshot *map,
                        int epochs = 1)
{
    QSignalSpy maps(controller, &TrainingController::latentMapReady);
    QSignalSpy finished(controller, &TrainingController::finished);
    aes::TrainOptions train;
    train.epochs = epochs;
    train.batchSize = 8;
    train.threads = 1;
    train.knn = false;
    if (!controller->start(model, train) || !finished.wait(60000))
        return false;
    if (maps.isEmpty() && !maps.wait(10000))
        return false;
    *map = maps.last().first().value<aes::LatentSnapshot>();
    return true;
}

static aes::PointDetails detailsOf(TrainingController *controller, qint64 index)
{
    QSignalSpy details(controller, &TrainingController::pointDetails);
    controller->requestImage(index);
    for (int tries = 0; tries < 5 && details.wait(10000);)
        for (const auto &args : details)
            if (args.first().value<aes::PointDetails>().index == index)
                return args.first().value<aes::PointDetails>();
    return {};
}

void TestTrainingController::decodingAtAnImagesCodeGivesItsReconstruction_data()
{
    QTest::addColumn<aes::ProjectionMethod>("method");
    QTest::newRow("direct") << aes::ProjectionMethod::Direct;
    QTest::newRow("pca") << aes::ProjectionMethod::Pca;
    QTest::newRow("dims") << aes::ProjectionMethod::Dims;
}

void TestTrainingController::decodingAtAnImagesCodeGivesItsReconstruction()
{
    QFETCH(aes::ProjectionMethod, method);
    auto controller = loadedController();
    QVERIFY(controller);
    aes::ModelOptions model = tinyModel();
    model.latent = 2;  // every method is then an exact inverse of the whole code
    aes::LatentSnapshot map;
    QVERIFY(trainEpochs(controller.get(), model, &map));
    QSignalSpy maps(controller.get(), &TrainingController::latentMapReady);
    QVERIFY(controller->requestLatentMap(method, 1, 0));  // dims: swapped axes
    QVERIFY(maps.wait(10000));
    map = maps.last().first().value<aes::LatentSnapshot>();
    QCOMPARE(aes::toString(map.method), aes::toString(method));
    QVERIFY(map.exactInverse);
    if (method == aes::ProjectionMethod::Dims) {
        QCOMPARE(map.dimX, 1);
        QCOMPARE(map.dimY, 0);
    }

    QSignalSpy decoded(controller.get(), &TrainingController::decodedImage);
    for (const qint64 index : {qint64(3), qint64(40)}) {
        const aes::PointDetails details = detailsOf(controller.get(), index);
        QCOMPARE(details.index, index);
        QCOMPARE(details.reconstruction.size(), QSize(8, 8));
        decoded.clear();
        controller->decodeAt(map.x[index], map.y[index]);
        QVERIFY(decoded.wait(10000));
        // The same code (up to float rounding of the map's coordinates) gives the same picture.
        const int difference = maxPixelDifference(decoded.last().at(0).value<QImage>(), details.reconstruction);
        QVERIFY2(difference <= 2, qPrintable(QStringLiteral("image %1 differs by %2 grey levels").arg(index).arg(difference)));
    }
    // The neighbourhood of one image decodes to something else far away: the check can fail.
    const aes::PointDetails far = detailsOf(controller.get(), 3);
    decoded.clear();
    controller->decodeAt(map.x[3] + 50.0, map.y[3] - 50.0);
    QVERIFY(decoded.wait(10000));
    QVERIFY(maxPixelDifference(decoded.last().at(0).value<QImage>(), far.reconstruction) > 2);
}

void TestTrainingController::mapsCarryErrorsAndTheWorstImages()
{
    auto controller = loadedController();
    QVERIFY(controller);
    aes::LatentSnapshot map;
    QVERIFY(trainEpochs(controller.get(), tinyModel(), &map));
    QCOMPARE(map.latentSize, 4);
    QCOMPARE(map.errors.size(), map.x.size());
    QCOMPARE(map.files.size(), map.x.size());
    QVERIFY(map.files.at(5).endsWith(QStringLiteral(".png")));
    for (const float e : map.errors)
        QVERIFY(std::isfinite(e) && e >= 0.0f);
    // The worst list: the largest errors, largest first, with their images.
    QVERIFY(!map.worst.isEmpty());
    QCOMPARE(map.worstImages.size(), map.worst.size());
    QVector<float> sorted = map.errors;
    std::sort(sorted.begin(), sorted.end(), std::greater<float>());
    for (int i = 0; i < map.worst.size(); ++i)
        QCOMPARE(map.errors[map.worst[i]], sorted[i]);
    QCOMPARE(map.worstImages.first().size(), QSize(8, 8));
    // The hover details agree with the map's error of the same image.
    const aes::PointDetails details = detailsOf(controller.get(), map.worst.first());
    QVERIFY(std::abs(details.error - map.errors[map.worst.first()]) < 1e-5);
    QVERIFY(details.file.endsWith(QStringLiteral(".png")));
    QCOMPARE(details.label, controller->datasetSummary().classNames.at(map.labels[map.worst.first()]));
}

void TestTrainingController::chosenDimensionsFollowEveryEpoch()
{
    auto controller = loadedController();
    QVERIFY(controller);
    aes::LatentSnapshot first;
    QVERIFY(trainEpochs(controller.get(), tinyModel(), &first));
    QSignalSpy maps(controller.get(), &TrainingController::latentMapReady);
    QSignalSpy failed(controller.get(), &TrainingController::latentMapFailed);
    QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Dims, 3, 1));
    QVERIFY(maps.wait(10000));
    auto map = maps.last().first().value<aes::LatentSnapshot>();
    QCOMPARE(aes::toString(map.method), QStringLiteral("dims"));
    QCOMPARE(map.dimX, 3);
    QCOMPARE(map.dimY, 1);
    // Out of range: refused with the dimensions that exist.
    QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Dims, 4, 1));
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.last().first().toString().contains(QStringLiteral("0 to 3")), qPrintable(failed.last().first().toString()));
    // The next epoch's map keeps the dimensions chosen (the last valid request).
    maps.clear();
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QVERIFY(controller->continueTraining(2));
    QVERIFY(finished.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(!maps.isEmpty(), 10000);
    map = maps.last().first().value<aes::LatentSnapshot>();
    QCOMPARE(map.epoch, 2);
    QCOMPARE(aes::toString(map.method), QStringLiteral("dims"));
    QCOMPARE(map.dimX, 3);
}

void TestTrainingController::interpolationEndsAtBothReconstructions_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("dense (linear)") << int(aes::ModelKind::Dense);
    QTest::newRow("vae (spherical)") << int(aes::ModelKind::Vae);
}

void TestTrainingController::interpolationEndsAtBothReconstructions()
{
    QFETCH(int, kind);
    auto controller = loadedController();
    QVERIFY(controller);
    aes::ModelOptions model = tinyModel(aes::ModelKind(kind));
    model.kind = aes::ModelKind(kind);
    if (model.kind == aes::ModelKind::Vae)
        model.widths = {32};
    aes::LatentSnapshot map;
    QVERIFY(trainEpochs(controller.get(), model, &map, 6));
    const qint64 a = 2, b = 40;  // a horizontal and a vertical gradient (paths sort by class)
    const aes::PointDetails da = detailsOf(controller.get(), a), db = detailsOf(controller.get(), b);
    QVERIFY(maxPixelDifference(da.reconstruction, db.reconstruction) > 8);  // two different pictures
    QSignalSpy ready(controller.get(), &TrainingController::interpolationReady);
    QVERIFY(!controller->requestInterpolation(a, 1000, 5));  // no such image
    QVERIFY(controller->requestInterpolation(a, b, 6));
    QVERIFY(ready.wait(10000));
    const auto result = ready.last().first().value<aes::Interpolation>();
    QCOMPARE(result.from, a);
    QCOMPARE(result.to, b);
    QCOMPARE(result.spherical, model.kind == aes::ModelKind::Vae);
    QCOMPARE(result.images.size(), 6);
    QVERIFY(maxPixelDifference(result.images.first(), da.reconstruction) <= 1);
    QVERIFY(maxPixelDifference(result.images.last(), db.reconstruction) <= 1);
    // On the way: something between them, not a copy of either end.
    QVERIFY(maxPixelDifference(result.images[2], da.reconstruction) > 0);
    QVERIFY(maxPixelDifference(result.images[3], db.reconstruction) > 0);
}

void TestTrainingController::traversalGridHasEveryCell()
{
    auto controller = loadedController();
    QVERIFY(controller);
    aes::LatentSnapshot map;
    QVERIFY(trainEpochs(controller.get(), tinyModel(), &map, 4));
    const auto [minX, maxX] = std::minmax_element(map.x.begin(), map.x.end());
    const auto [minY, maxY] = std::minmax_element(map.y.begin(), map.y.end());
    const QRectF region(*minX, *minY, *maxX - *minX, *maxY - *minY);
    QSignalSpy ready(controller.get(), &TrainingController::traversalReady);
    QVERIFY(controller->requestTraversal(region, 5, 3));
    QVERIFY(ready.wait(10000));
    const auto grid = ready.last().first().value<aes::TraversalGrid>();
    QCOMPARE(grid.columns, 5);
    QCOMPARE(grid.rows, 3);
    QCOMPARE(grid.images.size(), 15);
    QCOMPARE(grid.region, region);
    for (const QImage &image : grid.images)
        QCOMPARE(image.size(), QSize(8, 8));
    // Cell (row 0, column 4) is the decoded image at its centre: top right of the region.
    QSignalSpy decoded(controller.get(), &TrainingController::decodedImage);
    controller->decodeAt(region.left() + 4.5 * region.width() / 5, region.bottom() - 0.5 * region.height() / 3);
    QVERIFY(decoded.wait(10000));
    QVERIFY(maxPixelDifference(decoded.last().at(0).value<QImage>(), grid.images[4]) <= 1);
    QVERIFY(maxPixelDifference(grid.images[0], grid.images[14]) > 0);  // opposite corners differ
}

void TestTrainingController::requestsAreServedWhilePaused()
{
    auto controller = loadedController();
    QVERIFY(controller);
    QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
    QVERIFY(controller->start(tinyModel(), longRun()));
    QVERIFY(steps.wait(20000));
    controller->pause();
    QTest::qWait(300);  // the running batch ends: the worker waits
    steps.clear();
    QSignalSpy maps(controller.get(), &TrainingController::latentMapReady);
    QSignalSpy decoded(controller.get(), &TrainingController::decodedImage);
    QSignalSpy details(controller.get(), &TrainingController::pointDetails);
    QSignalSpy ready(controller.get(), &TrainingController::interpolationReady);
    for (int round = 0; round < 3; ++round) {  // served, back to waiting, served again
        maps.clear();
        QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Pca));
        QVERIFY(maps.wait(10000));
        QCOMPARE(maps.last().first().value<aes::LatentSnapshot>().x.size(), 64);
        controller->decodeAt(0.0, 0.0);
        QTRY_COMPARE_WITH_TIMEOUT(decoded.count(), round + 1, 10000);
        controller->requestImage(round);
        QTRY_COMPARE_WITH_TIMEOUT(details.count(), round + 1, 10000);
        QVERIFY(controller->requestInterpolation(0, 1, 4));
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), round + 1, 10000);
        QCOMPARE(controller->state(), TrainingController::State::Paused);
    }
    QTest::qWait(200);
    QCOMPARE(steps.count(), 0);  // serving trained nothing
    controller->resume();
    QVERIFY(steps.wait(20000));  // and training goes on
    // Stop while paused and serving: ends cleanly.
    controller->pause();
    QTest::qWait(300);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Pca));
    controller->stop();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Stopped);
}

void TestTrainingController::tsneShowsIntermediateLayouts()
{
    // Enough images for t-SNE to take more than its half-second snapshot interval.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    torch::manual_seed(11);
    const int64_t n = 3000;
    const torch::Tensor labels = torch::randint(3, {n}, torch::kLong);
    const torch::Tensor patterns = torch::rand({3, 8, 8}) * 255.0;
    const torch::Tensor images = (patterns.index_select(0, labels) + torch::randn({n, 8, 8}) * 20.0).clamp(0, 255).to(torch::kUInt8);
    const QString imagesPath = dir.filePath(QStringLiteral("train-images-idx3-ubyte"));
    QVERIFY(aes::writeIdx(imagesPath, images));
    QVERIFY(aes::writeIdx(dir.filePath(QStringLiteral("train-labels-idx1-ubyte")), labels.to(torch::kUInt8)));

    TrainingController controller;
    QSignalSpy loaded(&controller, &TrainingController::datasetLoaded);
    QVERIFY(controller.loadDataset(imagesPath));
    QVERIFY(loaded.wait(20000));
    aes::LatentSnapshot map;
    QVERIFY(trainEpochs(&controller, tinyModel(), &map));
    QCOMPARE(qint64(map.x.size()), n);

    QSignalSpy maps(&controller, &TrainingController::latentMapReady);
    QVERIFY(controller.requestLatentMap(aes::ProjectionMethod::Tsne));
    QTRY_VERIFY_WITH_TIMEOUT(!maps.isEmpty() && !maps.last().first().value<aes::LatentSnapshot>().partial, 120000);
    QVERIFY2(maps.size() >= 2, qPrintable(QString::number(maps.size())));
    int lastIteration = 0;
    for (int i = 0; i + 1 < maps.size(); ++i) {
        const auto partial = maps.at(i).first().value<aes::LatentSnapshot>();
        QVERIFY(partial.partial);
        QCOMPARE(aes::toString(partial.method), QStringLiteral("tsne"));
        QCOMPARE(qint64(partial.x.size()), n);
        QCOMPARE(partial.labels.size(), partial.x.size());
        QVERIFY(partial.iteration > lastIteration);  // newer layouts only
        lastIteration = partial.iteration;
    }
    const auto final = maps.last().first().value<aes::LatentSnapshot>();
    QCOMPARE(qint64(final.x.size()), n);
    QCOMPARE(qint64(final.errors.size()), n);
    QVERIFY(!final.exactInverse);
}

void TestTrainingController::requestsAreServedWhenPausedBeforeTheFirstStep()
{
    // pause() right after start() usually lands before the worker's first step; on a busy
    // machine the test's thread may be descheduled in between and the worker trains a few
    // steps first (the pause then falls on a later step, tested above). Up to 5 tries for
    // the case this test is about.
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto controller = loadedController();
        QVERIFY(controller);
        QSignalSpy started(controller.get(), &TrainingController::trainingStarted);
        QSignalSpy steps(controller.get(), &TrainingController::stepsReported);
        QSignalSpy maps(controller.get(), &TrainingController::latentMapReady);
        QVERIFY(controller->start(tinyModel(), longRun()));
        controller->pause();  // before the worker has trained anything, most likely
        QVERIFY(started.wait(20000));
        QVERIFY(controller->requestLatentMap(aes::ProjectionMethod::Pca));
        QVERIFY(maps.wait(10000));
        const qint64 step = maps.last().first().value<aes::LatentSnapshot>().globalStep;
        QCOMPARE(controller->state(), TrainingController::State::Paused);
        if (step > 0) {
            // The race was lost: the map still shows the weights the trainer is paused at.
            QTRY_VERIFY(!steps.isEmpty());
            QCOMPARE(qint64(steps.last().first().value<QVector<QPointF>>().last().x()), step);
            controller->stop();
            continue;
        }
        QCOMPARE(steps.count(), 0);  // the fresh weights, nothing trained while paused
        controller->resume();
        QVERIFY(steps.wait(20000));
        controller->stop();
        return;
    }
    QFAIL("the pause never landed before the first step in 5 tries");
}

void TestTrainingController::audioFolderTrainsAndSoundsBack()
{
    // Two classes of tones, 0.25 s at 8 kHz; the GUI hears them through their spectrograms.
    QTemporaryDir dir;
    for (int i = 0; i < 12; ++i) {
        const bool low = i % 2 == 0;
        std::vector<float> tone(2000);
        for (size_t k = 0; k < tone.size(); ++k)
            tone[k] = 0.5f * float(std::sin(2.0 * M_PI * (low ? 300.0 + 10 * i : 2500.0 + 40 * i) * double(k) / 8000.0));
        const QString path = dir.filePath(QStringLiteral("%1/%2.wav").arg(low ? "low" : "high").arg(i));
        QDir().mkpath(QFileInfo(path).absolutePath());
        QCOMPARE(aes::writeAudioFile(path, tone, 8000), QString());
    }
    TrainingController controller;
    QSignalSpy loaded(&controller, &TrainingController::datasetLoaded);
    aes::LoadOptions load;
    load.audio.nMels = 32;
    QVERIFY(controller.loadDataset(dir.path(), load));
    QVERIFY(loaded.wait(20000));
    const auto summary = loaded.first().first().value<aes::DatasetSummary>();
    QVERIFY(summary.audio);
    QCOMPARE(summary.count, qint64(12));
    QCOMPARE(summary.height, 32);
    QCOMPARE(summary.width, 26);  // 0.25 s at 16 kHz: 1 + 4000 / 160 frames
    QCOMPARE(summary.audioOptions.sampleRate, 16000);
    QVERIFY(summary.audioDetails.contains(QStringLiteral("0.25 s per clip")));
    QVERIFY(summary.report.startsWith(QStringLiteral("loaded 12 clips")));

    QSignalSpy snapshots(&controller, &TrainingController::reconstructionsReady);
    QSignalSpy finished(&controller, &TrainingController::finished);
    aes::TrainOptions train = longRun();
    train.epochs = 1;
    QVERIFY(controller.start(tinyModel(aes::ModelKind::Conv), train));
    QVERIFY(finished.wait(60000));
    QVERIFY(!snapshots.isEmpty());
    const auto snapshot = snapshots.last().first().value<aes::ReconstructionSnapshot>();
    QCOMPARE(snapshot.reconstructions.first().size(), QSize(26, 32));
    QString error;
    const std::vector<float> sound = aes::spectrogramImageToSound(snapshot.reconstructions.first(), summary.audioOptions, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(sound.size(), size_t(4000));
}

QTEST_GUILESS_MAIN(TestTrainingController)
#include "tst_trainingcontroller.moc"
