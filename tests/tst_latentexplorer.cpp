// The Latent tab around the map: the time scrubber replays epoch k's coordinates, the
// worst-reconstructions list keeps the worker's order and rings the chosen point, picked
// points become the interpolation's ends, and the traversal grid is composed cell by cell.

#include "interpolationstrip.h"
#include "latentexplorer.h"
#include "latentmap.h"
#include "mapgroups.h"
#include "selectionactions.h"
#include "selectionstrip.h"
#include "traversalgrid.h"
#include "worstlist.h"

#include "controller/trainingcontroller.h"

#include <QMouseEvent>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QDirIterator>
#include <QLabel>
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
    void selectionActionsWriteExactlyTheSelectedFiles();

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

void TestLatentExplorer::selectionActionsWriteExactlyTheSelectedFiles()
{
    QTemporaryDir dir;
    aes::TrainingController controller;
    LatentExplorer explorer(&controller);
    explorer.resize(1000, 700);
    // Real files behind the map's rows: data/<class>/img<i>.png, 60 of them.
    aes::LatentSnapshot map = epochMap(1, 60);
    map.latentSize = 2;
    for (int i = 0; i < 60; ++i) {
        map.files[i] = dir.filePath(QStringLiteral("data/%1/img%2.png").arg(map.classNames[i % 3]).arg(i));
        QFile f(map.files[i]);
        QVERIFY(QDir().mkpath(QFileInfo(f).absolutePath()) && f.open(QIODevice::WriteOnly));
        f.write(QByteArray::number(i));
        map.codes << float(i % 3) * 100.0f << float(i % 2);
    }
    explorer.addMap(map);
    const auto filesUnder = [](const QString &root) {
        QStringList found;
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            found << QDir(root).relativeFilePath(it.next());
        found.sort();
        return found;
    };

    const QVector<qint64> rows{4, 5, 9, 31, 58};
    explorer.map()->setSelection(rows);
    QVERIFY(explorer.selectionStrip()->summary()->text().contains(QStringLiteral("5 images selected")));
    // Copies run on a thread of their own: the call returns at once, finished() follows.
    SelectionActions *actions = explorer.fileActions();
    QSignalSpy copied(actions, &SelectionActions::finished);
    QCOMPARE(explorer.copySelection(dir.filePath(QStringLiteral("copy"))), QString());
    QVERIFY(actions->busy());
    QVERIFY(!explorer.copySelection(dir.filePath(QStringLiteral("copy2"))).isEmpty());  // one copy at a time
    QVERIFY(copied.wait(10000));
    QVERIFY(!actions->busy());
    QStringList expected;
    for (qint64 row : rows)
        expected << QStringLiteral("%1/img%2.png").arg(map.classNames[row % 3]).arg(row);
    expected.sort();
    QCOMPARE(filesUnder(dir.filePath(QStringLiteral("copy"))), expected);
    QCOMPARE(actions->lastResult().copied, qint64(5));
    QVERIFY(actions->lastReport().startsWith(QStringLiteral("Copied 5 selected images")));
    // Again into the same folder: refused at once, nothing added.
    QVERIFY(explorer.copySelection(dir.filePath(QStringLiteral("copy"))).contains(QStringLiteral("not empty")));
    QVERIFY(!actions->busy());
    QCOMPARE(filesUnder(dir.filePath(QStringLiteral("copy"))), expected);
    // A selected file gone since: named with its reason, the others copied.
    QFile f9(map.files[9]);
    QVERIFY(f9.remove());
    QCOMPARE(explorer.copySelection(dir.filePath(QStringLiteral("partly"))), QString());
    QVERIFY(copied.wait(10000));
    expected.removeAll(QStringLiteral("a/img9.png"));
    QCOMPARE(filesUnder(dir.filePath(QStringLiteral("partly"))), expected);
    QCOMPARE(actions->lastResult().failed.size(), 1);
    QCOMPARE(actions->lastResult().failed[0].source, map.files[9]);
    QVERIFY(actions->lastReport().contains(QStringLiteral("1 could not be copied")));
    QVERIFY(actions->lastReport().contains(QStringLiteral("img9.png (no such file)")));
    QVERIFY(f9.open(QIODevice::WriteOnly));  // back for the actions below
    f9.write("9");
    f9.close();
    expected << QStringLiteral("a/img9.png");
    expected.sort();

    const QString csv = dir.filePath(QStringLiteral("list.csv"));  // written at once
    QCOMPARE(explorer.exportSelectionList(csv), QString());
    QFile list(csv);
    QVERIFY(list.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(list.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 6);
    QCOMPARE(lines[0], QStringLiteral("path,label"));
    QCOMPARE(lines[3], map.files[9] + QStringLiteral(",a"));

    QSignalSpy open(&explorer, &LatentExplorer::openDatasetRequested);
    QCOMPARE(explorer.openSelectionAsDataset(dir.filePath(QStringLiteral("subset"))), QString());
    QCOMPARE(open.count(), 0);  // once copied
    QVERIFY(copied.wait(10000));
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.first().first().toString(), dir.filePath(QStringLiteral("subset")));
    QCOMPARE(filesUnder(dir.filePath(QStringLiteral("subset"))), expected);

    // Clusters: every image exactly once, in its cluster's folder.
    QVERIFY(!explorer.exportClusters(dir.filePath(QStringLiteral("none"))).isEmpty());  // not clustered yet
    QSignalSpy clustersReady(explorer.map(), &LatentMap::clustersChanged);
    QVERIFY(explorer.map()->cluster(3, 1));
    QVERIFY(clustersReady.wait(20000));
    QCOMPARE(explorer.exportClusters(dir.filePath(QStringLiteral("clusters"))), QString());
    QVERIFY(copied.wait(10000));
    const QStringList clustered = filesUnder(dir.filePath(QStringLiteral("clusters")));
    QCOMPARE(clustered.size(), 60);
    const QVector<int> &assignment = explorer.map()->groups().clusters();
    for (int i = 0; i < 60; ++i)
        QVERIFY2(clustered.contains(QStringLiteral("cluster-%1/img%2.png").arg(assignment[i] + 1).arg(i)), qPrintable(QString::number(i)));
    // The clusters are the classes here (codes 100 apart): one class per folder.
    for (int i = 3; i < 60; ++i)
        QCOMPARE(assignment[i], assignment[i % 3]);
}

QTEST_MAIN(TestLatentExplorer)
#include "tst_latentexplorer.moc"
