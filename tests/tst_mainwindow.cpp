// The main window, offscreen: it loads a generated folder, shows what it loaded, trains a
// tiny model for one epoch, and the loss chart and the reconstruction view fill up.

#include "datasetpanel.h"
#include "losschart.h"
#include "mainwindow.h"
#include "reconstructionview.h"
#include "trainingpanel.h"

#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using aes::TrainingController;

class TestMainWindow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void loadsAFolderAndTrains();
    void closingMidTrainingIsClean();

private:
    QTemporaryDir m_dir;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // 40 colour images in two classes: red-ish squares and blue-ish squares.
    for (int i = 0; i < 40; ++i) {
        QImage image(12, 12, QImage::Format_RGB888);
        const bool red = i % 2 == 0;
        image.fill(red ? QColor(200, 40 + i, 30) : QColor(30, 40 + i, 200));
        const QString cls = red ? QStringLiteral("red") : QStringLiteral("blue");
        QDir().mkpath(m_dir.filePath(cls));
        QVERIFY(image.save(m_dir.filePath(QStringLiteral("%1/%2.png").arg(cls).arg(i))));
    }
}

void TestMainWindow::loadsAFolderAndTrains()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    TrainingController *controller = window.controller();
    QSignalSpy loaded(controller, &TrainingController::datasetLoaded);
    QSignalSpy finished(controller, &TrainingController::finished);

    window.openDataset(m_dir.path());
    QVERIFY(loaded.wait(20000));
    QCOMPARE(window.datasetPanel()->countText(), QStringLiteral("40"));
    QCOMPARE(window.datasetPanel()->summary().classNames.size(), 2);
    QVERIFY(window.windowTitle().contains(QFileInfo(m_dir.path()).fileName()));

    aes::ModelOptions model;
    model.kind = aes::ModelKind::Dense;
    model.latent = 3;
    aes::TrainOptions train;
    train.epochs = 1;
    train.batchSize = 4;
    window.setOptions(model, train);
    QCOMPARE(window.trainingPanel()->modelOptions().latent, 3);
    QCOMPARE(window.trainingPanel()->trainOptions().epochs, 1);

    window.startTraining();
    QCOMPARE(controller->state(), TrainingController::State::Training);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Finished);
    // 36 training images in batches of 4: 9 steps, all on the chart; one validation point.
    QTRY_COMPARE(window.lossChart()->stepCount(), 9);
    QCOMPARE(window.lossChart()->validationCount(), 1);
    QTRY_COMPARE(window.reconstructionView()->imageCount(), TrainingController::kSnapshotImages);
    QTRY_COMPARE(window.reconstructionView()->snapshotStep(), qint64(9));

    window.showTab(MainWindow::ReconstructionsTab);
    const QImage shot = window.grab().toImage();
    QVERIFY(!shot.isNull());
    QVERIFY(shot.width() >= 800);
}

void TestMainWindow::closingMidTrainingIsClean()
{
    auto window = std::make_unique<MainWindow>();
    window->show();
    TrainingController *controller = window->controller();
    QSignalSpy loaded(controller, &TrainingController::datasetLoaded);
    QSignalSpy steps(controller, &TrainingController::stepsReported);
    window->openDataset(m_dir.path());
    QVERIFY(loaded.wait(20000));
    aes::TrainOptions train;
    train.epochs = 100000;
    train.batchSize = 4;
    window->setOptions(aes::ModelOptions(), train);
    window->startTraining();
    QVERIFY(steps.wait(20000));
    window.reset();  // must stop the worker and return; a hang fails by timeout
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
