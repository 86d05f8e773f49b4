// The loss chart: steps and validation points, learning-rate markers, the readout under
// the cursor, auto-range against the user's zoom, and the PNG / PDF / CSV exports.

#include "losschart.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

class TestLossChart final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exportsEveryStepAsCsv();
    void exportsImages();
    void readoutNamesTheStepUnderTheCursor();
    void zoomStopsFollowingUntilAutoRange();
    void clearForgetsMarkers();

private:
    static void fill(LossChart &chart, int steps);
};

void TestLossChart::fill(LossChart &chart, int steps)
{
    QVector<QPointF> losses;
    for (int s = 1; s <= steps; ++s)
        losses << QPointF(s, 1.0 / s);
    chart.setInitialLearningRate(2e-3);
    chart.addSteps(losses.mid(0, steps / 2));
    chart.addValidation(1, 0.05);
    chart.addLearningRateChange(steps / 2 + 1, 5e-4);
    chart.addSteps(losses.mid(steps / 2));
}

void TestLossChart::exportsEveryStepAsCsv()
{
    LossChart chart;
    fill(chart, 20);
    QCOMPARE(chart.stepCount(), 20);
    QCOMPARE(chart.learningRateMarkerCount(), 1);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("loss.csv"));
    QVERIFY(chart.exportCsv(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 21);
    QCOMPARE(lines[0], QStringLiteral("step,train_loss,smoothed_loss,val_loss,learning_rate"));
    QCOMPARE(lines[1].split(QLatin1Char(','))[0], QStringLiteral("1"));
    QCOMPARE(lines[1].split(QLatin1Char(','))[1].toDouble(), 1.0);
    QCOMPARE(lines[10].split(QLatin1Char(','))[3].toDouble(), 0.05);  // validation at the end of epoch 1 (step 10)
    QVERIFY(lines[9].split(QLatin1Char(','))[3].isEmpty());
    QCOMPARE(lines[10].split(QLatin1Char(','))[4].toDouble(), 2e-3);
    QCOMPARE(lines[11].split(QLatin1Char(','))[4].toDouble(), 5e-4);   // the new rate from step 11
    QVERIFY(!chart.exportCsv(dir.filePath(QStringLiteral("no/such/dir/loss.csv"))));
}

void TestLossChart::exportsImages()
{
    LossChart chart;
    chart.resize(800, 500);
    fill(chart, 50);
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("loss.png"));
    QVERIFY(chart.exportPng(png, 600, 400));
    QCOMPARE(QImage(png).size(), QSize(600, 400));
    const QString pdf = dir.filePath(QStringLiteral("loss.pdf"));
    QVERIFY(chart.exportPdf(pdf));
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5) == "%PDF-");
}

void TestLossChart::readoutNamesTheStepUnderTheCursor()
{
    LossChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    fill(chart, 20);
    QCoreApplication::processEvents();  // the queued replot lays out the axes
    auto *plot = chart.findChild<QWidget *>(QString(), Qt::FindDirectChildrenOnly);
    QVERIFY(plot);
    // Find the pixel of step 15 by scanning the plot's width for the readout.
    QString found;
    for (int x = 0; x < plot->width() && found.isEmpty(); x += 2) {
        const QString text = chart.readoutAt(QPoint(x, plot->height() / 2));
        if (text.startsWith(QStringLiteral("step 15:")))
            found = text;
    }
    QVERIFY2(!found.isEmpty(), "no position reads step 15");
    QVERIFY2(found.contains(QStringLiteral("loss 0.06667")), qPrintable(found));
    QVERIFY2(found.contains(QStringLiteral("lr 0.0005")), qPrintable(found));  // after the change at 11
    QVERIFY(chart.readoutAt(QPoint(-5, -5)).isEmpty());
}

void TestLossChart::zoomStopsFollowingUntilAutoRange()
{
    LossChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    fill(chart, 20);
    QVERIFY(chart.isAutoRange());
    auto *plot = chart.findChild<QWidget *>(QString(), Qt::FindDirectChildrenOnly);
    QWheelEvent wheel(QPointF(400, 200), plot->mapToGlobal(QPointF(400, 200)), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(plot, &wheel);
    QVERIFY(!chart.isAutoRange());
    chart.setAutoRange(true);
    QVERIFY(chart.isAutoRange());
    chart.setLogScale(true);
    QVERIFY(chart.isLogScale());
}

void TestLossChart::clearForgetsMarkers()
{
    LossChart chart;
    fill(chart, 10);
    chart.clear();
    QCOMPARE(chart.stepCount(), 0);
    QCOMPARE(chart.validationCount(), 0);
    QCOMPARE(chart.learningRateMarkerCount(), 0);
}

QTEST_MAIN(TestLossChart)
#include "tst_losschart.moc"
