// The main window, offscreen, driven as a user would: it opens a generated folder (with a
// broken file), lists what it skipped, trains, pauses, resumes, takes a new learning rate
// (a marker on the chart), stops, continues, starts a new model, renders every tab, keeps
// its options in QSettings, reports a folder without images, and closes mid-training.

#include "collapsiblesection.h"
#include "datasetpanel.h"
#include "latentmap.h"
#include "losschart.h"
#include "mainwindow.h"
#include "metricsview.h"
#include "modelform.h"
#include "recentfiles.h"
#include "reconstructiondetail.h"
#include "reconstructiongrid.h"
#include "reconstructionview.h"
#include "soundplayer.h"
#include "spectrogramview.h"
#include "trainform.h"
#include "trainingpanel.h"
#include "data/audiofile.h"
#include "util/colormap.h"

#include "testutil.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QPushButton>
#include <QSettings>
#include <QHeaderView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

#include <memory>

using aes::TrainingController;

class TestMainWindow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void audioViewsPlayOrSayWhyNot();
    void initTestCase();
    void init();
    void listsSkippedFiles();
    void trainPauseResumeRateStopContinue();
    void metricsAndReconstructionsFillUp();
    void rendersEveryTab();
    void latentTabMapsEveryImage();
    void keepsOptionsInSettings();
    void folderWithoutImagesIsReported();
    void dropOpensTheDataset();
    void quitMidTrainingStopsWithinABatch();
    void datasetPanelShowsEveryColumn();
    void audioOptionsSetInThePanelShapeTheDataset();

private:
    // A shown window with the fixture loaded and a tiny, fast model in the form.
    std::unique_ptr<MainWindow> loadedWindow(int epochs);
    static qint64 lastStep(const QSignalSpy &steps);

    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_cacheDir;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(m_cacheDir.isValid());
    aes::test::keepCacheIn(m_cacheDir.path());
    // The user's settings are not touched: every QSettings goes to a temporary folder.
    QCoreApplication::setOrganizationName(QStringLiteral("aestudio-tests"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    // 40 colour images in two classes: red-ish squares and blue-ish squares, plus a broken file.
    for (int i = 0; i < 40; ++i) {
        QImage image(12, 12, QImage::Format_RGB888);
        const bool red = i % 2 == 0;
        image.fill(red ? QColor(200, 40 + i, 30) : QColor(30, 40 + i, 200));
        for (int k = 0; k < 12; ++k)
            image.setPixelColor(k, (i + k) % 12, Qt::white);  // some structure to learn
        const QString cls = red ? QStringLiteral("red") : QStringLiteral("blue");
        QDir().mkpath(m_dir.filePath(cls));
        QVERIFY(image.save(m_dir.filePath(QStringLiteral("%1/%2.png").arg(cls).arg(i))));
    }
    QVERIFY(aes::test::writeFile(m_dir.filePath(QStringLiteral("red/broken.png")), "not a png"));
}

void TestMainWindow::init()
{
    // Closing a window must not end the test's own event loops.
    QApplication::setQuitOnLastWindowClosed(false);
    QSettings().clear();
}

std::unique_ptr<MainWindow> TestMainWindow::loadedWindow(int epochs)
{
    auto window = std::make_unique<MainWindow>();
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return nullptr;
    QSignalSpy loaded(window->controller(), &TrainingController::datasetLoaded);
    window->openDataset(m_dir.path());
    if (!loaded.wait(20000))
        return nullptr;
    aes::ModelOptions model;
    model.kind = aes::ModelKind::Dense;
    model.latent = 3;
    model.widths = {32};
    aes::TrainOptions train;
    train.epochs = epochs;
    train.batchSize = 4;
    train.threads = 1;
    window->setOptions(model, train);
    return window;
}

qint64 TestMainWindow::lastStep(const QSignalSpy &steps)
{
    return steps.isEmpty() ? 0 : qint64(steps.last().first().value<QVector<QPointF>>().last().x());
}

void TestMainWindow::listsSkippedFiles()
{
    auto window = loadedWindow(1);
    QVERIFY(window);
    QCOMPARE(window->datasetPanel()->countText(), QStringLiteral("40"));
    QCOMPARE(window->datasetPanel()->summary().classNames.size(), 2);
    QVERIFY(window->windowTitle().contains(QFileInfo(m_dir.path()).fileName()));
    auto *details = window->datasetPanel()->findChild<QPushButton *>();
    QVERIFY(details);
    QTreeView *list = window->datasetPanel()->showSkippedDetails();
    QVERIFY(list->isVisible());
    QCOMPARE(list->model()->rowCount(), 1);
    QVERIFY(list->model()->index(0, 0).data().toString().endsWith(QStringLiteral("red/broken.png")));
    QVERIFY(!list->model()->index(0, 1).data().toString().isEmpty());  // the reason
    // The folder went through the dataset cache (on by default): its file is named with its size.
    QVERIFY2(window->datasetPanel()->cacheText().startsWith(QStringLiteral("cache file, ")),
             qPrintable(window->datasetPanel()->cacheText()));
}

void TestMainWindow::trainPauseResumeRateStopContinue()
{
    auto window = loadedWindow(100000);
    QVERIFY(window);
    TrainingController *controller = window->controller();
    QSignalSpy steps(controller, &TrainingController::stepsReported);
    QSignalSpy snapshots(controller, &TrainingController::reconstructionsReady);
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy started(controller, &TrainingController::trainingStarted);
    QSignalSpy rates(controller, &TrainingController::learningRateChanged);

    // Keys go to the chart, as when the user has clicked it (a focused text field keeps its Space).
    QWidget *chart = window->lossChart();
    chart->setFocus();
    // Ctrl+Return starts.
    QTest::keyClick(chart, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(controller->state(), TrainingController::State::Training);
    QVERIFY(!window->trainingPanel()->modelForm()->isEnabled());  // fixed while training
    QVERIFY(steps.wait(20000));
    QVERIFY(snapshots.count() > 0 || snapshots.wait(20000));
    QTRY_VERIFY(window->lossChart()->stepCount() > 0);
    QTRY_COMPARE(window->reconstructionView()->imageCount(), TrainingController::kSnapshotImages);

    // Space pauses: no new points arrive.
    QTest::keyClick(chart, Qt::Key_Space);
    QCOMPARE(controller->state(), TrainingController::State::Paused);
    QTest::qWait(300);  // the running batch ends and is flushed
    const int pausedAt = window->lossChart()->stepCount();
    QTest::qWait(500);
    QCOMPARE(window->lossChart()->stepCount(), pausedAt);

    // Space resumes.
    QTest::keyClick(chart, Qt::Key_Space);
    QCOMPARE(controller->state(), TrainingController::State::Training);
    QTRY_VERIFY_WITH_TIMEOUT(window->lossChart()->stepCount() > pausedAt, 20000);

    // A new learning rate in the form applies from the next step and marks the chart.
    auto *lr = window->trainingPanel()->trainForm()->findChild<QDoubleSpinBox *>();
    QVERIFY(lr && lr->isEnabled());
    window->trainingPanel()->trainForm()->setLearningRate(5e-4);
    QVERIFY(rates.wait(20000));
    QCOMPARE(rates.first().at(1).toDouble(), 5e-4);
    QTRY_COMPARE(window->lossChart()->learningRateMarkerCount(), 1);

    // Esc stops; the model is kept and Start becomes Continue.
    QTest::keyClick(chart, Qt::Key_Escape);
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Stopped);
    QCOMPARE(window->trainingPanel()->startButton()->text(), QStringLiteral("Continue"));
    QVERIFY(window->trainingPanel()->newModelButton()->isEnabled());
    QVERIFY(!window->trainingPanel()->modelForm()->isEnabled());
    const qint64 stoppedAt = lastStep(steps);
    const int pointsBefore = window->lossChart()->stepCount();

    // Continue goes on from the same model: the chart keeps its points, steps go on.
    steps.clear();
    QTest::mouseClick(window->trainingPanel()->startButton(), Qt::LeftButton);
    QVERIFY(steps.wait(20000));
    QVERIFY(started.last().first().value<aes::RunInfo>().continued);
    QCOMPARE(qint64(steps.first().first().value<QVector<QPointF>>().first().x()), stoppedAt + 1);
    QVERIFY(window->lossChart()->stepCount() > pointsBefore);
    QCOMPARE(steps.first().at(1).value<aes::StepReport>().learningRate, 5e-4);
    window->stopTraining();
    QVERIFY(finished.wait(20000));

    // New model: fresh weights, an empty chart, every option editable again.
    QTest::mouseClick(window->trainingPanel()->newModelButton(), Qt::LeftButton);
    QVERIFY(!controller->hasModel());
    QCOMPARE(window->lossChart()->stepCount(), 0);
    QCOMPARE(window->lossChart()->learningRateMarkerCount(), 0);
    QVERIFY(window->trainingPanel()->modelForm()->isEnabled());
    QCOMPARE(window->trainingPanel()->startButton()->text(), QStringLiteral("Start"));
}

void TestMainWindow::metricsAndReconstructionsFillUp()
{
    auto window = loadedWindow(2);
    QVERIFY(window);
    QSignalSpy finished(window->controller(), &TrainingController::finished);
    window->startTraining();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Finished);
    // 36 training images in batches of 4: 9 steps an epoch, all on the chart; a validation point each.
    QTRY_COMPARE(window->lossChart()->stepCount(), 18);
    QCOMPARE(window->lossChart()->validationCount(), 2);
    QCOMPARE(window->metricsView()->epochCount(), 2);
    QCOMPARE(window->metricsView()->table()->rowCount(), 2);
    for (int plot = 0; plot < 4; ++plot)
        QCOMPARE(window->metricsView()->plotPointCount(plot), 2);  // labelled data: kNN too
    QTRY_COMPARE(window->reconstructionView()->snapshotStep(), qint64(18));

    // Click an output image: it opens large, with its error.
    window->showTab(MainWindow::ReconstructionsTab);
    window->reconstructionView()->setShowError(true);
    ReconstructionGrid *grid = window->reconstructionView()->grid();
    QTRY_VERIFY(!grid->inputRect(3).isEmpty());
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->inputRect(3).center());
    ReconstructionDetail *detail = window->reconstructionView()->detail();
    QVERIFY(detail && detail->isVisible());
    QCOMPARE(detail->index(), 3);
    QVERIFY2(detail->errorText().contains(QStringLiteral("MSE")), qPrintable(detail->errorText()));
    QVERIFY(detail->errorText().contains(QStringLiteral("PSNR")));
}

void TestMainWindow::latentTabMapsEveryImage()
{
    auto window = loadedWindow(1);
    QVERIFY(window);
    QSignalSpy finished(window->controller(), &TrainingController::finished);
    window->startTraining();
    QVERIFY(finished.wait(60000));
    LatentMap *map = window->latentMap();
    // Every image of the dataset, after the epoch, without asking.
    QTRY_COMPARE(qint64(map->map().x.size()), window->controller()->datasetSummary().count);
    window->showTab(MainWindow::LatentTab);
    QTRY_VERIFY(map->plotWidget()->isVisible());

    // Hovering a point fetches its image; clicking empty space decodes there.
    QSignalSpy images(window->controller(), &TrainingController::datasetImage);
    QSignalSpy decoded(window->controller(), &TrainingController::decodedImage);
    QWidget *plot = map->plotWidget();
    const QPointF pos = map->pixelOf(5);
    QMouseEvent move(QEvent::MouseMove, pos, plot->mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &move);
    QCOMPARE(map->nearestPoint(pos), map->hoveredPoint());
    QVERIFY(images.wait(10000));
    QCOMPARE(images.first().first().toLongLong(), map->hoveredPoint());
    Q_EMIT map->decodeRequested(map->map().x[0], map->map().y[0]);
    QVERIFY(decoded.wait(10000));
    QVERIFY(!decoded.first().first().value<QImage>().isNull());
}

void TestMainWindow::rendersEveryTab()
{
    auto window = loadedWindow(1);
    QVERIFY(window);
    QSignalSpy finished(window->controller(), &TrainingController::finished);
    window->startTraining();
    QVERIFY(finished.wait(60000));
    QTemporaryDir out;
    QVector<QImage> shots;
    for (int tab = 0; tab < MainWindow::TabCount; ++tab) {
        const QImage shot = window->renderTab(tab);
        QVERIFY(!shot.isNull());
        QVERIFY(shot.width() >= 800);
        const QString path = out.filePath(MainWindow::tabFileName(tab) + QStringLiteral(".png"));
        QVERIFY(shot.save(path));
        QVERIFY(QFileInfo(path).size() > 1000);
        shots << shot;
    }
    for (int i = 1; i < shots.size(); ++i)
        QVERIFY(shots[i] != shots[0]);  // each tab shows something else
}

void TestMainWindow::keepsOptionsInSettings()
{
    {
        MainWindow window;
        window.show();
        aes::ModelOptions model;
        model.kind = aes::ModelKind::Denoising;
        model.latent = 7;
        model.noiseLevel = 0.45;
        model.widths = {16, 24};
        aes::TrainOptions train;
        train.learningRate = 5e-4;
        train.optimizer = aes::OptimizerKind::Sgd;
        train.seed = 42;
        train.valFraction = 0.2;
        window.setOptions(model, train);
        window.lossChart()->setLogScale(true);
        window.close();  // saves
    }
    MainWindow window;
    const aes::ModelOptions model = window.trainingPanel()->modelOptions();
    QCOMPARE(int(model.kind), int(aes::ModelKind::Denoising));
    QCOMPARE(model.latent, 7);
    QCOMPARE(model.noiseLevel, 0.45);
    QCOMPARE(model.widths, (QVector<int>{16, 24}));
    const aes::TrainOptions train = window.trainingPanel()->trainOptions();
    QCOMPARE(train.learningRate, 5e-4);
    QCOMPARE(int(train.optimizer), int(aes::OptimizerKind::Sgd));
    QCOMPARE(train.seed, quint64(42));
    QCOMPARE(window.datasetPanel()->validationFraction(), 0.2);
    QVERIFY(window.lossChart()->isLogScale());
}

void TestMainWindow::folderWithoutImagesIsReported()
{
    QTemporaryDir dir;
    QVERIFY(aes::test::writeFile(dir.filePath(QStringLiteral("notes.txt")), "hello"));
    QVERIFY(aes::test::writeFile(dir.filePath(QStringLiteral("cat.png")), "not a png"));
    MainWindow window;
    window.show();
    QSignalSpy failed(window.controller(), &TrainingController::loadFailed);
    window.openDataset(dir.path());
    QVERIFY(failed.wait(20000));
    QMessageBox *box = window.lastProblem();
    QVERIFY(box);
    QVERIFY2(box->text().contains(dir.path()), qPrintable(box->text()));
    QVERIFY2(box->text().contains(QStringLiteral("not an image")), qPrintable(box->text()));
    QTreeView *list = window.datasetPanel()->showSkippedDetails();
    QVERIFY(list->model()->rowCount() >= 1);
}

void TestMainWindow::dropOpensTheDataset()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(window.controller(), &TrainingController::datasetLoaded);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_dir.path())});
    const QPoint where = window.rect().center();
    QDragEnterEvent enter(where, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(where, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(window.datasetPath(), m_dir.path());
    QCOMPARE(window.recentDatasets()->paths().value(0), QFileInfo(m_dir.path()).absoluteFilePath());
}

void TestMainWindow::quitMidTrainingStopsWithinABatch()
{
    auto window = loadedWindow(100000);
    QVERIFY(window);
    TrainingController *controller = window->controller();
    QSignalSpy steps(controller, &TrainingController::stepsReported);
    QSignalSpy finished(controller, &TrainingController::finished);
    window->startTraining();
    QVERIFY(steps.wait(20000));
    // Ctrl+Q closes the window; the worker stops after its batch (well within 2 s here).
    window->lossChart()->setFocus();
    QTest::keyClick(window->lossChart(), Qt::Key_Q, Qt::ControlModifier);
    QVERIFY(!window->isVisible());
    QVERIFY(finished.wait(2000));
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().status, aes::TrainStatus::Stopped);
    window.reset();  // joins the worker thread; a hang fails by timeout
}

void TestMainWindow::datasetPanelShowsEveryColumn()
{
    // 14 classes, some with long names: at 1600x1000 the class list shows both columns whole
    // (no count cut off or scrolled away), and nothing of the panel is clipped by the dock.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int c = 0; c < 14; ++c) {
        const QString cls = c % 3 ? QStringLiteral("class%1").arg(c)
                                  : QStringLiteral("a_rather_long_class_name_from_a_folder_%1").arg(c);
        QVERIFY(QDir().mkpath(dir.filePath(cls)));
        for (int i = 0; i < 3 + 700 * (c % 2); ++i) {
            QImage image(6, 6, QImage::Format_Grayscale8);
            image.fill(c * 15 + i % 7);
            QVERIFY(image.save(dir.filePath(QStringLiteral("%1/%2.png").arg(cls).arg(i))));
        }
    }
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(window.controller(), &TrainingController::datasetLoaded);
    window.openDataset(dir.path());
    QVERIFY(loaded.wait(20000));
    QCoreApplication::processEvents();
    auto *classes = window.datasetPanel()->findChild<QTreeWidget *>();
    QVERIFY(classes);
    QCOMPARE(classes->topLevelItemCount(), 14);
    QHeaderView *header = classes->header();
    for (int column = 0; column < 2; ++column) {
        QVERIFY2(header->sectionViewportPosition(column) >= 0, qPrintable(QString::number(column)));
        QVERIFY2(header->sectionViewportPosition(column) + header->sectionSize(column) <= classes->viewport()->width(),
                 qPrintable(QStringLiteral("column %1 ends at %2 of %3").arg(column)
                                .arg(header->sectionViewportPosition(column) + header->sectionSize(column))
                                .arg(classes->viewport()->width())));
    }
    // The widest count fits its column.
    QVERIFY(header->sectionSize(1) >= classes->fontMetrics().horizontalAdvance(QStringLiteral("703")));
    // Every class is in sight without scrolling the list, and the list inside its panel.
    QVERIFY(!classes->verticalScrollBar()->isVisible());
    const QRect inPanel(classes->mapTo(window.datasetPanel(), QPoint(0, 0)), classes->size());
    QVERIFY(window.datasetPanel()->rect().contains(inPanel));
    QWidget *viewport = window.datasetPanel()->parentWidget();
    while (viewport && !viewport->inherits("QScrollArea"))
        viewport = viewport->parentWidget();
    QVERIFY(viewport);
    const QRect panelInView(window.datasetPanel()->mapTo(viewport, QPoint(0, 0)), window.datasetPanel()->size());
    QVERIFY2(panelInView.right() < viewport->width(),
             qPrintable(QStringLiteral("panel ends at %1 of %2").arg(panelInView.right()).arg(viewport->width())));
}

void TestMainWindow::audioViewsPlayOrSayWhyNot()
{
    // A spectrogram snapshot as the controller sends it for audio data: 32 mels x 26 frames.
    aes::AudioOptions audio;
    audio.nMels = 32;
    QImage spectrogram(26, 32, QImage::Format_Grayscale8);
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 26; ++x)
            spectrogram.scanLine(y)[x] = uchar(y == 20 ? 230 : 40);
    aes::ReconstructionSnapshot snapshot;
    snapshot.inputs = {spectrogram};
    snapshot.reconstructions = {spectrogram};
    snapshot.mse = {0.0};
    snapshot.globalStep = 1;

    SoundPlayer player;
    player.setAvailableForTesting(false, QStringLiteral("No audio output device"));
    ReconstructionView view;
    view.setAudio(audio, &player);
    view.setSnapshot(snapshot);
    ReconstructionDetail *detail = view.showDetail(0);
    auto *play = detail->findChild<QPushButton *>(QStringLiteral("playInput"));
    QVERIFY(play);
    QVERIFY(!play->isEnabled());  // no device: disabled, and the view says why
    QCOMPARE(play->toolTip(), QStringLiteral("No audio output device"));
    QVERIFY(detail->errorText().startsWith(QStringLiteral("Clip 1 of 1")));

    // Rendering still works without a device: the sound can be saved. (1 + 25 hops) frames.
    QSignalSpy rendered(&player, &SoundPlayer::rendered);
    detail->play(1);
    QVERIFY(rendered.wait(10000));
    QCOMPARE(player.lastSound().size(), size_t(25 * 160));
    QCOMPARE(player.lastRate(), 16000);

    // Tiles in the inferno colour map; sweeps side by side.
    QCOMPARE(SpectrogramView::colorized(spectrogram).pixel(0, 0), aes::infernoColor(40 / 255.0));
    QCOMPARE(SpectrogramView::concatenated({spectrogram, spectrogram}).size(), QSize(52, 32));
    view.setAudio(std::nullopt, &player);
    QVERIFY(!detail->findChild<QWidget *>(QStringLiteral("playInput"))->isVisible());
}

void TestMainWindow::audioOptionsSetInThePanelShapeTheDataset()
{
    // Six 0.5 s clips at 22.05 kHz in two classes.
    QTemporaryDir clips;
    for (int i = 0; i < 6; ++i) {
        std::vector<float> tone(11025);
        for (size_t k = 0; k < tone.size(); ++k)
            tone[k] = 0.5f * float(std::sin(2.0 * M_PI * (i % 2 ? 2000.0 : 300.0) * double(k) / 22050.0));
        const QString path = clips.filePath(QStringLiteral("%1/%2.wav").arg(i % 2 ? "high" : "low").arg(i));
        QDir().mkpath(QFileInfo(path).absolutePath());
        QCOMPARE(aes::writeAudioFile(path, tone, 22050), QString());
    }
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    DatasetPanel *panel = window.datasetPanel();
    // The user types into the Audio rows: 8 kHz, 0.25 s clips, n_fft 256, hop 64, 24 mels, up to 3 kHz.
    auto *rate = panel->findChild<QSpinBox *>(QStringLiteral("audioRate"));
    auto *seconds = panel->findChild<QDoubleSpinBox *>(QStringLiteral("audioSeconds"));
    auto *nFft = panel->findChild<QSpinBox *>(QStringLiteral("audioNFft"));
    auto *hop = panel->findChild<QSpinBox *>(QStringLiteral("audioHop"));
    auto *mels = panel->findChild<QSpinBox *>(QStringLiteral("audioMels"));
    auto *fMax = panel->findChild<QDoubleSpinBox *>(QStringLiteral("audioFMax"));
    auto *range = panel->findChild<QDoubleSpinBox *>(QStringLiteral("audioDbRange"));
    QVERIFY(rate && seconds && nFft && hop && mels && fMax && range);
    rate->setValue(8000);
    seconds->setValue(0.25);
    nFft->setValue(256);
    hop->setValue(64);
    mels->setValue(24);
    fMax->setValue(3000.0);
    range->setValue(60.0);

    QSignalSpy loaded(window.controller(), &TrainingController::datasetLoaded);
    window.openDataset(clips.path());
    QVERIFY(loaded.wait(20000));
    const aes::DatasetSummary &summary = panel->summary();
    QVERIFY(summary.audio);
    QCOMPARE(summary.count, qint64(6));
    QCOMPARE(summary.height, 24);                     // mel bands
    QCOMPARE(summary.width, 1 + 2000 / 64);           // 0.25 s at 8 kHz, whole hops
    QCOMPARE(summary.audioOptions.sampleRate, 8000);
    QCOMPARE(summary.audioOptions.nFft, 256);
    QCOMPARE(summary.audioOptions.fMax, 3000.0);
    QCOMPARE(summary.audioOptions.dbRange, 60.0);
    QVERIFY(panel->audioOptionsSection()->isExpanded());  // a folder of clips opens the section

    // A hop over n_fft / 2 is named under the rows before anything is loaded.
    hop->setValue(200);
    bool named = false;
    for (QLabel *label : panel->audioOptionsSection()->findChildren<QLabel *>())
        named = named || (!label->isHidden() && label->text().startsWith(QStringLiteral("The hop must be")));
    QVERIFY(named);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
