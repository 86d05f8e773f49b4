// The latent map widget at full size, ours and the peers side by side in one run:
// - a full replot of 70k points drawn by our PointLayer (one image, discs stamped by hand)
//   against QCustomPlot's own graphs with the same points: pixmap markers and ssDisc
//   markers (target: at most 16 ms);
// - the hover lookup (nearest visible point in screen pixels, kd-tree) against
//   QCustomPlot's own QCPGraph::selectTest over every class graph (target: at most 5 ms),
//   and the whole mouse-move path (lookup, overlay, request);
// - setMap (rebuilding the class graphs) with its replot;
// - a dataset of IMAGES (default 1,000,000) drawn whole against the default point cap's
//   sample (200,000 of them, latent/mapsample): the sample's cost, setMap, replot and hover.
// Prints medians and ratios (the machine is shared: compare ratios, not absolutes).
// Usage: aes-bench-latentmap [POINTS [IMAGES]]   (runs offscreen unless QT_QPA_PLATFORM is set)

#include "latent/mapsample.h"
#include "latentmap.h"
#include "pointlayer.h"
#include "qcustomplotinclude.h"

#include "benchutil.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QRandomGenerator>

#include <algorithm>
#include <functional>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {


// Ten Gaussian clusters, like a trained map of ten classes.
aes::LatentSnapshot clusters(int n)
{
    QRandomGenerator random(1);
    aes::LatentSnapshot map;
    map.method = aes::ProjectionMethod::Pca;
    for (int c = 0; c < 10; ++c)
        map.classNames << QStringLiteral("class %1").arg(c);
    for (int i = 0; i < n; ++i) {
        const int c = int(random.bounded(10));
        const double u = std::max(random.generateDouble(), 1e-12), v = random.generateDouble();
        const double r = std::sqrt(-2.0 * std::log(u));
        map.x.append(float(10.0 * std::cos(c * 0.628) + 2.5 * r * std::cos(6.2832 * v)));
        map.y.append(float(10.0 * std::sin(c * 0.628) + 2.5 * r * std::sin(6.2832 * v)));
        map.labels.append(c);
    }
    return map;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int n = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 70000;
    const aes::LatentSnapshot data = clusters(n);

    LatentMap map;
    map.resize(1200, 800);
    map.setMap(data);
    map.show();
    QApplication::processEvents();
    auto *plot = qobject_cast<QCustomPlot *>(map.plotWidget());

    const double setMapMs = aes::bench::medianMs(5, [&] {
        map.setMap(data);
        plot->replot(QCustomPlot::rpImmediateRefresh);
    });
    const double oursMs = aes::bench::medianMs(21, [&] { plot->replot(QCustomPlot::rpImmediateRefresh); });

    // Hover: random pixels in the plot, index already built (it is rebuilt only when the
    // axis ratio changes); the first lookup after a map pays for the build.
    QRandomGenerator random(2);
    const QRect area = plot->axisRect()->rect();
    std::vector<QPointF> pixels;
    for (int i = 0; i < 2000; ++i)
        pixels.emplace_back(area.left() + random.bounded(area.width()), area.top() + random.bounded(area.height()));
    map.setMap(data);
    QElapsedTimer t;
    t.start();
    qint64 sink = map.nearestPoint(pixels[0]);
    const double firstLookupMs = double(t.nsecsElapsed()) / 1e6;
    double worstLookupUs = 0.0;
    t.start();
    for (const QPointF &p : pixels) {
        QElapsedTimer one;
        one.start();
        sink += map.nearestPoint(p);
        worstLookupUs = std::max(worstLookupUs, double(one.nsecsElapsed()) / 1e3);
    }
    const double lookupUs = double(t.nsecsElapsed()) / 1e3 / double(pixels.size());
    t.start();
    for (const QPointF &p : pixels) {
        QMouseEvent move(QEvent::MouseMove, p, plot->mapToGlobal(p), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(plot, &move);
    }
    const double moveUs = double(t.nsecsElapsed()) / 1e3 / double(pixels.size());

    // Peers: the same points in QCustomPlot graphs, one per class, our layer hidden.
    for (QCPLayerable *layerable : plot->layer(QStringLiteral("main"))->children())
        if (dynamic_cast<PointLayer *>(layerable))
            layerable->setVisible(false);
    const int legendGraphs = plot->graphCount();
    for (int c = 0; c < data.classNames.size(); ++c) {
        QVector<double> xs, ys;
        for (int i = 0; i < n; ++i)
            if (data.labels[i] == c) {
                xs.append(data.x[i]);
                ys.append(data.y[i]);
            }
        QCPGraph *graph = plot->addGraph();
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setData(xs, ys);
        graph->removeFromLegend();
    }

    const auto restyle = [&](const std::function<QCPScatterStyle(const QColor &)> &style) {
        for (int g = legendGraphs; g < plot->graphCount(); ++g)
            plot->graph(g)->setScatterStyle(style(QColor::fromHsv((g * 36) % 360, 200, 200)));
    };
    restyle([](const QColor &color) {
        QPixmap pixmap(PointLayer::kMarkerSize, PointLayer::kMarkerSize);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(QRectF(0.5, 0.5, PointLayer::kMarkerSize - 1.0, PointLayer::kMarkerSize - 1.0));
        painter.end();
        return QCPScatterStyle(pixmap);
    });
    const double pixmapMs = aes::bench::medianMs(9, [&] { plot->replot(QCustomPlot::rpImmediateRefresh); });
    // Peer lookup: QCustomPlot's selectTest on every class graph (200 queries), with the pixmap markers
    // (a graph without a scatter style has no points to find).
    const int peerQueries = 200;
    t.start();
    for (int i = 0; i < peerQueries; ++i) {
        double best = 1e300;
        for (int g = legendGraphs; g < plot->graphCount(); ++g) {
            QCPGraph *graph = plot->graph(g);
            QVariant details;
            const double d = graph->selectTest(pixels[size_t(i)], false, &details);
            if (d >= 0 && d < best)
                best = d;
        }
        sink += qint64(best);
    }
    const double peerLookupUs = double(t.nsecsElapsed()) / 1e3 / peerQueries;
    restyle([](const QColor &color) { return QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, PointLayer::kMarkerSize); });
    const double discMs = aes::bench::medianMs(5, [&] { plot->replot(QCustomPlot::rpImmediateRefresh); });

    std::printf("latent map widget, %d points, plot %d x %d px\n", n, plot->width(), plot->height());
    std::printf("full replot, PointLayer (ours)       %8.2f ms   (target <= 16 ms)\n", oursMs);
    std::printf("full replot, QCPGraph pixmap markers %8.2f ms   ratio %.1fx\n", pixmapMs, pixmapMs / oursMs);
    std::printf("full replot, QCPGraph ssDisc markers %8.2f ms   ratio %.1fx\n", discMs, discMs / oursMs);
    std::printf("setMap (graphs rebuilt) + replot     %8.2f ms\n", setMapMs);
    std::printf("hover lookup, kd-tree (ours)         %8.2f us   worst %.0f us (target <= 5 ms)\n", lookupUs, worstLookupUs);
    std::printf("first lookup after a map (index)     %8.2f ms\n", firstLookupMs);
    std::printf("hover lookup, QCPGraph::selectTest   %8.2f us   ratio %.0fx\n", peerLookupUs, peerLookupUs / lookupUs);
    std::printf("mouse move (lookup + overlay)        %8.2f us   (checksum %lld)\n", moveUs, (long long)sink);

    // A large dataset: every image drawn, against the default cap's stated sample.
    const int images = argc > 2 ? std::max(1, QString::fromLocal8Bit(argv[2]).toInt()) : 1000000;
    const aes::LatentSnapshot whole = clusters(images);
    QVector<qint64> rows;
    const double sampleMs = aes::bench::medianMs(5, [&] { rows = aes::sampleMapRows(images, whole.labels, aes::kDefaultMapPoints); });
    aes::LatentSnapshot sampled = whole;
    if (!rows.isEmpty()) {
        sampled.x.clear();
        sampled.y.clear();
        for (qint64 row : rows) {
            sampled.x.append(whole.x[row]);
            sampled.y.append(whole.y[row]);
        }
        sampled.sampleRows = rows;
        sampled.sampledFrom = images;
    }
    LatentMap big;
    big.resize(1200, 800);
    big.show();
    QApplication::processEvents();
    auto *bigPlot = qobject_cast<QCustomPlot *>(big.plotWidget());
    double timings[2][3];  // whole, sampled: setMap + replot, replot, lookup (us)
    for (int which = 0; which < 2; ++which) {
        const aes::LatentSnapshot &shown = which == 0 ? whole : sampled;
        timings[which][0] = aes::bench::medianMs(3, [&] {
            big.setMap(shown);
            bigPlot->replot(QCustomPlot::rpImmediateRefresh);
        });
        timings[which][1] = aes::bench::medianMs(9, [&] { bigPlot->replot(QCustomPlot::rpImmediateRefresh); });
        sink += big.nearestPoint(pixels[0]);
        t.start();
        for (const QPointF &p : pixels)
            sink += big.nearestPoint(p);
        timings[which][2] = double(t.nsecsElapsed()) / 1e3 / double(pixels.size());
    }
    std::printf("\n%d images: all drawn vs a sample of %lld (the default point cap)\n", images,
                (long long)sampled.pointCount());
    std::printf("drawing the sample (sampleMapRows)   %8.2f ms\n", sampleMs);
    std::printf("setMap + replot, all / sample        %8.2f ms / %8.2f ms   ratio %.1fx\n", timings[0][0], timings[1][0],
                timings[0][0] / timings[1][0]);
    std::printf("full replot, all / sample            %8.2f ms / %8.2f ms   ratio %.1fx\n", timings[0][1], timings[1][1],
                timings[0][1] / timings[1][1]);
    std::printf("hover lookup, all / sample           %8.2f us / %8.2f us   ratio %.1fx   (checksum %lld)\n",
                timings[0][2], timings[1][2], timings[0][2] / timings[1][2], (long long)sink);
    return 0;
}
