// Timings of "find images like this" and the map's clusters at full size: the exact k = 10
// nearest codes among 70k (target under 20 ms a query), the lasso test over 70k points, and
// k-means (k = 10) over the same codes. Random codes (uniform in [-1, 1]): the search does
// the same work whatever the codes are. Prints the median of several runs.
// Usage: aes-bench-similar [POINTS] [DIMS]   (OMP_WAIT_POLICY=PASSIVE recommended)

#include "latent/kmeans.h"
#include "latent/selection.h"
#include "latent/similar.h"

#include "benchutil.h"

#include <QCoreApplication>
#include <QRandomGenerator>

#include <cmath>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 n = args.size() > 1 ? args.at(1).toLongLong() : 70000;
    const int dims = args.size() > 2 ? args.at(2).toInt() : 32;
    QRandomGenerator rng(1);
    QVector<float> codes(n * dims);
    for (float &v : codes)
        v = float(rng.generateDouble() * 2.0 - 1.0);
    const aes::CodeTable table{codes.constData(), n, dims};

    qint64 query = 0, found = 0;
    const double searchMs = aes::bench::medianMs(51, [&] {
        found += aes::nearestCodes(table, table.row(query), 10).size();
        query = (query + 7919) % n;
    });
    std::printf("similar: %lld codes x %d, k = 10: %.2f ms a query (median of 51)\n", static_cast<long long>(n), dims,
                searchMs);

    QVector<float> x(n), y(n);
    for (qint64 i = 0; i < n; ++i) {
        x[i] = codes[i * dims];
        y[i] = codes[i * dims + 1];
    }
    QPolygonF lasso;
    for (int i = 0; i < 200; ++i) {  // a hand-drawn lasso: 200 corners, a star
        const double a = 2.0 * M_PI * i / 200.0, r = i % 20 < 10 ? 0.8 : 0.4;
        lasso << QPointF(r * std::cos(a), r * std::sin(a));
    }
    qint64 selected = 0;
    const double lassoMs = aes::bench::medianMs(11, [&] { selected = aes::pointsInPolygon(x, y, lasso).size(); });
    std::printf("lasso: %lld points, 200 corners: %.2f ms (%lld selected)\n", static_cast<long long>(n), lassoMs,
                static_cast<long long>(selected));

    aes::KMeansResult clusters;
    const double kmeansMs = aes::bench::medianMs(3, [&] { clusters = aes::kmeans(table, {10, 1, 100}); });
    std::printf("k-means: %lld codes x %d, k = 10: %.0f ms (%d iterations)\n", static_cast<long long>(n), dims, kmeansMs,
                clusters.iterations);
    return found > 0 ? 0 : 1;
}
