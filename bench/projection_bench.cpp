// Timings of the latent explorer's engine at full size: PCA of 70k x 32 codes (target
// under 0.2 s) and the nearest-point lookup on a 70k-point map (target under 5 ms), plus
// building the map's index. Prints the median of several runs.
// Usage: aes-bench-projection [POINTS] [DIMS]   (OMP_WAIT_POLICY=PASSIVE recommended)

#include "latent/pca.h"
#include "latent/projection.h"
#include "training/trainer.h"

#include "benchutil.h"

#include <torch/torch.h>

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {


} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int64_t n = args.size() > 1 ? args.at(1).toLongLong() : 70000;
    const int64_t d = args.size() > 2 ? args.at(2).toLongLong() : 32;
    const int threads = aes::setComputeThreads(0);
    torch::manual_seed(0);
    // Codes with decaying variances, like a trained latent space.
    const torch::Tensor codes = torch::randn({n, d}) * torch::linspace(3.0, 0.1, d) + torch::randn({d});

    const double pcaMs = aes::bench::medianMs(7, [&] { (void)aes::pca(codes, 2); });
    aes::ProjectionOptions options;
    const double projectMs = aes::bench::medianMs(7, [&] { (void)aes::project(codes, options); });

    const aes::ProjectionResult r = aes::project(codes, options);
    const torch::Tensor layout = r.projection->layout;
    const double indexMs = aes::bench::medianMs(7, [&] { (void)aes::indexLayout(layout); });
    const torch::Tensor queries = torch::rand({100000, 2}) * 20.0 - 10.0;
    const auto q = queries.accessor<float, 2>();
    qint64 sink = 0;
    QElapsedTimer t;
    t.start();
    for (int64_t i = 0; i < queries.size(0); ++i)
        sink += r.projection->nearestPoint(q[i][0], q[i][1]);
    const double lookupUs = t.nsecsElapsed() / 1e3 / double(queries.size(0));
    const double decodeUs = aes::bench::medianMs(101, [&] { (void)r.projection->codeAt(1.0, 2.0); }) * 1e3;

    std::printf("%lld x %lld codes, %d thread(s)\n", (long long)n, (long long)d, threads);
    std::printf("pca (2 components)          %8.1f ms   (target < 200 ms)\n", pcaMs);
    std::printf("project --method pca + index %7.1f ms\n", projectMs);
    std::printf("build 2-D index              %8.1f ms\n", indexMs);
    std::printf("nearest point lookup         %8.2f us   (target < 5 ms; checksum %lld)\n", lookupUs, (long long)sink);
    std::printf("inverse map (codeAt)         %8.2f us\n", decodeUs);
    return 0;
}
