// The latent map widget: 70k points render, the hovered point is the true nearest one
// (brute force in on-screen pixels), hidden classes are not hovered, and clicks ask for a
// pinned image (on a point) or a decode (on empty space).

#include "latentmap.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QImage>
#include <QMouseEvent>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QtTest>

#include <cmath>
#include <limits>

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

private:
    // n points in 10 Gaussian clusters (the class is the cluster).
    static aes::LatentSnapshot randomMap(int n, quint32 seed);
    static void moveMouse(QWidget *plot, const QPointF &pos);
    static void click(QWidget *plot, const QPointF &pos);
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
    auto *method = map.findChild<QComboBox *>();
    QVERIFY(method);
    const int dims = method->findData(int(aes::ProjectionMethod::Dims));
    QVERIFY(dims >= 0);
    method->setCurrentIndex(dims);
    Q_EMIT method->activated(dims);
    QCOMPARE(requested.count(), 1);
    QVERIFY(requested.last().at(0).value<std::optional<aes::ProjectionMethod>>() == aes::ProjectionMethod::Dims);
    QCOMPARE(requested.last().at(1).toInt(), 0);
    QCOMPARE(requested.last().at(2).toInt(), 1);
    QList<QSpinBox *> spins = map.findChildren<QSpinBox *>();
    spins.removeIf([](QSpinBox *spin) { return spin->objectName().startsWith(QLatin1String("umap")); });
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
    auto *method = map.findChild<QComboBox *>();
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

QTEST_MAIN(TestLatentMap)
#include "tst_latentmap.moc"
