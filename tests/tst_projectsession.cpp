// Projects, Open model and Export in the window, offscreen, as a user drives them: train,
// save a project (the run's checkpoint follows it), open it in a new window (dataset,
// options, model and history come back; Continue goes on from epoch 2), open a model
// without training, export every format with the window's views, cancel an export, and
// refuse a damaged project without changing anything.

#include "datasetpanel.h"
#include "exportdialog.h"
#include "exportsession.h"
#include "mainwindow.h"
#include "metricsview.h"
#include "projectsession.h"
#include "trainingpanel.h"

#include "testimages.h"
#include "testutil.h"

#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using aes::TrainingController;

class TestProjectSession final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void trainSaveOpenContinue();
    void resumedProjectMatchesAnUninterruptedRun();
    void openModelWithoutTraining();
    void exportEveryFormatFromTheWindow();
    void cancelledExportLeavesNoPartialFile();
    void damagedProjectChangesNothing();
    void savingNeverWritesOverAnotherRun();

private:
    std::unique_ptr<MainWindow> shownWindow();
    std::unique_ptr<MainWindow> trainedWindow(int epochs);

    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_cacheDir;     // the dataset cache's files
    QString m_data;
};

void TestProjectSession::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_cacheDir.isValid());
    aes::test::keepCacheIn(m_cacheDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("aestudio-tests"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    m_data = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(aes::test::writeTwoClassFolder(m_data, 40, 10));
}

void TestProjectSession::init()
{
    QApplication::setQuitOnLastWindowClosed(false);
    QSettings().clear();
}

std::unique_ptr<MainWindow> TestProjectSession::shownWindow()
{
    auto window = std::make_unique<MainWindow>();
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return nullptr;
    return window;
}

std::unique_ptr<MainWindow> TestProjectSession::trainedWindow(int epochs)
{
    auto window = shownWindow();
    if (!window)
        return nullptr;
    QSignalSpy loaded(window->controller(), &TrainingController::datasetLoaded);
    window->openDataset(m_data);
    if (!loaded.wait(20000))
        return nullptr;
    aes::ModelOptions model;
    model.kind = aes::ModelKind::Dense;
    model.latent = 3;
    model.widths = {24};
    aes::TrainOptions train;
    train.epochs = epochs;
    train.batchSize = 4;
    train.threads = 1;
    train.seed = 11;
    window->setOptions(model, train);
    QSignalSpy finished(window->controller(), &TrainingController::finished);
    QSignalSpy saved(window->controller(), &TrainingController::runSaved);
    window->startTraining();
    if (!finished.wait(60000))
        return nullptr;
    // A checkpoint after every epoch, in the run directory the window chose.
    if (saved.size() != epochs)
        qWarning("saved %d times for %d epochs", int(saved.size()), epochs);
    return saved.size() == epochs && saved.last().at(1).toString().isEmpty() ? std::move(window) : nullptr;
}

void TestProjectSession::trainSaveOpenContinue()
{
    QString runDir;
    const QString project = m_dir.filePath(QStringLiteral("projects/shirts.aeproj"));
    QDir().mkpath(QFileInfo(project).absolutePath());
    {
        auto window = trainedWindow(2);
        QVERIFY(window);
        // Before the project is saved, the run lives in the autosave folder.
        QVERIFY(window->controller()->runDirectory().startsWith(ProjectSession::autosaveRoot()));
        QVERIFY(QFileInfo::exists(window->controller()->runDirectory() + QStringLiteral("/checkpoint.pt")));
        QSignalSpy saved(window->controller(), &TrainingController::runSaved);
        window->showTab(MainWindow::MetricsTab);
        QVERIFY(window->session()->saveProject(project));
        QVERIFY(saved.wait(20000));
        runDir = aes::defaultRunDirFor(project);
        QCOMPARE(saved.first().at(0).toString(), runDir);
        QCOMPARE(saved.first().at(1).toString(), QString());
        QCOMPARE(window->controller()->runDirectory(), runDir);
        QVERIFY(QFileInfo::exists(runDir + QStringLiteral("/checkpoint.pt")));
        QVERIFY(QFileInfo::exists(runDir + QStringLiteral("/history.csv")));
        QVERIFY(window->windowTitle().startsWith(QStringLiteral("shirts.aeproj")));
    }
    // A new window: the project brings back the dataset, the options, the model and its history.
    auto window = shownWindow();
    QVERIFY(window);
    QSignalSpy opened(window->controller(), &TrainingController::modelOpened);
    QVERIFY(window->session()->openProject(project));
    QVERIFY(opened.wait(30000));
    const auto info = opened.first().first().value<aes::OpenedModel>();
    QVERIFY(info.resumable);
    QCOMPARE(info.epochsCompleted, 2);
    QCOMPARE(window->datasetPath(), m_data);
    QVERIFY(window->controller()->hasModel());
    QCOMPARE(window->controller()->epochsCompleted(), 2);
    QCOMPARE(window->trainingPanel()->modelOptions().latent, 3);
    QCOMPARE(window->trainingPanel()->modelOptions().widths, QVector<int>{24});
    QCOMPARE(window->metricsView()->epochCount(), 2);
    QCOMPARE(window->currentTab(), int(MainWindow::MetricsTab));
    QCOMPARE(window->controller()->runDirectory(), runDir);
    // Continue to 3 epochs: the run goes on from epoch 2 and its checkpoint follows.
    aes::TrainOptions train = window->trainingPanel()->trainOptions();
    train.epochs = 3;
    window->setOptions(window->trainingPanel()->modelOptions(), train);
    QSignalSpy started(window->controller(), &TrainingController::trainingStarted);
    QSignalSpy finished(window->controller(), &TrainingController::finished);
    window->startTraining();
    QVERIFY(finished.wait(60000));
    QCOMPARE(started.first().first().value<aes::RunInfo>().firstEpoch, 3);
    QCOMPARE(finished.first().first().value<aes::TrainOutcome>().epochsCompleted, 3);
    QFile history(runDir + QStringLiteral("/history.csv"));
    QVERIFY(history.open(QIODevice::ReadOnly));
    QCOMPARE(history.readAll().count('\n'), 4);  // header + 3 epochs
}

void TestProjectSession::resumedProjectMatchesAnUninterruptedRun()
{
    // Same seed, one thread: 2 epochs at once, and 1 epoch + save + a new window + Continue to
    // 2, end with the same validation loss.
    double uninterrupted = 0.0;
    {
        auto window = trainedWindow(2);
        QVERIFY(window);
        QCOMPARE(window->metricsView()->epochCount(), 2);
        QFile history(window->controller()->runDirectory() + QStringLiteral("/history.csv"));
        QVERIFY(history.open(QIODevice::ReadOnly));
        uninterrupted = history.readAll().trimmed().split('\n').last().split(',').at(2).toDouble();
    }
    const QString project = m_dir.filePath(QStringLiteral("resume/half.aeproj"));
    QDir().mkpath(QFileInfo(project).absolutePath());
    {
        auto window = trainedWindow(1);
        QVERIFY(window);
        QSignalSpy saved(window->controller(), &TrainingController::runSaved);
        QVERIFY(window->session()->saveProject(project));
        QVERIFY(saved.wait(20000));
    }
    auto window = shownWindow();
    QVERIFY(window);
    QSignalSpy opened(window->controller(), &TrainingController::modelOpened);
    QVERIFY(window->session()->openProject(project));
    QVERIFY(opened.wait(30000));
    aes::TrainOptions train = window->trainingPanel()->trainOptions();
    train.epochs = 2;
    window->setOptions(window->trainingPanel()->modelOptions(), train);
    QSignalSpy reports(window->controller(), &TrainingController::epochReport);
    QSignalSpy finished(window->controller(), &TrainingController::finished);
    window->startTraining();
    QVERIFY(finished.wait(60000));
    QCOMPARE(reports.size(), 1);
    const auto report = reports.first().first().value<aes::EpochReport>();
    QCOMPARE(report.epoch, 2);
    QVERIFY2(std::abs(report.valLoss - uninterrupted) <= 1e-4 * std::abs(uninterrupted),
             qPrintable(QStringLiteral("%1 vs %2").arg(report.valLoss, 0, 'g', 10).arg(uninterrupted, 0, 'g', 10)));
}

void TestProjectSession::openModelWithoutTraining()
{
    QString checkpoint;
    {
        auto trained = trainedWindow(1);
        QVERIFY(trained);
        checkpoint = trained->controller()->runDirectory() + QStringLiteral("/checkpoint.pt");
    }
    // A fresh window without a dataset: the model's own dataset is loaded for it.
    auto window = shownWindow();
    QVERIFY(window);
    QSignalSpy loaded(window->controller(), &TrainingController::datasetLoaded);
    QSignalSpy opened(window->controller(), &TrainingController::modelOpened);
    QSignalSpy map(window->controller(), &TrainingController::latentMapReady);
    QVERIFY(window->session()->openModel(checkpoint));
    QVERIFY(opened.wait(30000));
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(window->controller()->datasetSummary().count, qint64(40));
    QVERIFY(window->controller()->hasModel());
    QCOMPARE(window->controller()->state(), TrainingController::State::Idle);
    // Browsing works at once: the latent map of every image arrives.
    QTRY_VERIFY_WITH_TIMEOUT(!map.isEmpty(), 20000);
    QCOMPARE(map.last().first().value<aes::LatentSnapshot>().x.size(), 40);
}

void TestProjectSession::exportEveryFormatFromTheWindow()
{
    auto window = trainedWindow(1);
    QVERIFY(window);
    QTRY_VERIFY_WITH_TIMEOUT(!window->controller()->runDirectory().isEmpty(), 1000);
    // The latent map after the epoch is what the CSV holds.
    QTest::qWait(200);
    QTemporaryDir out;
    ExportChoice choice;
    choice.folder = out.filePath(QStringLiteral("export"));
    choice.images = true;
    choice.imageCount = 6;
    choice.lossPdf = true;
    QSignalSpy done(window->exportSession(), &ExportSession::exportFinished);
    QVERIFY(window->exportSession()->exportTo(choice));
    QVERIFY(done.wait(60000));
    QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
    const QDir dir(choice.folder);
    for (const char *name : {"model.pt", "onnx/encoder.onnx", "onnx/decoder.onnx", "projector/vectors.tsv",
                             "projector/metadata.tsv", "projector/sprite.png", "projector/projector_config.pbtxt",
                             "images/reconstructions.png", "latent-map.csv", "reconstructions.png", "loss.png",
                             "loss.pdf", "history.csv"})
        QVERIFY2(QFileInfo(dir.filePath(QLatin1String(name))).size() > 0, name);
    QFile map(dir.filePath(QStringLiteral("latent-map.csv")));
    QVERIFY(map.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = map.readAll().trimmed().split('\n');
    QCOMPARE(rows.size(), 41);
    QCOMPARE(rows.first(), QByteArray("x,y,label,file"));
    QVERIFY(rows.at(1).contains(".png"));
    QImage grid(dir.filePath(QStringLiteral("reconstructions.png")));
    QVERIFY(grid.width() > grid.height());
}

void TestProjectSession::cancelledExportLeavesNoPartialFile()
{
    auto window = trainedWindow(1);
    QVERIFY(window);
    QTemporaryDir out;
    ExportChoice choice;
    choice.folder = out.filePath(QStringLiteral("export"));
    choice.mapCsv = choice.reconstructionsPng = choice.lossPng = choice.historyCsv = false;
    QSignalSpy done(window->exportSession(), &ExportSession::exportFinished);
    QVERIFY(window->exportSession()->exportTo(choice));
    QVERIFY(window->exportSession()->isExporting());
    window->exportSession()->cancelExport();
    QVERIFY(!done.isEmpty() || done.wait(60000));
    QVERIFY(!done.first().at(0).toBool());
    QVERIFY2(done.first().at(1).toString().contains(QStringLiteral("cancelled")), qPrintable(done.first().at(1).toString()));
    QVERIFY(!window->lastProblem());  // a cancel is not a problem
    // Nothing half-written: no file at all, or only complete ones (none here: cancelled before
    // the first target).
    QCOMPARE(aes::test::filesUnder(choice.folder), QStringList());
    QVERIFY(!window->exportSession()->isExporting());
}

void TestProjectSession::damagedProjectChangesNothing()
{
    auto window = trainedWindow(1);
    QVERIFY(window);
    const QString title = window->windowTitle();
    const QString runDir = window->controller()->runDirectory();
    const QString bad = m_dir.filePath(QStringLiteral("bad.aeproj"));
    QVERIFY(aes::test::writeFile(bad, "{\"format\": \"autoencoder-studio-project\", \"version\": 1, \"dataset\": 7}"));
    QVERIFY(!window->session()->openProject(bad));
    QVERIFY(window->lastProblem());
    QVERIFY(window->lastProblem()->text().contains(bad));
    QVERIFY(window->lastProblem()->text().contains(QStringLiteral("\"dataset\"")));
    QCOMPARE(window->windowTitle(), title);
    QCOMPARE(window->datasetPath(), m_data);
    QVERIFY(window->controller()->hasModel());
    QCOMPARE(window->controller()->runDirectory(), runDir);
    // A checkpoint of another shape opened as a model: refused with the file named, the model kept.
    const QString notCheckpoint = m_dir.filePath(QStringLiteral("not.pt"));
    QVERIFY(aes::test::writeFile(notCheckpoint, QByteArray(2000, 'x')));
    QSignalSpy failed(window->controller(), &TrainingController::openModelFailed);
    QVERIFY(window->session()->openModel(notCheckpoint));
    QVERIFY(failed.wait(20000));
    QVERIFY(failed.first().first().toString().contains(notCheckpoint));
    QVERIFY(window->controller()->hasModel());
    QCOMPARE(window->controller()->epochsCompleted(), 1);

    // The model's own TorchScript and ONNX exports are not checkpoints: refused by name.
    QTemporaryDir out;
    ExportChoice choice;
    choice.folder = out.path();
    choice.embeddings = choice.mapCsv = choice.reconstructionsPng = choice.lossPng = choice.historyCsv = false;
    QSignalSpy exported(window->exportSession(), &ExportSession::exportFinished);
    QVERIFY(window->exportSession()->exportTo(choice));
    QVERIFY(exported.wait(60000));
    QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
    for (const QString &other : {out.filePath(QStringLiteral("model.pt")), out.filePath(QStringLiteral("onnx/encoder.onnx"))}) {
        QSignalSpy refused(window->controller(), &TrainingController::openModelFailed);
        QVERIFY(window->session()->openModel(other));
        QVERIFY(refused.wait(20000));
        const QString message = refused.first().first().toString();
        QVERIFY2(message.startsWith(other) && message.contains(QStringLiteral("checkpoint")), qPrintable(message));
        QVERIFY(window->controller()->hasModel());
        QCOMPARE(window->datasetPath(), m_data);
    }
}

void TestProjectSession::savingNeverWritesOverAnotherRun()
{
    // "<name>-run" beside the project already holds a run this window did not write.
    const QString project = m_dir.filePath(QStringLiteral("clash/other.aeproj"));
    const QString foreign = aes::defaultRunDirFor(project);
    QVERIFY(QDir().mkpath(foreign));
    const QByteArray foreignBytes("a run written by someone else");
    {
        QFile file(foreign + QStringLiteral("/checkpoint.pt"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(foreignBytes);
    }
    auto window = trainedWindow(1);
    QVERIFY(window);
    QSignalSpy saved(window->controller(), &TrainingController::runSaved);
    QVERIFY(window->session()->saveProject(project));
    QVERIFY(saved.wait(20000));
    const QString runDir = saved.first().at(0).toString();
    QCOMPARE(runDir, foreign + QStringLiteral("-2"));
    QVERIFY(QFileInfo::exists(runDir + QStringLiteral("/checkpoint.pt")));
    QFile file(foreign + QStringLiteral("/checkpoint.pt"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), foreignBytes);
    // Saving again keeps the run it wrote.
    QVERIFY(window->session()->saveProject(project));
    QCOMPARE(window->controller()->runDirectory(), runDir);
}

QTEST_MAIN(TestProjectSession)
#include "tst_projectsession.moc"
