// The Anomalies tab in the window, offscreen, as a user drives it: after a short training
// run it scores a folder with the current model, the list fills with every image sorted by
// score and the visible rows get their pictures, dragging the threshold changes the verdict
// counts and writes the threshold to the run directory, the project keeps it, and the CSV
// export writes every row while the copy takes exactly the flagged files.

#include "anomalycharts.h"
#include "anomalyexplorer.h"
#include "anomalylistmodel.h"
#include "mainwindow.h"
#include "projectsession.h"

#include "anomaly/anomalythreshold.h"
#include "controller/trainingcontroller.h"
#include "testutil.h"

#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using aes::TrainingController;

class TestAnomalyExplorer final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void scoreDragExport();
    void scoringWithoutModelIsRefused();

private:
    static constexpr int kGood = 30;
    static constexpr int kDefects = 10;
    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_cacheDir;     // the dataset cache's files
    QString m_data;
};

void TestAnomalyExplorer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_cacheDir.isValid());
    aes::test::keepCacheIn(m_cacheDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("aestudio-tests"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    // "good" is normal by its name; "defect" images are bright noise.
    m_data = m_dir.filePath(QStringLiteral("data"));
    for (int i = 0; i < kGood + kDefects; ++i) {
        const bool defect = i >= kGood;
        QImage image(10, 10, QImage::Format_Grayscale8);
        image.fill(30);
        for (int k = 0; k < 10; ++k)
            image.setPixelColor(k, (i + k) % 10, Qt::white);
        if (defect)
            for (int k = 0; k < 100; k += 3)
                image.setPixelColor(k % 10, k / 10, QColor::fromHsv(0, 0, (k * 37 + i * 11) % 256));
        const QString cls = defect ? QStringLiteral("defect") : QStringLiteral("good");
        QDir().mkpath(m_data + QLatin1Char('/') + cls);
        QVERIFY(image.save(QStringLiteral("%1/%2/%3.png").arg(m_data, cls).arg(i)));
    }
}

void TestAnomalyExplorer::init()
{
    QApplication::setQuitOnLastWindowClosed(false);
    QSettings().clear();
}

void TestAnomalyExplorer::scoreDragExport()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(window.controller(), &TrainingController::datasetLoaded);
    window.openDataset(m_data);
    QVERIFY(loaded.wait(20000));
    aes::ModelOptions model;
    model.kind = aes::ModelKind::Dense;
    model.latent = 3;
    model.widths = {24};
    aes::TrainOptions train;
    train.epochs = 2;
    train.batchSize = 8;
    train.threads = 1;
    train.seed = 3;
    window.setOptions(model, train);
    QSignalSpy finished(window.controller(), &TrainingController::finished);
    window.startTraining();
    QVERIFY(finished.wait(60000));

    window.showTab(MainWindow::AnomaliesTab);
    QCOMPARE(MainWindow::tabFileName(MainWindow::AnomaliesTab), QStringLiteral("anomalies"));
    AnomalyExplorer *explorer = window.anomalyExplorer();
    QCOMPARE(explorer->dataPath(), m_data);  // the loaded dataset by default
    QSignalSpy scored(explorer, &AnomalyExplorer::scored);
    QVERIFY(explorer->score());
    QVERIFY(explorer->isBusy());
    QVERIFY(scored.wait(60000));
    QCOMPARE(scored.first().first().toBool(), true);

    // Every image, highest score first, the visible rows with their pictures.
    AnomalyListModel *list = explorer->listModel();
    QCOMPARE(list->rowCount(), kGood + kDefects);
    for (int row = 1; row < list->rowCount(); ++row)
        QVERIFY(explorer->scores().scores[int(list->imageAt(row - 1))] >= explorer->scores().scores[int(list->imageAt(row))]);
    QTRY_VERIFY_WITH_TIMEOUT(list->hasPictures(list->imageAt(0)), 20000);
    QVERIFY(!list->index(0, AnomalyListModel::HeatmapColumn).data(Qt::DecorationRole).value<QPixmap>().isNull());
    QCOMPARE(explorer->anomalous().count(true), kDefects);
    QVERIFY(explorer->curves()->rocName().contains(QStringLiteral("AUROC")));
    QVERIFY(explorer->curves()->prName().contains(QStringLiteral("AUPR")));

    // Dragging the line to the far left flags every image, to the far right almost none.
    QWidget *plot = explorer->histogram()->plotWidget();
    const QRect area = explorer->histogram()->plotArea();
    const int y = area.center().y();
    QSignalSpy chosen(explorer->histogram(), &AnomalyHistogram::thresholdChosen);
    const auto drag = [&](int toX) {
        QTest::mousePress(plot, Qt::LeftButton, {}, QPoint(explorer->histogram()->thresholdPixel(), y));
        QTest::mouseMove(plot, QPoint((explorer->histogram()->thresholdPixel() + toX) / 2, y));
        QTest::mouseMove(plot, QPoint(toX, y));
        QTest::mouseRelease(plot, Qt::LeftButton, {}, QPoint(toX, y));
    };
    drag(area.left() + 1);
    QCOMPARE(chosen.size(), 1);
    aes::Verdicts v = explorer->verdicts();
    QCOMPARE(v.truePositives + v.falsePositives, qint64(kGood + kDefects));
    QCOMPARE(v.truePositives, qint64(kDefects));
    const QString allFlagged = explorer->verdictText();
    drag(area.right() - 1);
    v = explorer->verdicts();
    // The line stops at the highest score: only the images that have it (identical images tie).
    const QVector<double> &scores = explorer->scores().scores;
    const double highest = *std::max_element(scores.begin(), scores.end());
    QCOMPARE(explorer->threshold(), highest);
    QCOMPARE(v.truePositives + v.falsePositives, qint64(scores.count(highest)));
    QVERIFY(scores.count(highest) < kGood + kDefects);
    QVERIFY(explorer->verdictText() != allFlagged);
    const double high = explorer->threshold();

    // The run directory has it, and so does the project.
    QString error;
    const auto saved = aes::readAnomalyThreshold(window.controller()->runDirectory(), &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(saved->threshold, high);
    QVERIFY(saved->kind == aes::ScoreKind::Mse);
    const QString project = m_dir.filePath(QStringLiteral("p.aeproj"));
    QVERIFY(window.session()->saveProject(project));
    QFile file(project);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject view = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("view")).toObject();
    QCOMPARE(view.value(QStringLiteral("anomalies")).toObject().value(QStringLiteral("threshold")).toDouble(), high);
    // The project's run (the model moved there) carries it too.
    QTRY_VERIFY(aes::readAnomalyThreshold(window.controller()->runDirectory(), &error).has_value());
    QCOMPARE(aes::readAnomalyThreshold(window.controller()->runDirectory(), &error)->threshold, high);

    // A middle threshold, as typed: the exports.
    const double middle = explorer->scores().scores[int(list->imageAt(kDefects / 2))];
    explorer->setThreshold(middle);
    v = explorer->verdicts();
    const qint64 flagged = v.truePositives + v.falsePositives;
    QVERIFY(flagged >= kDefects / 2 + 1);
    const QString csv = m_dir.filePath(QStringLiteral("scores.csv"));
    QCOMPARE(explorer->exportCsv(csv), QString());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(csvFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), kGood + kDefects + 1);
    QCOMPARE(lines.first(), QStringLiteral("path,label,score,flagged"));
    int flaggedRows = 0;
    for (int i = 1; i < lines.size(); ++i)
        flaggedRows += lines[i].endsWith(QStringLiteral(",1")) ? 1 : 0;
    QCOMPARE(flaggedRows, int(flagged));
    const QString copies = m_dir.filePath(QStringLiteral("flagged"));
    int copied = 0;
    QCOMPARE(explorer->exportFlagged(copies, &copied), QString());
    QCOMPARE(copied, int(flagged));
    const QString top = explorer->scores().paths[int(list->imageAt(0))];
    QVERIFY(QFile::exists(QDir(copies).filePath(QDir(m_data).relativeFilePath(top))));
    // Never into the scored data: the copies would be scored as inputs next time.
    const QString inside = m_data + QStringLiteral("/flagged");
    QVERIFY(!explorer->exportFlagged(inside, &copied).isEmpty());
    QCOMPARE(copied, 0);
    QVERIFY(!QFileInfo::exists(inside));
    window.close();

    // The project brings the threshold back: the next scores of that kind get it.
    MainWindow reopened;
    reopened.show();
    QVERIFY(QTest::qWaitForWindowExposed(&reopened));
    QSignalSpy restored(reopened.session(), &ProjectSession::viewRestored);
    QVERIFY(reopened.session()->openProject(project));
    QVERIFY(restored.wait(30000));
    QSignalSpy rescored(reopened.anomalyExplorer(), &AnomalyExplorer::scored);
    QVERIFY(reopened.anomalyExplorer()->score());
    QVERIFY(rescored.wait(60000));
    QCOMPARE(rescored.first().first().toBool(), true);
    QCOMPARE(reopened.anomalyExplorer()->threshold(), high);
}

void TestAnomalyExplorer::scoringWithoutModelIsRefused()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy scored(window.anomalyExplorer(), &AnomalyExplorer::scored);
    QVERIFY(!window.anomalyExplorer()->score());
    QCOMPARE(scored.size(), 1);
    QCOMPARE(scored.first().first().toBool(), false);
    QCOMPARE(window.anomalyExplorer()->listModel()->rowCount(), 0);
}

QTEST_MAIN(TestAnomalyExplorer)
#include "tst_anomalyexplorer.moc"
