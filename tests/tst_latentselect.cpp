// Working with the map's points: the nearest codes ("find images like this") against a brute
// force sort, lasso and rectangle selection against Qt's own point-in-polygon, k-means
// against a known partition, and the files a selection or a clustering exports.

#include "latent/kmeans.h"
#include "latent/mapsample.h"
#include "latent/selection.h"
#include "latent/similar.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>

class TestLatentSelect final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nearestEqualsBruteForce_data();
    void nearestEqualsBruteForce();
    void nearestSkipsExcludedRows();
    void lassoSelectsExactlyThePointsInside_data();
    void lassoSelectsExactlyThePointsInside();
    void rectangleSelectsItsPoints();
    void kmeansFindsAKnownPartition();
    void kmeansIsRepeatable();
    void clusterPurityAgainstLabels();
    void fileListHasEveryRow();
    void copyKeepsSubfoldersAndRefusesFullFolders();
    void mapSampleIsStratifiedSeededAndUniform_data();
    void mapSampleIsStratifiedSeededAndUniform();
};

namespace {

QVector<float> randomCodes(qint64 n, int dims, quint32 seed)
{
    QRandomGenerator rng(seed);
    QVector<float> codes(n * dims);
    for (float &v : codes)
        v = float(rng.generateDouble() * 2.0 - 1.0);
    return codes;
}

// A star-shaped (not convex) lasso around centre with radii alternating between r1 and r2.
QPolygonF star(QPointF centre, double r1, double r2, int corners, double turn)
{
    QPolygonF p;
    for (int i = 0; i < 2 * corners; ++i) {
        const double a = turn + M_PI * i / corners;
        const double r = i % 2 ? r2 : r1;
        p << centre + QPointF(r * std::cos(a), r * std::sin(a));
    }
    return p;
}

} // namespace

void TestLatentSelect::nearestEqualsBruteForce_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("dims");
    QTest::addColumn<int>("k");
    QTest::newRow("500x8 k10") << 500 << 8 << 10;
    QTest::newRow("2000x3 k1") << 2000 << 3 << 1;
    QTest::newRow("300x33 k50") << 300 << 33 << 50;
    QTest::newRow("5x4 k10 (more than n)") << 5 << 4 << 10;
}

void TestLatentSelect::nearestEqualsBruteForce()
{
    QFETCH(int, n);
    QFETCH(int, dims);
    QFETCH(int, k);
    QVector<float> codes = randomCodes(n, dims, 7);
    // Two exact duplicates of row 3: ties are ordered by row.
    std::copy_n(codes.constData() + 3 * dims, dims, codes.data() + (n - 1) * dims);
    const aes::CodeTable table{codes.constData(), n, dims};
    const qint64 queryRow = 3;
    const QVector<aes::Neighbour> found = aes::nearestCodes(table, table.row(queryRow), k);

    QVector<qint64> order(n);
    std::iota(order.begin(), order.end(), 0);
    QVector<double> d(n);
    for (int i = 0; i < n; ++i) {
        double s = 0.0;
        for (int j = 0; j < dims; ++j)
            s += std::pow(double(codes[i * dims + j]) - double(codes[queryRow * dims + j]), 2.0);
        d[i] = std::sqrt(s);
    }
    std::stable_sort(order.begin(), order.end(), [&](qint64 a, qint64 b) { return d[a] < d[b]; });

    QCOMPARE(found.size(), std::min(n, k));
    QCOMPARE(found[0].row, queryRow);            // the query's own image first ...
    QCOMPARE(found[0].distance, 0.0f);           // ... at distance 0
    if (k > 1 && n > 4)
        QCOMPARE(found[1].row, qint64(n - 1));   // its duplicate next, also at 0
    // The query's own row first even when a duplicate has a smaller row number.
    const QVector<aes::Neighbour> own = aes::nearestCodes(table, table.row(queryRow), k, {}, n - 1);
    QCOMPARE(own[0].row, qint64(n - 1));
    if (k > 1 && n > 4)
        QCOMPARE(own[1].row, queryRow);
    for (int i = 0; i < found.size(); ++i) {
        QCOMPARE(found[i].row, order[i]);
        QVERIFY(std::abs(double(found[i].distance) - d[order[i]]) < 1e-5);
    }
}

void TestLatentSelect::nearestSkipsExcludedRows()
{
    const QVector<float> codes = randomCodes(200, 4, 3);
    const aes::CodeTable table{codes.constData(), 200, 4};
    const auto even = [](qint64 row) { return row % 2 == 0; };
    const QVector<aes::Neighbour> found = aes::nearestCodes(table, table.row(10), 20, even);
    QCOMPARE(found.size(), 20);
    QCOMPARE(found[0].row, qint64(10));
    for (const aes::Neighbour &n : found)
        QVERIFY(n.row % 2 == 0);
    QVERIFY(aes::nearestCodes(table, table.row(0), 0).isEmpty());
}

void TestLatentSelect::lassoSelectsExactlyThePointsInside_data()
{
    QTest::addColumn<QPolygonF>("polygon");
    QTest::newRow("star") << star({0.1, -0.2}, 0.9, 0.35, 7, 0.3);
    QTest::newRow("triangle") << QPolygonF({{-1.0, -1.0}, {1.0, -0.5}, {0.0, 1.0}});
    // A freehand lasso crosses itself: the even-odd rule leaves the loop's twist out.
    QTest::newRow("figure eight") << QPolygonF({{-1, -1}, {1, 1}, {1, -1}, {-1, 1}});
    QTest::newRow("two corners") << QPolygonF({{-1, -1}, {1, 1}});
}

void TestLatentSelect::lassoSelectsExactlyThePointsInside()
{
    QFETCH(QPolygonF, polygon);
    const QVector<float> xy = randomCodes(20000, 2, 11);
    QVector<float> x, y;
    for (int i = 0; i < 20000; ++i) {
        x << xy[2 * i];
        y << xy[2 * i + 1];
    }
    const QVector<qint64> selected = aes::pointsInPolygon(x, y, polygon);
    QVector<qint64> expected;
    if (polygon.size() >= 3) {
        for (int i = 0; i < x.size(); ++i)
            if (polygon.containsPoint(QPointF(x[i], y[i]), Qt::OddEvenFill))
                expected << i;
    }
    QCOMPARE(selected, expected);
    if (polygon.size() >= 3)
        QVERIFY(!selected.isEmpty() && selected.size() < x.size());
    // Hidden points are never selected.
    const auto visible = [](qint64 row) { return row % 3 != 0; };
    for (qint64 row : aes::pointsInPolygon(x, y, polygon, visible))
        QVERIFY(row % 3 != 0);
}

void TestLatentSelect::rectangleSelectsItsPoints()
{
    const QVector<float> x{0.0f, 1.0f, 2.0f, 3.0f, 1.5f}, y{0.0f, 1.0f, 2.0f, 3.0f, 0.5f};
    // Dragged from bottom right to top left: the same rectangle.
    QCOMPARE(aes::pointsInRect(x, y, QRectF(QPointF(2.0, 2.0), QPointF(1.0, 0.5))), (QVector<qint64>{1, 2, 4}));
    QCOMPARE(aes::pointsInRect(x, y, QRectF(0.5, 0.5, 2.0, 2.0), [](qint64 r) { return r != 2; }),
             (QVector<qint64>{1, 4}));
}

void TestLatentSelect::kmeansFindsAKnownPartition()
{
    // Four tight blobs far apart, of unequal sizes (400, 300, 200, 100), in 6 dimensions.
    const int dims = 6, sizes[] = {400, 300, 200, 100};
    QVector<float> codes;
    QVector<int> truth;
    QRandomGenerator rng(5);
    for (int b = 0; b < 4; ++b) {
        for (int i = 0; i < sizes[b]; ++i) {
            for (int j = 0; j < dims; ++j)
                codes << float((j == b ? 10.0 : 0.0) + (j == 5 ? -10.0 * b : 0.0) + rng.generateDouble() - 0.5);
            truth << b;
        }
    }
    const aes::CodeTable table{codes.constData(), truth.size(), dims};
    const aes::KMeansResult r = aes::kmeans(table, {/*k=*/4, /*seed=*/42, /*maxIterations=*/100});
    QCOMPARE(r.k, 4);
    QCOMPARE(r.assignment.size(), truth.size());
    // Numbered by size, largest first: cluster c is blob c here.
    QCOMPARE(r.sizes, (QVector<qint64>{400, 300, 200, 100}));
    QCOMPARE(r.assignment, truth);
    QVERIFY(r.iterations < 100);
    const QVector<aes::ClusterStats> stats = aes::clusterStats(r.assignment, r.k, truth);
    for (int c = 0; c < 4; ++c) {
        QCOMPARE(stats[c].majorityLabel, c);
        QCOMPARE(stats[c].purity, 1.0);
    }
    QCOMPARE(aes::overallPurity(stats), 1.0);
    QCOMPARE(aes::clusterNames(2), (QStringList{QStringLiteral("cluster 1"), QStringLiteral("cluster 2")}));
}

void TestLatentSelect::kmeansIsRepeatable()
{
    const QVector<float> codes = randomCodes(3000, 5, 9);
    const aes::CodeTable table{codes.constData(), 3000, 5};
    const aes::KMeansResult a = aes::kmeans(table, {7, 3, 100});
    const aes::KMeansResult b = aes::kmeans(table, {7, 3, 100});
    QCOMPARE(a.assignment, b.assignment);
    QCOMPARE(a.centroids, b.centroids);
    QCOMPARE(std::accumulate(a.sizes.cbegin(), a.sizes.cend(), qint64(0)), qint64(3000));
    QVERIFY(std::is_sorted(a.sizes.cbegin(), a.sizes.cend(), std::greater<>()));
    // Every code sits in the cluster of its nearest centroid (Lloyd's fixed point).
    for (int i = 0; i < 3000; i += 37) {
        const aes::CodeTable centres{a.centroids.constData(), a.k, 5};
        QCOMPARE(aes::nearestCodes(centres, table.row(i), 1)[0].row, qint64(a.assignment[i]));
    }
    // More clusters than codes: one per code.
    const aes::KMeansResult tiny = aes::kmeans({codes.constData(), 3, 5}, {10, 1, 100});
    QCOMPARE(tiny.k, 3);
}

void TestLatentSelect::clusterPurityAgainstLabels()
{
    const QVector<int> assignment{0, 0, 0, 0, 1, 1, 1, 2};
    const QVector<int> labels{5, 5, 6, -1, 6, 6, 6, -1};
    const QVector<aes::ClusterStats> s = aes::clusterStats(assignment, 3, labels);
    QCOMPARE(s[0].size, qint64(4));
    QCOMPARE(s[0].labelled, qint64(3));
    QCOMPARE(s[0].majorityLabel, 5);
    QCOMPARE(s[0].purity, 2.0 / 3.0);
    QCOMPARE(s[1].purity, 1.0);
    QVERIFY(std::isnan(s[2].purity));
    QCOMPARE(aes::overallPurity(s), 5.0 / 6.0);
    QVERIFY(std::isnan(aes::overallPurity(aes::clusterStats(assignment, 3, {}))));
}

void TestLatentSelect::fileListHasEveryRow()
{
    QTemporaryDir dir;
    const QStringList files{QStringLiteral("/data/a/1.png"), QStringLiteral("/data/b,c/2.png"), QStringLiteral("/data/a/3.png")};
    const QStringList labels{QStringLiteral("a"), QStringLiteral("b,c"), QStringLiteral("a")};
    const QString csv = dir.filePath(QStringLiteral("list.csv"));
    QCOMPARE(aes::writeFileList(csv, {2, 1}, files, labels), QString());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), QStringLiteral("path,label\n/data/a/3.png,a\n\"/data/b,c/2.png\",\"b,c\"\n"));
    f.close();
    QCOMPARE(aes::writeFileList(csv, {0}, files, {}, {0.5f}), QString());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), QStringLiteral("path,label,distance\n/data/a/1.png,,0.5\n"));
}

void TestLatentSelect::copyKeepsSubfoldersAndRefusesFullFolders()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    QStringList sources;
    for (const char *name : {"cat/1.png", "cat/2.png", "dog/1.png", "dog/3.png", "other/1.png"}) {
        sources << data + QLatin1Char('/') + QLatin1String(name);
        QVERIFY(aes::test::writeFile(sources.last(), QByteArray(name)));
    }
    const QString out = dir.filePath(QStringLiteral("out"));
    // Selected: cat/2, dog/1, dog/3, an IDX entry (no file), other/1 put with the dogs.
    const QVector<aes::FileCopy> copies{{sources[1], QStringLiteral("cat")},
                                        {sources[2], QStringLiteral("dog")},
                                        {sources[3], QStringLiteral("dog")},
                                        {data + QStringLiteral("/train.idx#4"), QStringLiteral("dog")},
                                        {sources[4], QStringLiteral("dog")}};
    const aes::CopyResult r = aes::copyFiles(out, copies);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.copied, qint64(4));
    QCOMPARE(r.skipped, QStringList{data + QStringLiteral("/train.idx#4")});
    QStringList found;
    QDir outDir(out);
    for (const QString &sub : outDir.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        for (const QString &file : QDir(outDir.filePath(sub)).entryList(QDir::Files))
            found << sub + QLatin1Char('/') + file;
    QCOMPARE(found, (QStringList{QStringLiteral("cat/2.png"), QStringLiteral("dog/1-2.png"), QStringLiteral("dog/1.png"),
                                 QStringLiteral("dog/3.png")}));
    QFile copied(out + QStringLiteral("/dog/1-2.png"));
    QVERIFY(copied.open(QIODevice::ReadOnly));
    QCOMPARE(copied.readAll(), QByteArray("other/1.png"));
    QVERIFY(outDir.entryList(QDir::Files).isEmpty());
    // A folder that holds anything is refused, and left as it was.
    const aes::CopyResult again = aes::copyFiles(out, copies);
    QVERIFY(again.error.contains(QStringLiteral("not empty")));
    QCOMPARE(again.copied, qint64(0));
    // Subfolder names cannot climb out.
    const aes::CopyResult climb = aes::copyFiles(dir.filePath(QStringLiteral("out2")), {{sources[0], QStringLiteral("..")}});
    QVERIFY(climb.error.isEmpty());
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("out2/_/1.png"))));
    // A file gone since the map was made is named with its reason; the others are copied.
    const QString gone = data + QStringLiteral("/cat/gone.png");
    QVector<qint64> progress;
    aes::CopyControl control;
    control.progress = [&](qint64 done, qint64 total) { progress << done << total; };
    const aes::CopyResult partly = aes::copyFiles(dir.filePath(QStringLiteral("out3")),
                                                  {{sources[0], QStringLiteral("cat")}, {gone, QStringLiteral("cat")},
                                                   {sources[2], QStringLiteral("dog")}}, control);
    QVERIFY(partly.error.isEmpty());
    QCOMPARE(partly.copied, qint64(2));
    QCOMPARE(partly.failed.size(), 1);
    QCOMPARE(partly.failed[0].source, gone);
    QCOMPARE(partly.failed[0].reason, QStringLiteral("no such file"));
    QCOMPARE(progress, (QVector<qint64>{1, 3, 2, 3, 3, 3}));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("out3/dog/1.png"))));
    // Cancelled after the second file: two copied, the rest not.
    int polls = 0;
    control.progress = {};
    control.cancelled = [&] { return ++polls > 2; };
    const aes::CopyResult cancelled = aes::copyFiles(dir.filePath(QStringLiteral("out4")), copies, control);
    QVERIFY(cancelled.cancelled);
    QCOMPARE(cancelled.copied, qint64(2));
    QCOMPARE(aes::copyTargetError(dir.filePath(QStringLiteral("out4"))).isEmpty(), false);
    QVERIFY(aes::copyTargetError(dir.filePath(QStringLiteral("new"))).isEmpty());
}

QTEST_GUILESS_MAIN(TestLatentSelect)
void TestLatentSelect::mapSampleIsStratifiedSeededAndUniform_data()
{
    QTest::addColumn<bool>("labelled");
    QTest::newRow("classes") << true;
    QTest::newRow("unlabelled") << false;
}

// A map of more images than its point cap draws cap rows: ascending, each class its share
// (within one; the rarest keeps a point), the same rows for the same seed, and over many seeds every row about as often.
void TestLatentSelect::mapSampleIsStratifiedSeededAndUniform()
{
    QFETCH(bool, labelled);
    const qint64 n = 1000, cap = 100;
    QVector<int> labels(n, -1);
    if (labelled)
        for (qint64 i = 0; i < n; ++i)
            labels[i] = i < 500 ? 0 : i < 800 ? 1 : i < 950 ? 2 : i < 995 ? 3 : 4;  // 500, 300, 150, 45, 5
    QVERIFY(aes::sampleMapRows(n, labels, 0).isEmpty());    // 0: every image
    QVERIFY(aes::sampleMapRows(n, labels, n).isEmpty());    // no more images than the cap
    const QVector<qint64> rows = aes::sampleMapRows(n, labels, cap, 7);
    QCOMPARE(rows.size(), cap);
    for (qsizetype i = 1; i < rows.size(); ++i)
        QVERIFY(rows[i - 1] < rows[i]);
    QVERIFY(rows.first() >= 0 && rows.last() < n);
    QCOMPARE(aes::sampleMapRows(n, labels, cap, 7), rows);
    QVERIFY(aes::sampleMapRows(n, labels, cap, 8) != rows);
    if (labelled) {
        QVector<qint64> perClass(5, 0);
        for (qint64 row : rows)
            ++perClass[labels[row]];
        const QVector<double> share = {50, 30, 15, 4.5, 0.5};
        for (int c = 0; c < 5; ++c)
            QVERIFY2(std::abs(double(perClass[c]) - share[c]) < 1.0, qPrintable(QStringLiteral("class %1: %2").arg(c).arg(perClass[c])));
    }
    // Uniform within a class: 2000 seeds, each row expected 200 times (binomial sd ~13; the
    // remainder-rounded classes 3 and 4 differ, so the check covers classes 0-2).
    QVector<int> times(n, 0);
    for (quint64 seed = 0; seed < 2000; ++seed)
        for (qint64 row : aes::sampleMapRows(n, labels, cap, seed))
            ++times[row];
    const qint64 checked = labelled ? 950 : n;
    const auto [low, high] = std::minmax_element(times.cbegin(), times.cbegin() + checked);
    QVERIFY2(*low > 130 && *high < 270, qPrintable(QStringLiteral("%1 .. %2").arg(*low).arg(*high)));
}

#include "tst_latentselect.moc"
