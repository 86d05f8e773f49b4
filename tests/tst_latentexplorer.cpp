// The Latent tab around the map: the time scrubber replays epoch k's coordinates, the
// worst-reconstructions list keeps the worker's order and rings the chosen point, picked
// points become the interpolation's ends, and the traversal grid is composed cell by cell.

#include "interpolationstrip.h"
#include "latentexplorer.h"
#include "latentmap.h"
#include "traversalgrid.h"
#include "worstlist.h"

#include "controller/trainingcontroller.h"

#include <QMouseEvent>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <numeric>

class TestLatentExplorer final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scrubberReplaysEachEpoch();
    void eachMethodKeepsItsOwnHistory();
    void worstListKeepsOrderAndHighlights();
    void pickedPointsAreTheInterpolationEnds();
    void traversalGridIsComposedCellByCell();

private:
    // n points moving with the epoch: x = i + epoch, y = epoch * (i % 7).
    static aes::LatentSnapshot epochMap(int epoch, int n = 300, aes::ProjectionMethod method = aes::ProjectionMethod::Pca);
};

aes::LatentSnapshot TestLatentExplorer::epochMap(int epoch, int n, aes::ProjectionMethod method)
{
    aes::LatentSnapshot map;
    map.epoch = epoch;
    map.method = method;
    map.latentSize = 8;
    map.classNames = QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    for (int i = 0; i < n; ++i) {
        map.x.append(float(i + epoch));
        map.y.append(float(epoch * (i % 7)));
        map.labels.append(i % 3);
        map.errors.append(float((i * 37) % 101) / 100.0f);
        map.files.append(QStringLiteral("/data/%1/img%2.png").arg(i % 3).arg(i));
    }
    // The worker's list: largest error first.
    QVector<qint64> rows(n);
    std::iota(rows.begin(), rows.end(), 0);
    std::stable_sort(rows.begin(), rows.end(), [&](qint64 a, qint64 b) { return map.errors[a] > map.errors[b]; });
    for (int i = 0; i < 12; ++i) {
        map.worst.append(rows[i]);
        QImage image(8, 8, QImage::Format_Grayscale8);
        image.fill(i * 20);
        map.worstImages.append(image);
    }
    return map;
}

void TestLatentExplorer::scrubberReplaysEachEpoch()
{
    aes::TrainingController controller;
    LatentExplorer explorer(&controller);
    explorer.resize(1000, 700);
    explorer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&explorer));
    for (int epoch = 1; epoch <= 5; ++epoch)
        explorer.addMap(epochMap(epoch));
    QCOMPARE(explorer.history().size(), 5);
    QSlider *scrubber = explorer.scrubber();
    QCOMPARE(scrubber->maximum(), 4);
    QCOMPARE(scrubber->value(), 4);
    QCOMPARE(explorer.map()->map().epoch, 5);

    // Back to epoch 2: its own coordinates, and clicks do not decode meanwhile.
    scrubber->setValue(1);
    QCOMPARE(explorer.map()->map().epoch, 2);
    QCOMPARE(explorer.map()->map().x, epochMap(2).x);
    QCOMPARE(explorer.map()->map().y, epochMap(2).y);
    QVERIFY(explorer.map()->map().y != epochMap(5).y);

    // A new epoch while replaying: kept, but the replay stays where the user put it.
    explorer.addMap(epochMap(6));
    QCOMPARE(explorer.history().size(), 6);
    QCOMPARE(explorer.map()->map().epoch, 2);
    scrubber->setValue(scrubber->maximum());
    QCOMPARE(explorer.map()->map().epoch, 6);
    QCOMPARE(explorer.map()->map().x, epochMap(6).x);
    // Live again: the next epoch shows at once.
    explorer.addMap(epochMap(7));
    QCOMPARE(explorer.map()->map().epoch, 7);
    // A second map within one epoch replaces that epoch's.
    explorer.addMap(epochMap(7));
    QCOMPARE(explorer.history().size(), 7);
}

void TestLatentExplorer::eachMethodKeepsItsOwnHistory()
{
    aes::TrainingController controller;
    LatentExplorer explorer(&controller);
    for (int epoch = 1; epoch <= 3; ++epoch)
        explorer.addMap(epochMap(epoch));
    explorer.addMap(epochMap(3, 300, aes::ProjectionMethod::Tsne));
    QCOMPARE(explorer.history().size(), 1);
    QCOMPARE(aes::toString(explorer.map()->map().method), QStringLiteral("tsne"));
    QVERIFY(!explorer.scrubber()->isEnabled());  // one t-SNE map: nothing to replay
    // Intermediate t-SNE layouts are shown, not kept.
    aes::LatentSnapshot partial = epochMap(3, 300, aes::ProjectionMethod::Tsne);
    partial.partial = true;
    partial.iteration = 250;
    partial.iterations = 1000;
    partial.x[0] = 1234.0f;
    explorer.addMap(partial);
    QCOMPARE(explorer.history().size(), 1);
    QCOMPARE(explorer.map()->map().x[0], 1234.0f);
    // Back to PCA (training goes on): its epochs are there again, the new one after them.
    explorer.addMap(epochMap(4));
    QCOMPARE(explorer.history().size(), 4);
    QCOMPARE(explorer.history().first().epoch, 1);
    QCOMPARE(explorer.map()->map().epoch, 4);
    QVERIFY(explorer.scrubber()->isEnabled());
    // Maps of another dataset (another number of points) start from nothing.
    explorer.addMap(epochMap(1, 120));
    QCOMPARE(explorer.history().size(), 1);
    explorer.addMap(epochMap(1, 120, aes::ProjectionMethod::Tsne));
    QCOMPARE(explorer.history().size(), 1);
    explorer.clear();
    QCOMPARE(explorer.history().size(), 0);
    QVERIFY(explorer.map()->map().x.isEmpty());
}

void TestLatentExplorer::worstListKeepsOrderAndHighlights()
{
    aes::TrainingController controller;
    LatentExplorer explorer(&controller);
    explorer.resize(1000, 700);
    explorer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&explorer));
    const aes::LatentSnapshot map = epochMap(1);
    explorer.addMap(map);
    const QVector<qint64> rows = explorer.worstList()->rows();
    QCOMPARE(rows, map.worst);
    for (int i = 1; i < rows.size(); ++i)
        QVERIFY(map.errors[rows[i - 1]] >= map.errors[rows[i]]);
    QSignalSpy requested(explorer.map(), &LatentMap::imageRequested);
    explorer.worstList()->select(3);
    QCOMPARE(explorer.map()->pinnedPoint(), rows[3]);
    QCOMPARE(requested.last().first().toLongLong(), rows[3]);  // its image for the side panel
    // An intermediate t-SNE layout has no errors: the list stays.
    aes::LatentSnapshot partial = epochMap(1, 300, aes::ProjectionMethod::Tsne);
    partial.partial = true;
    partial.errors.clear();
    partial.worst.clear();
    explorer.addMap(partial);
    QCOMPARE(explorer.worstList()->rows(), rows);
}

void TestLatentExplorer::pickedPointsAreTheInterpolationEnds()
{
    aes::TrainingController controller;  // no model: requests are refused with a message
    LatentExplorer explorer(&controller);
    explorer.addMap(epochMap(1));
    QSignalSpy messages(&explorer, &LatentExplorer::message);
    Q_EMIT explorer.map()->pointPicked(10);
    QCOMPARE(explorer.interpolationEnd(0), qint64(10));
    QCOMPARE(explorer.interpolationEnd(1), qint64(-1));
    QCOMPARE(messages.count(), 0);  // one end is not an interpolation yet
    QCOMPARE(explorer.tools()->currentWidget(), explorer.interpolationStrip()->parentWidget());
    Q_EMIT explorer.map()->pointPicked(20);
    QCOMPARE(explorer.interpolationEnd(1), qint64(20));
    QCOMPARE(messages.count(), 1);  // asked for, refused: no model
    Q_EMIT explorer.map()->pointPicked(30);  // the third pick starts again at A
    QCOMPARE(explorer.interpolationEnd(0), qint64(30));
    QCOMPARE(explorer.interpolationEnd(1), qint64(20));
}

void TestLatentExplorer::traversalGridIsComposedCellByCell()
{
    QVector<QImage> images;
    for (int i = 0; i < 12; ++i) {
        QImage image(8, 6, QImage::Format_Grayscale8);
        image.fill(10 + i * 20);
        images.append(image);
    }
    const QImage grid = composeGrid(images, /*columns=*/4, /*rows=*/3, /*scale=*/2, /*spacing=*/1);
    QCOMPARE(grid.size(), QSize(4 * 16 + 5, 3 * 12 + 4));
    // Row 1, column 2 holds image 6; spacing stays white.
    const QPoint inside(1 + 2 * 17 + 8, 1 + 1 * 13 + 6);
    QCOMPARE(qGray(grid.pixel(inside)), 10 + 6 * 20);
    QCOMPARE(grid.pixelColor(0, 0), QColor(Qt::white));
    QCOMPARE(qGray(grid.pixel(1, 1)), 10);

    // The dialog composes what the worker sent and saves it as PNG.
    aes::TraversalGrid traversal;
    traversal.columns = 4;
    traversal.rows = 3;
    traversal.region = QRectF(-1, -1, 2, 2);
    traversal.images = images;
    TraversalDialog dialog;
    dialog.setGrid(traversal);
    QCOMPARE(dialog.image().size(), QSize(4 * 8 + 5, 3 * 6 + 4));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("grid.png"));
    QVERIFY(dialog.save(path));
    QCOMPARE(QImage(path).size(), dialog.image().size());
}

QTEST_MAIN(TestLatentExplorer)
#include "tst_latentexplorer.moc"
