// The latent map widget: 70k points render, the hovered point is the true nearest one
// (brute force in on-screen pixels), hidden classes are not hovered, and clicks ask for a
// pinned image (on a point) or a decode (on empty space).

#include "classlist.h"
#include "latent/mapsample.h"
#include "latentmap.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QTreeWidget>
#include <QLabel>
#include <QImage>
#include <QMouseEvent>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QtTest>

#include <QSet>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <limits>

// The projection's combo box (the class list has one too): the one that offers t-SNE.
QComboBox *projectionCombo(QWidget &map)
{
    for (QComboBox *combo : map.findChildren<QComboBox *>())
        if (combo->findText(QStringLiteral("t-SNE")) >= 0)
            return combo;
    return nullptr;
}

class TestLatentMap final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rendersSeventyThousandPoints();
    void hoverFindsTheNearestPoint_data();
    void hoverFindsTheNearestPoint();
    void hiddenClassesAreNotHovered();
    void clickDecodesEmptySpaceAndPinsPoints();
    void draggingTheProbeDecodesAlongTheWay();
    void shiftClickPicksAPoint();
    void twoDimensionsAreChosenInThePanel();
    void umapParametersAreChosenInThePanel();
    void replayDoesNotDecode();
    void hoverShowsImageAndReconstruction();
    void lassoSelectsExactlyThePointsInside();
    void rectangleSelectsAndShiftAdds();
    void findSimilarIsTheBruteForceOrder();
    void hiddenPointsAreNeitherHoveredNorSelected();
    void clustersColourTheMapWithPurity();
    void fortyClassesListBesideTheMap();
    void sampledMapMapsPointsToRows();

private:
    // n points in 10 Gaussian clusters (the class is the cluster).
    static aes::LatentSnapshot randomMap(int n, quint32 seed);
    static void moveMouse(QWidget *plot, const QPointF &pos);
    static void click(QWidget *plot, const QPointF &pos);
    // Press at path[0], move along path, release at its end.
    static void drag(QWidget *plot, const QVector<QPointF> &path, Qt::KeyboardModifiers modifiers = Qt::NoModifier);
    // Codes for a map: the point's own (x, y) and its class, as 3 numbers.
    static void addCodes(aes::LatentSnapshot *map);
    // The point nearest to pixel among those whose class is visible, measured on screen.
    static qint64 bruteForceNearest(const LatentMap &map, const QPointF &pixel);
};

aes::LatentSnapshot TestLatentMap::randomMap(int n, quint32 seed)
{
    QRandomGenerator random(seed);
    aes::LatentSnapshot map;
    map.epoch = 3;
    map.method = aes::ProjectionMethod::Pca;
    for (int c = 0; c < 10; ++c)
        map.classNames << QStringLiteral("class %1").arg(c);
    map.x.resize(n);
    map.y.resize(n);
    map.labels.resize(n);
    for (int i = 0; i < n; ++i) {
        const int c = int(random.bounded(10));
        const double angle = c * 0.628;
        // Box-Muller: Gaussian clusters on a circle, wider in x than in y (unequal axis scales).
        const double u = std::max(random.generateDouble(), 1e-12), v = random.generateDouble();
        const double r = std::sqrt(-2.0 * std::log(u));
        map.x[i] = float(40.0 * std::cos(angle) + 8.0 * r * std::cos(6.2832 * v));
        map.y[i] = float(4.0 * std::sin(angle) + 0.8 * r * std::sin(6.2832 * v));
        map.labels[i] = c;
    }
    return map;
}

void TestLatentMap::moveMouse(QWidget *plot, const QPointF &pos)
{
    QMouseEvent event(QEvent::MouseMove, pos, plot->mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &event);
}

void TestLatentMap::click(QWidget *plot, const QPointF &pos)
{
    const QPointF global = plot->mapToGlobal(pos);
    QMouseEvent press(QEvent::MouseButtonPress, pos, global, Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &press);
    QMouseEvent release(QEvent::MouseButtonRelease, pos, global, Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &release);
}

void TestLatentMap::drag(QWidget *plot, const QVector<QPointF> &path, Qt::KeyboardModifiers modifiers)
{
    QMouseEvent press(QEvent::MouseButtonPress, path.first(), plot->mapToGlobal(path.first()), Qt::LeftButton,
                      Qt::LeftButton, modifiers);
    QApplication::sendEvent(plot, &press);
    for (const QPointF &p : path) {
        QMouseEvent move(QEvent::MouseMove, p, plot->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, modifiers);
        QApplication::sendEvent(plot, &move);
    }
    QMouseEvent release(QEvent::MouseButtonRelease, path.last(), plot->mapToGlobal(path.last()), Qt::LeftButton,
                        Qt::NoButton, modifiers);
    QApplication::sendEvent(plot, &release);
}

void TestLatentMap::addCodes(aes::LatentSnapshot *map)
{
    map->latentSize = 3;
    map->codes.clear();
    for (int i = 0; i < map->x.size(); ++i)
        map->codes << map->x[i] << map->y[i] << float(map->labels.value(i, 0));
}

qint64 TestLatentMap::bruteForceNearest(const LatentMap &map, const QPointF &pixel)
{
    qint64 best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (qint64 i = 0; i < map.map().x.size(); ++i) {
        if (!map.isClassVisible(map.map().labels[i]))
            continue;
        const QPointF d = map.pixelOf(i) - pixel;
        const double distance = d.x() * d.x() + d.y() * d.y();
        if (distance < bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

void TestLatentMap::rendersSeventyThousandPoints()
{
    LatentMap map;
    map.resize(900, 600);
    const QImage empty = map.plotWidget()->grab().toImage();
    map.setMap(randomMap(70000, 1));
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    const QImage shot = map.plotWidget()->grab().toImage();
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), map.plotWidget()->size() * shot.devicePixelRatio());
    // The points are drawn: many pixels of the class colours, and the picture changed.
    int coloured = 0;
    for (int y = 0; y < shot.height(); y += 2)
        for (int x = 0; x < shot.width(); x += 2) {
            const QColor c = shot.pixelColor(x, y);
            coloured += c.saturation() > 80 ? 1 : 0;
        }
    QVERIFY2(coloured > 2000, qPrintable(QString::number(coloured)));
    QVERIFY(shot != empty.scaled(shot.size()));
}

void TestLatentMap::hoverFindsTheNearestPoint_data()
{
    QTest::addColumn<int>("points");
    QTest::newRow("100") << 100;
    QTest::newRow("70k") << 70000;
}

void TestLatentMap::hoverFindsTheNearestPoint()
{
    QFETCH(int, points);
    LatentMap map;
    map.resize(900, 600);
    map.setMap(randomMap(points, 2));
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QWidget *plot = map.plotWidget();
    QSignalSpy requested(&map, &LatentMap::imageRequested);

    QRandomGenerator random(3);
    int hovered = 0;
    for (int k = 0; k < 40; ++k) {
        // Near a random point (so something is usually in reach), or anywhere in the plot.
        QPointF pos = k % 2 == 0 ? map.pixelOf(qint64(random.bounded(points))) + QPointF(random.bounded(9) - 4, random.bounded(9) - 4)
                                 : QPointF(100 + random.bounded(plot->width() - 200), 40 + random.bounded(plot->height() - 120));
        moveMouse(plot, pos);
        const qint64 expected = bruteForceNearest(map, pos);
        QCOMPARE(map.nearestPoint(pos), expected);
        const bool inReach = QLineF(map.pixelOf(expected), pos).length() <= LatentMap::kHoverRadius;
        QCOMPARE(map.hoveredPoint(), inReach ? expected : qint64(-1));
        if (inReach) {
            ++hovered;
            QCOMPARE(requested.last().first().toLongLong(), expected);
        }
    }
    QVERIFY(hovered >= 20);
}

void TestLatentMap::hiddenClassesAreNotHovered()
{
    LatentMap map;
    map.resize(900, 600);
    const aes::LatentSnapshot data = randomMap(5000, 4);
    map.setMap(data);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    const qint64 target = 17;
    const int hiddenClass = data.labels[target];
    const QPointF pos = map.pixelOf(target);
    moveMouse(map.plotWidget(), pos);
    QCOMPARE(data.labels[map.hoveredPoint()], hiddenClass);

    map.setClassVisible(hiddenClass, false);
    QVERIFY(!map.isClassVisible(hiddenClass));
    moveMouse(map.plotWidget(), pos + QPointF(1, 0));
    const qint64 nearest = map.nearestPoint(pos);
    QVERIFY(nearest >= 0);
    QVERIFY(data.labels[nearest] != hiddenClass);
    QCOMPARE(nearest, bruteForceNearest(map, pos));
    if (map.hoveredPoint() >= 0)
        QVERIFY(data.labels[map.hoveredPoint()] != hiddenClass);
}

void TestLatentMap::clickDecodesEmptySpaceAndPinsPoints()
{
    LatentMap map;
    map.resize(900, 600);
    aes::LatentSnapshot data = randomMap(200, 5);
    map.setMap(data);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QWidget *plot = map.plotWidget();
    QSignalSpy decode(&map, &LatentMap::decodeRequested);
    QSignalSpy requested(&map, &LatentMap::imageRequested);

    // Find a pixel far from every point: empty space.
    QPointF empty;
    for (int y = 40; y < plot->height() - 60 && empty.isNull(); y += 7)
        for (int x = 70; x < plot->width() - 200 && empty.isNull(); x += 7)
            if (QLineF(map.pixelOf(bruteForceNearest(map, QPointF(x, y))), QPointF(x, y)).length() > 40)
                empty = QPointF(x, y);
    QVERIFY(!empty.isNull());
    click(plot, empty);
    QCOMPARE(decode.count(), 1);
    const QPointF coord = map.coordOf(empty);
    QVERIFY(std::abs(decode.first().at(0).toDouble() - coord.x()) < 1e-9);
    QVERIFY(std::abs(decode.first().at(1).toDouble() - coord.y()) < 1e-9);
    QCOMPARE(requested.count(), 0);

    // A click on a point pins it instead.
    const QPointF onPoint = map.pixelOf(42);
    click(plot, onPoint);
    QCOMPARE(decode.count(), 1);
    QCOMPARE(requested.last().first().toLongLong(), bruteForceNearest(map, onPoint));

    // The answers show in the side panel.
    QImage decoded(8, 8, QImage::Format_Grayscale8);
    decoded.fill(200);
    map.setDecodedImage(decoded, coord.x(), coord.y(), true);
    QVERIFY(!map.grab().isNull());
}

void TestLatentMap::draggingTheProbeDecodesAlongTheWay()
{
    LatentMap map;
    map.resize(900, 600);
    map.setMap(randomMap(500, 6));
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QWidget *plot = map.plotWidget();
    // A probe in the middle of the plot.
    const QPointF start(plot->width() / 3.0, plot->height() / 2.0);
    const QPointF coord = map.coordOf(start);
    QImage decoded(8, 8, QImage::Format_Grayscale8);
    decoded.fill(100);
    map.setDecodedImage(decoded, coord.x(), coord.y(), true);
    QVERIFY(map.hasProbe());
    const QRectF viewBefore = map.visibleRegion();
    QSignalSpy decode(&map, &LatentMap::decodeRequested);

    const QPointF global = plot->mapToGlobal(start);
    QMouseEvent press(QEvent::MouseButtonPress, start, global, Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &press);
    QPointF pos = start;
    for (int i = 1; i <= 10; ++i) {
        pos = start + QPointF(12.0 * i, -5.0 * i);
        QMouseEvent move(QEvent::MouseMove, pos, plot->mapToGlobal(pos), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(plot, &move);
    }
    QMouseEvent release(QEvent::MouseButtonRelease, pos, plot->mapToGlobal(pos), Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &release);

    // One request per move, the last where the mouse let go; the map did not pan.
    QCOMPARE(decode.count(), 10);
    const QPointF end = map.coordOf(pos);
    QVERIFY(std::abs(decode.last().at(0).toDouble() - end.x()) < 1e-9);
    QVERIFY(std::abs(decode.last().at(1).toDouble() - end.y()) < 1e-9);
    QCOMPARE(map.visibleRegion(), viewBefore);
    QVERIFY(QLineF(map.probe(), end).length() < 1e-9);

    // Dragging elsewhere pans as before and decodes nothing.
    decode.clear();
    const QPointF away = start + QPointF(0, 120);
    QMouseEvent press2(QEvent::MouseButtonPress, away, plot->mapToGlobal(away), Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &press2);
    const QPointF to = away + QPointF(60, 0);
    QMouseEvent move2(QEvent::MouseMove, to, plot->mapToGlobal(to), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &move2);
    QMouseEvent release2(QEvent::MouseButtonRelease, to, plot->mapToGlobal(to), Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &release2);
    QCOMPARE(decode.count(), 0);
    QVERIFY(map.visibleRegion() != viewBefore);
}

void TestLatentMap::shiftClickPicksAPoint()
{
    LatentMap map;
    map.resize(900, 600);
    map.setMap(randomMap(200, 7));
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QWidget *plot = map.plotWidget();
    QSignalSpy picked(&map, &LatentMap::pointPicked);
    const QPointF pos = map.pixelOf(11);
    const QPointF global = plot->mapToGlobal(pos);
    QMouseEvent press(QEvent::MouseButtonPress, pos, global, Qt::LeftButton, Qt::LeftButton, Qt::ShiftModifier);
    QApplication::sendEvent(plot, &press);
    QMouseEvent release(QEvent::MouseButtonRelease, pos, global, Qt::LeftButton, Qt::NoButton, Qt::ShiftModifier);
    QApplication::sendEvent(plot, &release);
    QCOMPARE(picked.count(), 1);
    QCOMPARE(picked.first().first().toLongLong(), bruteForceNearest(map, pos));
    QCOMPARE(map.pinnedPoint(), qint64(-1));  // picking does not pin
    click(plot, pos);
    QCOMPARE(map.pinnedPoint(), bruteForceNearest(map, pos));
}

void TestLatentMap::twoDimensionsAreChosenInThePanel()
{
    LatentMap map;
    aes::LatentSnapshot data = randomMap(100, 8);
    data.latentSize = 16;
    map.setMap(data);
    QSignalSpy requested(&map, &LatentMap::projectionRequested);
    QComboBox *method = projectionCombo(map);
    QVERIFY(method);
    const int dims = method->findData(int(aes::ProjectionMethod::Dims));
    QVERIFY(dims >= 0);
    method->setCurrentIndex(dims);
    Q_EMIT method->activated(dims);
    QCOMPARE(requested.count(), 1);
    QVERIFY(requested.last().at(0).value<std::optional<aes::ProjectionMethod>>() == aes::ProjectionMethod::Dims);
    QCOMPARE(requested.last().at(1).toInt(), 0);
    QCOMPARE(requested.last().at(2).toInt(), 1);
    QList<QSpinBox *> spins;  // the two dimensions' (not k, seed or the neighbours' count)
    for (QSpinBox *spin : map.findChildren<QSpinBox *>())
        if (spin->toolTip().startsWith(QStringLiteral("A latent dimension")))
            spins << spin;
    QCOMPARE(spins.size(), 2);
    QCOMPARE(spins.at(0)->maximum(), 15);  // the code's 16 dimensions
    spins.at(0)->setValue(7);
    QCOMPARE(requested.last().at(1).toInt(), 7);
    QCOMPARE(requested.last().at(2).toInt(), 1);
    const int before = requested.count();
    spins.at(1)->setValue(7);  // the same dimension twice is not a map
    QCOMPARE(requested.count(), before);
}

void TestLatentMap::umapParametersAreChosenInThePanel()
{
    LatentMap map;
    aes::LatentSnapshot data = randomMap(100, 8);
    data.latentSize = 16;
    map.setMap(data);
    QSignalSpy requested(&map, &LatentMap::projectionRequested);
    QComboBox *method = projectionCombo(map);
    QVERIFY(method);
    const int umap = method->findData(int(aes::ProjectionMethod::Umap));
    QVERIFY(umap >= 0);
    method->setCurrentIndex(umap);
    Q_EMIT method->activated(umap);
    QCOMPARE(requested.count(), 1);
    QVERIFY(requested.last().at(0).value<std::optional<aes::ProjectionMethod>>() == aes::ProjectionMethod::Umap);
    QVERIFY(requested.last().at(3).value<aes::UmapParameters>() == aes::UmapParameters{});  // 15 and 0.1
    auto *neighbours = map.findChild<QSpinBox *>(QStringLiteral("umapNeighbours"));
    auto *minDist = map.findChild<QDoubleSpinBox *>(QStringLiteral("umapMinDist"));
    QVERIFY(neighbours && minDist);
    neighbours->setValue(30);
    minDist->setValue(0.5);
    QCOMPARE(requested.count(), 3);
    QVERIFY(requested.last().at(3).value<aes::UmapParameters>() == (aes::UmapParameters{30, 0.5}));
    // A UMAP map asked for elsewhere shows its own parameters.
    data.method = aes::ProjectionMethod::Umap;
    data.umap = {8, 0.25};
    map.setMap(data);
    QCOMPARE(neighbours->value(), 8);
    QCOMPARE(minDist->value(), 0.25);
    QCOMPARE(requested.count(), 3);
}

void TestLatentMap::replayDoesNotDecode()
{
    LatentMap map;
    map.resize(900, 600);
    map.setMap(randomMap(50, 9));
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QSignalSpy decode(&map, &LatentMap::decodeRequested);
    QWidget *plot = map.plotWidget();
    QPointF empty;
    for (int y = 40; y < plot->height() - 60 && empty.isNull(); y += 7)
        for (int x = 70; x < plot->width() - 200 && empty.isNull(); x += 7)
            if (QLineF(map.pixelOf(bruteForceNearest(map, QPointF(x, y))), QPointF(x, y)).length() > 40)
                empty = QPointF(x, y);
    QVERIFY(!empty.isNull());
    map.setReplay(true, QStringLiteral("replaying"));
    click(plot, empty);
    QCOMPARE(decode.count(), 0);  // the worker would decode with another epoch's map
    map.setReplay(false);
    click(plot, empty);
    QCOMPARE(decode.count(), 1);
}

void TestLatentMap::hoverShowsImageAndReconstruction()
{
    LatentMap map;
    map.resize(900, 600);
    aes::LatentSnapshot data = randomMap(300, 10);
    for (int i = 0; i < data.x.size(); ++i) {
        data.errors.append(0.01f * float(i % 10));
        data.files.append(QStringLiteral("/data/train-images-idx3-ubyte.gz#%1").arg(i));
    }
    map.setMap(data);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QWidget *plot = map.plotWidget();
    const qint64 target = 21;
    moveMouse(plot, map.pixelOf(target));
    QCOMPARE(map.hoveredPoint(), target);
    QLabel *overlay = nullptr;
    for (QLabel *label : plot->findChildren<QLabel *>())
        if (label->isVisible())
            overlay = label;
    QVERIFY(overlay);
    QVERIFY(overlay->pixmap().isNull());  // the caption only, until the image arrives

    QImage image(8, 8, QImage::Format_Grayscale8);
    image.fill(30);
    map.setImage(target, image, QString());
    const int withImage = overlay->pixmap().width();
    QVERIFY(withImage > 0);
    aes::PointDetails details;
    details.index = target;
    details.image = image;
    details.reconstruction = image;
    details.reconstruction.fill(220);
    details.error = 0.05;
    details.file = data.files.at(int(target));
    map.setPointDetails(details);
    // The reconstruction joins the image: the card grows by about one image.
    QVERIFY2(overlay->pixmap().width() >= withImage + 64, qPrintable(QStringLiteral("%1 -> %2").arg(withImage).arg(overlay->pixmap().width())));
    // Both pictures are on the card: its darkest and brightest grey levels.
    const QImage card = overlay->pixmap().toImage();
    bool dark = false, bright = false;
    for (int y = 0; y < card.height(); ++y)
        for (int x = 0; x < card.width(); ++x) {
            const QRgb p = card.pixel(x, y);
            dark = dark || (qAlpha(p) == 255 && qGray(p) == 30);
            bright = bright || (qAlpha(p) == 255 && qGray(p) == 220);
        }
    QVERIFY(dark && bright);
    // Details of a point no longer hovered change nothing.
    details.index = target + 1;
    map.setPointDetails(details);
    QCOMPARE(map.hoveredPoint(), target);
}

void TestLatentMap::lassoSelectsExactlyThePointsInside()
{
    LatentMap map;
    map.resize(900, 600);
    map.setMap(randomMap(20000, 21));
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.setClassVisible(4, false);  // hidden points are never selected
    map.setTool(LatentMap::Tool::Lasso);
    QWidget *plot = map.plotWidget();
    // A non-convex lasso (a star) around the plot's middle, as a hand draws it.
    const QPointF centre(plot->width() * 0.45, plot->height() * 0.5);
    QVector<QPointF> path;
    for (int i = 0; i <= 60; ++i) {
        const double a = 2.0 * M_PI * i / 60.0, r = (i % 10 < 5 ? 220.0 : 90.0);
        path << centre + QPointF(r * std::cos(a), 0.6 * r * std::sin(a));
    }
    QSignalSpy changed(&map, &LatentMap::selectionChanged);
    drag(plot, path);
    QCOMPARE(changed.count(), 1);
    // Brute force on screen: the points whose pixel lies inside the drawn polygon.
    const QPolygonF polygon(path);
    QVector<qint64> expected;
    for (qint64 i = 0; i < map.map().x.size(); ++i)
        if (map.isClassVisible(map.map().labels[i]) && polygon.containsPoint(map.pixelOf(i), Qt::OddEvenFill))
            expected << i;
    QVERIFY(expected.size() > 100);
    // Points within a hair of the outline may go either way (pixels to coordinates and back).
    const QVector<qint64> &selected = map.selection();
    int disagreements = 0;
    for (qint64 i = 0, a = 0, b = 0; a < selected.size() || b < expected.size(); ++i) {
        if (a < selected.size() && b < expected.size() && selected[a] == expected[b]) {
            ++a;
            ++b;
        } else {
            ++disagreements;
            (b >= expected.size() || (a < selected.size() && selected[a] < expected[b])) ? ++a : ++b;
        }
    }
    QCOMPARE(disagreements, 0);
    QVERIFY(map.selectionDistances().isEmpty());
}

void TestLatentMap::rectangleSelectsAndShiftAdds()
{
    LatentMap map;
    map.resize(900, 600);
    map.setMap(randomMap(3000, 22));
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.setTool(LatentMap::Tool::Rectangle);
    QWidget *plot = map.plotWidget();
    const auto inRect = [&](const QRectF &r) {
        QVector<qint64> rows;
        for (qint64 i = 0; i < map.map().x.size(); ++i)
            if (r.contains(map.pixelOf(i)))
                rows << i;
        return rows;
    };
    const QRectF first(QPointF(150, 120), QPointF(330, 300)), second(QPointF(400, 200), QPointF(520, 330));
    drag(plot, {first.bottomRight(), first.center(), first.topLeft()});  // dragged up and left
    QCOMPARE(map.selection(), inRect(first));
    QVERIFY(!map.selection().isEmpty());
    drag(plot, {second.topLeft(), second.bottomRight()}, Qt::ShiftModifier);
    QVector<qint64> both = inRect(first) + inRect(second);
    std::sort(both.begin(), both.end());
    both.erase(std::unique(both.begin(), both.end()), both.end());
    QCOMPARE(map.selection(), both);
    // Back to panning: a drag moves the view and keeps the selection.
    map.setTool(LatentMap::Tool::Pan);
    const QRectF before = map.visibleRegion();
    drag(plot, {QPointF(300, 300), QPointF(340, 320), QPointF(380, 330)});
    QVERIFY(map.visibleRegion() != before);
    QCOMPARE(map.selection(), both);
}

void TestLatentMap::findSimilarIsTheBruteForceOrder()
{
    LatentMap map;
    map.resize(900, 600);
    aes::LatentSnapshot data = randomMap(5000, 23);
    QVERIFY(!map.findSimilar(0, 10));  // no map, no codes
    map.setMap(data);
    QVERIFY(!map.hasCodes());
    QVERIFY(!map.findSimilar(0, 10));
    addCodes(&data);
    map.setMap(data);
    QVERIFY(map.hasCodes());
    const qint64 query = 123;
    QVERIFY(map.findSimilar(query, 10));
    QCOMPARE(map.selection().size(), 10);
    QCOMPARE(map.selectionQuery(), query);
    QCOMPARE(map.selection().first(), query);
    QCOMPARE(map.selectionDistances().first(), 0.0f);
    // Brute force over every code.
    QVector<qint64> order(data.x.size());
    std::iota(order.begin(), order.end(), 0);
    const auto distance = [&](qint64 i) {
        double s = 0.0;
        for (int j = 0; j < 3; ++j)
            s += std::pow(double(data.codes[i * 3 + j]) - double(data.codes[query * 3 + j]), 2.0);
        return std::sqrt(s);
    };
    std::stable_sort(order.begin(), order.end(), [&](qint64 a, qint64 b) { return distance(a) < distance(b); });
    QCOMPARE(map.selection(), order.mid(0, 10));
    for (int i = 0; i < 10; ++i)
        QVERIFY(std::abs(double(map.selectionDistances()[i]) - distance(order[i])) < 1e-4);
    // An intermediate layout (no codes) keeps the codes of the same rows.
    aes::LatentSnapshot partial = data;
    partial.codes.clear();
    partial.partial = true;
    map.setMap(partial);
    QVERIFY(map.hasCodes());
}

void TestLatentMap::hiddenPointsAreNeitherHoveredNorSelected()
{
    LatentMap map;
    map.resize(900, 600);
    aes::LatentSnapshot data = randomMap(2000, 24);
    addCodes(&data);
    map.setMap(data);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    const qint64 target = 77;
    QVERIFY(map.findSimilar(target, 5));
    const QVector<qint64> hidden = map.selection();
    map.hideSelection();
    QCOMPARE(map.hiddenCount(), qint64(5));
    QVERIFY(map.selection().isEmpty());
    const qint64 nearest = map.nearestPoint(map.pixelOf(target));
    QVERIFY(nearest >= 0 && !hidden.contains(nearest));
    map.setTool(LatentMap::Tool::Rectangle);
    const QPointF p = map.pixelOf(target);
    drag(map.plotWidget(), {p - QPointF(30, 30), p + QPointF(30, 30)});
    for (qint64 row : hidden)
        QVERIFY(!map.selection().contains(row));
    map.showHiddenPoints();
    QCOMPARE(map.hiddenCount(), qint64(0));
    QCOMPARE(map.nearestPoint(map.pixelOf(target)), target);
}

void TestLatentMap::clustersColourTheMapWithPurity()
{
    LatentMap map;
    map.resize(1000, 600);
    aes::LatentSnapshot data = randomMap(3000, 25);
    addCodes(&data);
    // The class number (third code number) scaled up: k-means on the codes finds the classes.
    for (int i = 0; i < data.x.size(); ++i)
        data.codes[i * 3 + 2] *= 1000.0f;
    map.setMap(data);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QSignalSpy clustered(&map, &LatentMap::clustersChanged);
    QVERIFY(map.cluster(10, 7));
    QVERIFY(!map.groups().byCluster());  // k-means runs off the GUI thread
    QVERIFY(clustered.wait(20000));
    QCOMPARE(clustered.count(), 1);
    QVERIFY(map.groups().byCluster());
    QCOMPARE(map.groups().count(), 10);
    ClassList *list = map.classList();
    QCOMPARE(list->tree()->topLevelItemCount(), 10);
    QCOMPARE(list->tree()->headerItem()->text(0), QStringLiteral("Cluster"));
    for (int i = 0; i < 10; ++i)
        QCOMPARE(list->tree()->topLevelItem(i)->text(2), QStringLiteral("100%"));
    QVERIFY(list->findChildren<QLabel *>().size() > 0);
    // Hiding a cluster hides its points; back to classes, the classes are all shown.
    map.setClassVisible(0, false);
    QVERIFY(!map.isClassVisible(0));
    const qint64 nearest = map.nearestPoint(QPointF(400, 300));
    QVERIFY2(nearest >= 0 && map.groups().groupOf(nearest) != 0, qPrintable(QString::number(nearest)));
    map.setColourByCluster(false);
    QCOMPARE(map.groups().count(), 11);  // 10 classes and "unlabelled"
    QCOMPARE(list->tree()->topLevelItemCount(), 10);  // the empty "unlabelled" is not listed
    QVERIFY(map.isClassVisible(0));
    map.setColourByCluster(true);
    QVERIFY(!map.isClassVisible(0));  // each colouring keeps its own choices
}

void TestLatentMap::fortyClassesListBesideTheMap()
{
    LatentMap map;
    map.resize(1100, 600);
    aes::LatentSnapshot data;
    data.method = aes::ProjectionMethod::Pca;
    for (int c = 0; c < 40; ++c)
        data.classNames << QStringLiteral("class %1").arg(c, 2, 10, QLatin1Char('0'));
    for (int i = 0; i < 4000; ++i) {
        data.x << float(i % 40) + float(i % 7) * 0.1f;
        data.y << float(i % 13);
        data.labels << i % 40;
    }
    map.setMap(data);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    ClassList *list = map.classList();
    QCOMPARE(list->tree()->topLevelItemCount(), 40);
    QCOMPARE(list->tree()->topLevelItem(3)->text(1), QStringLiteral("100"));
    // Beside the map, not over it: the plot keeps its whole width for points.
    QVERIFY(list->geometry().right() <= map.plotWidget()->mapTo(&map, QPoint(0, 0)).x());
    QVERIFY(map.groups().note().contains(QStringLiteral("20")));
    // The filter narrows the rows; None hides what it shows; those classes' points go.
    list->filter()->setText(QStringLiteral("class 1"));
    QCOMPARE(list->shownGroups().size(), 10);  // class 10 .. class 19
    Q_EMIT list->setAllRequested(list->shownGroups(), false);
    QVERIFY(!map.isClassVisible(12) && map.isClassVisible(2));
    // Solo: one class alone; again: all.
    Q_EMIT list->soloRequested(5);
    for (int c = 0; c < 40; ++c)
        QCOMPARE(map.isClassVisible(c), c == 5);
    Q_EMIT list->soloRequested(5);
    QVERIFY(map.isClassVisible(12));
    // At most 20 shown: they share the distinct colours (no two alike).
    for (int c = 20; c < 40; ++c)
        map.setClassVisible(c, false);
    const QVector<QColor> colors = map.groups().colors();
    QSet<QRgb> distinct;
    for (int c = 0; c < 20; ++c)
        distinct.insert(colors[c].rgb());
    QCOMPARE(distinct.size(), 20);
}

// A dataset of 1000 images drawn as a sample of 100 points: hover, click and the rectangle
// name dataset rows; "find images like this" and k-means reach every image.
void TestLatentMap::sampledMapMapsPointsToRows()
{
    const qint64 n = 1000;
    const aes::LatentSnapshot all = randomMap(int(n), 26);
    aes::LatentSnapshot data = all;
    addCodes(&data);  // every row's code
    for (qint64 row = 0; row < n; ++row)
        data.files << QStringLiteral("/data/class %1/img%2.png").arg(all.labels[row]).arg(row, 4, 10, QLatin1Char('0'));
    data.sampleRows = aes::sampleMapRows(n, all.labels, 100);
    QCOMPARE(data.sampleRows.size(), 100);
    data.sampledFrom = n;
    data.x.clear();
    data.y.clear();
    for (qint64 row : data.sampleRows) {
        data.x << all.x[row];
        data.y << all.y[row];
    }
    LatentMap map;
    map.resize(1000, 600);
    map.setMap(data);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    QCOMPARE(map.map().pointCount(), qint64(100));
    QCOMPARE(map.map().rowCount(), n);
    QCOMPARE(map.sampleNote(), QStringLiteral("Showing 100 of 1,000 images (sample)"));
    QLabel *note = map.findChild<QLabel *>(QStringLiteral("sampleNote"));
    QVERIFY(note && note->isVisible() && note->text().contains(QStringLiteral("change")));
    QWidget *plot = map.plotWidget();

    // Hover: the row of the nearest point on screen (brute force over the points).
    const auto nearestRow = [&](const QPointF &pixel) {
        qint64 best = -1;
        double bestDistance = std::numeric_limits<double>::infinity();
        for (qint64 row : data.sampleRows) {
            const double d = QLineF(map.pixelOf(row), pixel).length();
            if (d < bestDistance) {
                bestDistance = d;
                best = row;
            }
        }
        return best;
    };
    QSignalSpy requested(&map, &LatentMap::imageRequested);
    int checked = 0;
    for (int i = 0; i < 100; i += 7) {
        const qint64 row = data.sampleRows[i];
        const QPointF pos = map.pixelOf(row) + QPointF(1, 1);
        if (!plot->rect().contains(pos.toPoint()) || nearestRow(pos) != row)
            continue;  // another point lies nearer on screen
        moveMouse(plot, pos);
        QCOMPARE(map.hoveredPoint(), row);
        QCOMPARE(requested.last().first().toLongLong(), row);
        QCOMPARE(map.map().classNameAt(map.hoveredPoint()), QStringLiteral("class %1").arg(all.labels[row]));
        ++checked;
    }
    QVERIFY(checked >= 5);
    // Click pins the row.
    const qint64 pinned = data.sampleRows[50];
    if (nearestRow(map.pixelOf(pinned)) == pinned) {
        click(plot, map.pixelOf(pinned));
        QCOMPARE(map.pinnedPoint(), pinned);
    }

    // The rectangle selects the rows of the points inside it, in row order.
    map.setTool(LatentMap::Tool::Rectangle);
    const QRectF box(QPointF(100, 60), QPointF(600, 500));
    drag(plot, {box.topLeft(), box.bottomRight()});
    QVector<qint64> inside;
    for (qint64 row : data.sampleRows)
        if (box.contains(map.pixelOf(row)))
            inside << row;
    QVERIFY(inside.size() >= 5);
    QCOMPARE(map.selection(), inside);
    map.setTool(LatentMap::Tool::Pan);

    // Images like this: over every row's code, so most of the nearest are not drawn.
    const qint64 query = data.sampleRows[10];
    QVERIFY(map.findSimilar(query, 20));
    QVector<qint64> order(n);
    std::iota(order.begin(), order.end(), 0);
    const auto distance = [&](qint64 i) {
        double s = 0.0;
        for (int j = 0; j < 3; ++j)
            s += std::pow(double(data.codes[i * 3 + j]) - double(data.codes[query * 3 + j]), 2.0);
        return s;
    };
    std::stable_sort(order.begin(), order.end(), [&](qint64 a, qint64 b) { return distance(a) < distance(b); });
    QCOMPARE(map.selection(), order.mid(0, 20));
    const qint64 offMap = std::count_if(map.selection().cbegin(), map.selection().cend(),
                                        [&](qint64 row) { return map.map().pointOf(row) < 0; });
    QVERIFY(offMap > 0);
    // Hiding them hides the rows, drawn or not.
    map.hideSelection();
    QCOMPARE(map.hiddenCount(), qint64(20));
    QVERIFY(map.nearestPoint(map.pixelOf(query)) != query);

    // k-means over every image's code; the list counts every image.
    QSignalSpy clustered(&map, &LatentMap::clustersChanged);
    QVERIFY(map.cluster(4, 1));
    QVERIFY(clustered.wait(20000));
    QCOMPARE(map.groups().clusters().size(), n);
    qint64 listed = 0;
    for (int i = 0; i < map.classList()->tree()->topLevelItemCount(); ++i)
        listed += map.classList()->tree()->topLevelItem(i)->text(1).remove(QLatin1Char(',')).toLongLong();
    QCOMPARE(listed, n);

    // The point cap is the panel's: a change is emitted (and a new map asked for).
    QSignalSpy capChanged(&map, &LatentMap::pointCapChanged);
    QSignalSpy projection(&map, &LatentMap::projectionRequested);
    map.setPointCap(500);
    QCOMPARE(capChanged.count(), 1);
    QCOMPARE(capChanged.last().first().toLongLong(), qint64(500));
    QCOMPARE(projection.count(), 1);
    QCOMPARE(map.pointCap(), qint64(500));
}

QTEST_MAIN(TestLatentMap)
#include "tst_latentmap.moc"
