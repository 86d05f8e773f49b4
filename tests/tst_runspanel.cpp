// The Runs tab, offscreen: the table reads the runs the CLI's engine and the window wrote
// (a damaged one listed with its problem), sorts figures as numbers, names overlaid runs by
// the options that differ, draws their curves, compares two runs on the same images (MSE
// checked against the models themselves), and renames and deletes runs but never the one
// the window works on.

#include "mainwindow.h"
#include "projectsession.h"
#include "runcompareview.h"
#include "runsoverlay.h"
#include "runspanel.h"
#include "runstablemodel.h"

#include "model/autoencoder.h"
#include "project/runcompare.h"
#include "project/rundirectory.h"
#include "project/runlabels.h"
#include "project/runlist.h"
#include "project/trainjob.h"
#include "training/metrics.h"
#include "training/trainingcontrol.h"

#include "testimages.h"
#include "testutil.h"

#include <torch/torch.h>

#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using aes::TrainingController;

class TestRunsPanel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void tableReadsCliGuiAndDamagedRuns();
    void figuresSortAsNumbers();
    void folderPickedByHandLeadsBack();
    void legendNamesOnlyTheOptionsThatDiffer();
    void overlayDrawsOneCurvePerTickedRun();
    void comparisonReconstructsTheSameImagesWithBoth();
    void comparisonRefusesRunsOfAnotherShape();
    void renameAndDeleteButNeverTheCurrentRun();

private:
    QString trainRun(const QString &name, int latent, double lr, int epochs, int size = 0);
    bool waitListed(RunsPanel *panel);

    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_cacheDir;     // the dataset cache's files
    QString m_data;
    QString m_runs;                       // the project's folder: its run and the CLI's
    std::unique_ptr<MainWindow> m_window;  // trained one epoch; its run is current
};

QString TestRunsPanel::trainRun(const QString &name, int latent, double lr, int epochs, int size)
{
    aes::TrainJobOptions job;
    job.data = m_data;
    job.runDir = QDir(m_runs).filePath(name);
    job.load.width = size;
    job.load.height = size;
    job.model.kind = aes::ModelKind::Dense;
    job.model.latent = latent;
    job.model.widths = {24};
    job.train.epochs = epochs;
    job.train.batchSize = 4;
    job.train.threads = 1;
    job.train.learningRate = lr;
    job.train.valFraction = 0.25;
    aes::TrainingControl control;
    const aes::TrainJobResult result = aes::runTrainJob(job, control);
    return result.ok ? job.runDir : QString();
}

bool TestRunsPanel::waitListed(RunsPanel *panel)
{
    QSignalSpy listed(panel, &RunsPanel::listed);
    panel->refresh();
    return listed.wait(20000);
}

void TestRunsPanel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_cacheDir.isValid());
    aes::test::keepCacheIn(m_cacheDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("aestudio-tests"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings().clear();
    // Deleted runs go to a trash of the test's own.
    qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("xdg")).toUtf8());
    QApplication::setQuitOnLastWindowClosed(false);
    m_data = m_dir.filePath(QStringLiteral("data"));
    m_runs = m_dir.filePath(QStringLiteral("project"));
    QVERIFY(aes::test::writeTwoClassFolder(m_data, 40, 12));
    // Two runs of the CLI's engine, a damaged run (its checkpoint cut short) and a folder
    // that is no run.
    QVERIFY(!trainRun(QStringLiteral("cli-small"), 2, 5e-3, 1).isEmpty());
    QVERIFY(!trainRun(QStringLiteral("cli-wide"), 6, 2e-3, 2).isEmpty());
    QFile checkpoint(QDir(m_runs).filePath(QStringLiteral("cli-small/checkpoint.pt")));
    QVERIFY(checkpoint.open(QIODevice::ReadOnly));
    const QByteArray bytes = checkpoint.readAll();
    QVERIFY(aes::test::writeFile(QDir(m_runs).filePath(QStringLiteral("damaged/checkpoint.pt")), bytes.left(bytes.size() / 2)));
    QVERIFY(aes::test::writeFile(QDir(m_runs).filePath(QStringLiteral("notes/todo.txt")), "no run here"));

    // A run of the window, saved as a project beside them (its run directory follows it).
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QSignalSpy loaded(m_window->controller(), &TrainingController::datasetLoaded);
    m_window->openDataset(m_data);
    QVERIFY(loaded.wait(20000));
    aes::ModelOptions model;
    model.kind = aes::ModelKind::Dense;
    model.latent = 3;
    model.widths = {24};
    aes::TrainOptions train;
    train.epochs = 1;
    train.batchSize = 4;
    train.threads = 1;
    m_window->setOptions(model, train);
    QSignalSpy finished(m_window->controller(), &TrainingController::finished);
    m_window->startTraining();
    QVERIFY(finished.wait(60000));
    QSignalSpy saved(m_window->controller(), &TrainingController::runSaved);
    QVERIFY(m_window->session()->saveProject(QDir(m_runs).filePath(QStringLiteral("gui.aeproj"))));
    QVERIFY(saved.wait(20000));
    QVERIFY(QFile::exists(QDir(m_runs).filePath(QStringLiteral("gui-run/checkpoint.pt"))));
}

void TestRunsPanel::cleanupTestCase()
{
    m_window.reset();
}

void TestRunsPanel::tableReadsCliGuiAndDamagedRuns()
{
    RunsPanel *panel = m_window->runsPanel();
    QSignalSpy messages(panel, &RunsPanel::message);
    QSignalSpy listed(panel, &RunsPanel::listed);
    m_window->showTab(MainWindow::RunsTab);  // showing the tab reads the current run's folder
    QVERIFY(listed.wait(20000));
    QCOMPARE(QDir(panel->folder()).canonicalPath(), QDir(m_runs).canonicalPath());
    RunsTableModel *model = panel->model();
    QCOMPARE(model->rowCount(), 4);  // gui-run, cli-small, cli-wide, damaged; not notes
    QStringList names;
    for (int row = 0; row < model->rowCount(); ++row)
        names << model->index(row, RunsTableModel::Name).data().toString();
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral("cli-small"), QStringLiteral("cli-wide"), QStringLiteral("damaged"),
                                 QStringLiteral("gui-run")}));

    const int gui = model->rowOf(QDir(m_runs).filePath(QStringLiteral("gui-run")));
    QVERIFY(gui >= 0);
    QVERIFY(model->run(gui).ok());
    QCOMPARE(model->index(gui, RunsTableModel::Epochs).data().toString(), QStringLiteral("1"));
    QCOMPARE(model->index(gui, RunsTableModel::Latent).data().toInt(), 3);
    QCOMPARE(model->index(gui, RunsTableModel::Status).data().toString(), QStringLiteral("saved"));
    QVERIFY(model->index(gui, RunsTableModel::Name).data(Qt::FontRole).value<QFont>().bold());  // the current run

    const int wide = model->rowOf(QDir(m_runs).filePath(QStringLiteral("cli-wide")));
    QCOMPARE(model->index(wide, RunsTableModel::Status).data().toString(), QStringLiteral("finished"));
    QCOMPARE(model->index(wide, RunsTableModel::Epochs).data().toString(), QStringLiteral("2"));
    const double mse = model->run(wide).history.last().valMse;
    QCOMPARE(model->index(wide, RunsTableModel::ValMse).data().toString(), QString::number(mse, 'f', 5));
    QVERIFY(model->index(wide, RunsTableModel::Psnr).data().toString().toDouble() > 0.0);

    const int damaged = model->rowOf(QDir(m_runs).filePath(QStringLiteral("damaged")));
    QVERIFY(!model->run(damaged).ok());
    QCOMPARE(model->index(damaged, RunsTableModel::Status).data().toString(), QStringLiteral("damaged"));
    QVERIFY(model->index(damaged, RunsTableModel::Model).data().toString().contains(QStringLiteral("checkpoint.pt")));
    QVERIFY(model->index(damaged, RunsTableModel::Name).data(Qt::ToolTipRole).toString().contains(QStringLiteral("cannot be read")));
    QVERIFY(!(model->flags(model->index(damaged, RunsTableModel::Name)) & Qt::ItemIsUserCheckable));
    QVERIFY(!messages.isEmpty());
    QVERIFY2(messages.last().at(0).toString().contains(QStringLiteral("1 of the runs")), qPrintable(messages.last().at(0).toString()));
    // Listing builds no model, so it draws nothing from the generator that a training on the
    // worker thread uses for dropout and noise.
    torch::manual_seed(5);
    QCOMPARE(aes::listRuns(m_runs).size(), 4);
    const double afterListing = torch::rand({1}).item<double>();
    torch::manual_seed(5);
    QCOMPARE(torch::rand({1}).item<double>(), afterListing);
    // The problem spans the figures' columns of its row.
    const int viewRow = panel->proxy()->mapFromSource(model->index(damaged, 0)).row();
    QCOMPARE(panel->table()->columnSpan(viewRow, RunsTableModel::Model), RunsTableModel::Modified - RunsTableModel::Model);
}

void TestRunsPanel::folderPickedByHandLeadsBack()
{
    RunsPanel *panel = m_window->runsPanel();
    m_window->showTab(MainWindow::RunsTab);
    const QList<QPushButton *> buttons = panel->findChildren<QPushButton *>();
    QPushButton *back = nullptr;
    for (QPushButton *button : buttons)
        if (button->text() == QStringLiteral("Current run's folder"))
            back = button;
    QVERIFY(back);
    QVERIFY(!back->isVisible());  // following the current run: nothing to go back to

    QTemporaryDir other;
    QSignalSpy listed(panel, &RunsPanel::listed);
    panel->setFolder(other.path());
    QVERIFY(listed.wait(20000));
    QCOMPARE(panel->model()->rowCount(), 0);
    QVERIFY(back->isVisible());

    back->click();
    QVERIFY(listed.wait(20000));
    QCOMPARE(QDir(panel->folder()).canonicalPath(), QDir(m_runs).canonicalPath());
    QCOMPARE(panel->model()->rowCount(), 4);
    QVERIFY(!back->isVisible());
}

void TestRunsPanel::figuresSortAsNumbers()
{
    // As text, "10.00000" < "5e-1"-like orderings go wrong; the sort role orders numbers.
    QVector<aes::RunEntry> runs;
    for (double mse : {0.5, 0.05, 10.0, 0.005}) {
        aes::RunEntry run;
        run.dir = QStringLiteral("/runs/mse-%1").arg(mse);
        aes::EpochReport e;
        e.epoch = 1;
        e.valMse = mse;
        run.history = {e};
        run.keptEpoch = 1;
        runs << run;
    }
    aes::RunEntry broken;
    broken.dir = QStringLiteral("/runs/broken");
    broken.problem = QStringLiteral("damaged");
    runs.insert(1, broken);
    RunsTableModel model;
    model.setRuns(runs);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(RunsTableModel::kSortRole);
    proxy.sort(RunsTableModel::ValMse, Qt::AscendingOrder);
    QStringList order;
    for (int row = 0; row < proxy.rowCount(); ++row)
        order << proxy.index(row, RunsTableModel::Name).data().toString();
    QCOMPARE(order, (QStringList{QStringLiteral("mse-0.005"), QStringLiteral("mse-0.05"), QStringLiteral("mse-0.5"),
                                 QStringLiteral("mse-10"), QStringLiteral("broken")}));
}

void TestRunsPanel::legendNamesOnlyTheOptionsThatDiffer()
{
    aes::RunOptions a{QStringLiteral("run-1"), {}, {}};
    aes::RunOptions b = a;
    b.name = QStringLiteral("run-2");
    b.model.latent = 32;
    b.train.learningRate = 0.001;
    // Nothing differs: the names alone.
    QCOMPARE(aes::runLabels({a, a}), (QStringList{QStringLiteral("run-1"), QStringLiteral("run-1")}));
    QCOMPARE(aes::runLabels({a, b}), (QStringList{QStringLiteral("run-1 \u00b7 latent 16 \u00b7 lr 0.005"),
                                                  QStringLiteral("run-2 \u00b7 latent 32 \u00b7 lr 0.001")}));
    // A vae's beta does not make a conv run differ; SGD's momentum is not Adam's.
    aes::RunOptions vae = a;
    vae.name = QStringLiteral("vae");
    vae.model.kind = aes::ModelKind::Vae;
    vae.model.beta = 4.0;
    vae.train.momentum = 0.5;
    QCOMPARE(aes::runLabels({a, vae}), (QStringList{QStringLiteral("run-1 \u00b7 conv"), QStringLiteral("vae \u00b7 vae")}));
    aes::RunOptions vae2 = vae;
    vae2.name = QStringLiteral("vae2");
    vae2.model.beta = 1.0;
    const QVector<QStringList> three = aes::differingOptions({a, vae, vae2});
    QCOMPARE(three[0], QStringList{QStringLiteral("conv")});
    QCOMPARE(three[1], (QStringList{QStringLiteral("vae"), QStringLiteral("beta 4")}));
    QCOMPARE(three[2], (QStringList{QStringLiteral("vae"), QStringLiteral("beta 1")}));
    // Early stopping shows as the epochs it takes.
    aes::RunOptions early = a;
    early.train.earlyStopping = true;
    QCOMPARE(aes::differingOptions({a, early})[1], QStringList{QStringLiteral("epochs auto")});
}

void TestRunsPanel::overlayDrawsOneCurvePerTickedRun()
{
    RunsPanel *panel = m_window->runsPanel();
    QVERIFY(waitListed(panel));
    RunsTableModel *model = panel->model();
    const int small = model->rowOf(QDir(m_runs).filePath(QStringLiteral("cli-small")));
    const int wide = model->rowOf(QDir(m_runs).filePath(QStringLiteral("cli-wide")));
    const int damaged = model->rowOf(QDir(m_runs).filePath(QStringLiteral("damaged")));
    QVERIFY(model->setData(model->index(small, RunsTableModel::Name), Qt::Checked, Qt::CheckStateRole));
    model->setTicked(wide, true);
    model->setTicked(damaged, true);  // refused: nothing to draw
    QCOMPARE(model->tickedRuns().size(), 2);
    panel->showOverlay();
    RunsOverlay *overlay = panel->overlay();
    QCOMPARE(overlay->legendTexts().size(), 2);
    for (const QString &text : overlay->legendTexts())
        QVERIFY2(text.contains(QStringLiteral("latent ")) && text.contains(QStringLiteral("lr ")), qPrintable(text));
    // Drawn: both runs' colours are on the picture.
    const QImage shot = overlay->grab().toImage().convertToFormat(QImage::Format_RGB32);
    int blue = 0, orange = 0;
    for (int y = 0; y < shot.height(); ++y)
        for (int x = 0; x < shot.width(); ++x) {
            const QRgb p = shot.pixel(x, y);
            blue += qRed(p) < 60 && qGreen(p) > 100 && qGreen(p) < 140 && qBlue(p) > 160;
            orange += qRed(p) > 230 && qGreen(p) > 110 && qGreen(p) < 145 && qBlue(p) < 40;
        }
    QVERIFY2(blue > 20 && orange > 20, qPrintable(QStringLiteral("%1 blue, %2 orange pixels").arg(blue).arg(orange)));
    overlay->setMetric(RunsOverlay::Psnr);
    QCOMPARE(overlay->legendTexts().size(), 2);
    // Unticked runs leave the chart; a refresh keeps the ticks.
    QVERIFY(waitListed(panel));
    QCOMPARE(model->tickedRuns().size(), 2);
    model->setTicked(model->rowOf(QDir(m_runs).filePath(QStringLiteral("cli-small"))), false);
    QCOMPARE(overlay->legendTexts().size(), 1);
    QCOMPARE(overlay->legendTexts().first(), QStringLiteral("cli-wide"));  // alone: nothing differs
}

void TestRunsPanel::comparisonReconstructsTheSameImagesWithBoth()
{
    const QString a = QDir(m_runs).filePath(QStringLiteral("cli-small"));
    const QString b = QDir(m_runs).filePath(QStringLiteral("cli-wide"));
    aes::CompareRequest request;
    request.runA = a;
    request.runB = b;
    request.largest = 3;
    request.random = 2;
    const aes::RunComparison c = aes::compareRuns(request);
    QVERIFY2(c.ok(), qPrintable(c.error));
    QCOMPARE(c.compared, qint64(10));  // a quarter of 40 images is the validation split
    QVERIFY(c.validation);
    QCOMPARE(c.images.size(), 5);
    QCOMPARE(c.aBetter + c.bBetter, qint64(10));
    // The largest differences come first; the drawn ones after them.
    for (int i = 1; i < 3; ++i)
        QVERIFY(std::abs(c.images[i - 1].mseA - c.images[i - 1].mseB) >= std::abs(c.images[i].mseA - c.images[i].mseB));
    QVERIFY(!c.images[2].drawn && c.images[3].drawn && c.images[4].drawn);

    // Each image's MSE is what the run's own model gives it.
    aes::RunDataResult runA = aes::loadRunData(a);
    QVERIFY2(runA.run, qPrintable(runA.error));
    std::optional<aes::LoadedCheckpoint> modelB = aes::loadCheckpoint(aes::checkpointPathOf(b), nullptr);
    QVERIFY(modelB);
    torch::NoGradGuard noGrad;
    for (const aes::ComparedImage &image : c.images) {
        QCOMPARE(image.input.size(), QSize(12, 12));
        QCOMPARE(image.a.size(), image.input.size());
        QCOMPARE(image.b.size(), image.input.size());
        QCOMPARE(image.path, runA.run->dataset.paths.at(int(image.index)));
        const torch::Tensor x = runA.run->dataset.floatBatch(torch::tensor({int64_t(image.index)}, torch::kLong));
        const double mseA = aes::perImageMse(runA.run->checkpoint.model->forward(x), x).item<double>();
        const double mseB = aes::perImageMse(modelB->model->forward(x), x).item<double>();
        QVERIFY2(std::abs(mseA - image.mseA) < 1e-6, qPrintable(QStringLiteral("%1 vs %2").arg(mseA).arg(image.mseA)));
        QVERIFY2(std::abs(mseB - image.mseB) < 1e-6, qPrintable(QStringLiteral("%1 vs %2").arg(mseB).arg(image.mseB)));
    }

    // The panel does the same on its thread and shows the rows.
    RunsPanel *panel = m_window->runsPanel();
    QSignalSpy compared(panel, &RunsPanel::compared);
    QVERIFY(panel->compare(a, b));
    QVERIFY(!panel->compare(a, b));  // one at a time
    QVERIFY(compared.wait(30000));
    QCOMPARE(compared.first().at(0).toBool(), true);
    QVERIFY(!panel->compareView()->comparison().images.isEmpty());
    QVERIFY(panel->compareView()->summaryText().contains(QStringLiteral("cli-small")));
    QVERIFY(!panel->compareView()->grab().isNull());
    // The difference map: green where A is closer to the input, red where B is.
    QImage input(2, 1, QImage::Format_Grayscale8), ia(2, 1, QImage::Format_Grayscale8), ib(2, 1, QImage::Format_Grayscale8);
    input.setPixel(0, 0, qRgb(100, 100, 100));
    input.fill(100);
    ia.fill(100);
    ib.fill(100);
    ib.setPixelColor(0, 0, QColor(200, 200, 200));
    ia.setPixelColor(1, 0, QColor(200, 200, 200));
    const QImage map = RunCompareView::differenceMap(input, ia, ib);
    QVERIFY(qGreen(map.pixel(0, 0)) > qRed(map.pixel(0, 0)));
    QVERIFY(qRed(map.pixel(1, 0)) > qGreen(map.pixel(1, 0)));
}

void TestRunsPanel::comparisonRefusesRunsOfAnotherShape()
{
    const QString small = trainRun(QStringLiteral("../other/tiny"), 2, 5e-3, 1, 8);
    QVERIFY(!small.isEmpty());
    aes::CompareRequest request;
    request.runA = QDir(m_runs).filePath(QStringLiteral("cli-small"));
    request.runB = small;
    const aes::RunComparison c = aes::compareRuns(request);
    QVERIFY(!c.ok());
    QVERIFY2(c.error.contains(QStringLiteral("different shapes")), qPrintable(c.error));
    QVERIFY(c.error.contains(QStringLiteral("1\u00d712\u00d712")) && c.error.contains(QStringLiteral("1\u00d78\u00d78")));
}

void TestRunsPanel::renameAndDeleteButNeverTheCurrentRun()
{
    RunsPanel *panel = m_window->runsPanel();
    const QDir runs(m_runs);
    const QString copy = runs.filePath(QStringLiteral("copy"));
    QVERIFY(QDir().mkpath(copy));
    QVERIFY(QFile::copy(runs.filePath(QStringLiteral("cli-small/checkpoint.pt")), copy + QStringLiteral("/checkpoint.pt")));

    QVERIFY(panel->renameRun(copy, QStringLiteral("cli-wide")).contains(QStringLiteral("exists already")));
    QVERIFY(!panel->renameRun(copy, QStringLiteral("a/b")).isEmpty());
    QVERIFY(QFileInfo::exists(copy));
    QSignalSpy listed(panel, &RunsPanel::listed);
    QCOMPARE(panel->renameRun(copy, QStringLiteral("renamed")), QString());
    QVERIFY(!QFileInfo::exists(copy));
    QVERIFY(QFile::exists(runs.filePath(QStringLiteral("renamed/checkpoint.pt"))));
    QVERIFY(listed.wait(20000));
    QVERIFY(panel->model()->rowOf(runs.filePath(QStringLiteral("renamed"))) >= 0);

    QCOMPARE(panel->deleteRun(runs.filePath(QStringLiteral("renamed"))), QString());
    QVERIFY(!QFileInfo::exists(runs.filePath(QStringLiteral("renamed"))));
    QVERIFY(listed.wait(20000));
    QCOMPARE(panel->model()->rowOf(runs.filePath(QStringLiteral("renamed"))), -1);

    // The window's run: neither deleted nor renamed under the open project.
    const QString current = runs.filePath(QStringLiteral("gui-run"));
    QVERIFY(panel->deleteRun(current).contains(QStringLiteral("current run")));
    QVERIFY(panel->renameRun(current, QStringLiteral("elsewhere")).contains(QStringLiteral("project")));
    QVERIFY(QFile::exists(current + QStringLiteral("/checkpoint.pt")));
}

QTEST_MAIN(TestRunsPanel)
#include "tst_runspanel.moc"
