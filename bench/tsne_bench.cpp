// Our t-SNE alone on a TSV of vectors with a labels file: wall time, the neighbour phase,
// and the leave-one-out kNN(10) accuracy of the layout (the measure of
// bench/tsne_vs_sklearn.py: each point's 10 nearest other points vote, ties go to the
// nearest). For tuning TsneOptions; the side-by-side figures come from tsne_vs_sklearn.py.
// Usage: aes-bench-tsne X.tsv LABELS.txt [key=value ...]
//   keys: iterations, exaggerationIterations, nodes, minBoxes, boxesPerUnit, radius
//         (nearFieldRadius), coarse (coarseNodeSpacing), threads, seed, perplexity,
//         out (a TSV of the layout),
//         accuracy=LAYOUT.tsv: instead of a run, the repulsion of that layout against the
//         exact O(N^2) sums (X.tsv and LABELS.txt are then not read; pass any names)

#include "latent/tsne.h"
#include "latent/tsnegradient.h"
#include "util/threadpolicy.h"

#include <torch/torch.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>

#include <cmath>
#include <cstdio>
#include <vector>

namespace {

std::vector<std::vector<float>> readRows(const QString &path)
{
    std::vector<std::vector<float>> rows;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return rows;
    while (!f.atEnd()) {
        const QList<QByteArray> cells = f.readLine().trimmed().split('\t');
        if (cells.isEmpty() || cells.first().isEmpty())
            continue;
        std::vector<float> row;
        for (const QByteArray &c : cells)
            row.push_back(c.toFloat());
        rows.push_back(std::move(row));
    }
    return rows;
}

double leaveOneOutKnn(const std::vector<float> &layout, const std::vector<int> &labels, int k)
{
    const int64_t n = int64_t(labels.size());
    std::vector<int32_t> idx;
    std::vector<float> d;
    aes::nearestNeighbours(layout.data(), n, 2, k, &idx, &d);
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) {
        int counts[256] = {};
        int best = 0;
        for (int a = 0; a < k; ++a)
            best = std::max(best, ++counts[labels[size_t(idx[size_t(i * k + a)])] & 255]);
        for (int a = 0; a < k; ++a) {
            const int v = labels[size_t(idx[size_t(i * k + a)])];
            if (counts[v & 255] == best) {
                correct += v == labels[size_t(i)];
                break;
            }
        }
    }
    return double(correct) / double(n);
}

// Relative RMS error of the forces and relative error of Z, grid vs exact, and both times.
int repulsionAccuracy(const QString &layoutPath, const aes::TsneOptions &options)
{
    std::vector<double> y;
    for (const auto &row : readRows(layoutPath))
        if (row.size() >= 2) {
            y.push_back(row[row.size() - 2]);
            y.push_back(row[row.size() - 1]);
        }
    if (y.empty()) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(layoutPath));
        return 1;
    }
    std::vector<double> exact, approx;
    QElapsedTimer t;
    t.start();
    const double zExact = aes::tsneExactRepulsion(y, &exact);
    const double exactMs = t.nsecsElapsed() / 1e6;
    aes::TsneRepulsion repulsion(options);
    double z = repulsion.compute(y, &approx);  // first call builds the kernel transform
    t.restart();
    const int runs = qEnvironmentVariableIntValue("RUNS") > 0 ? qEnvironmentVariableIntValue("RUNS") : 5;
    for (int r = 0; r < runs; ++r)
        z = repulsion.compute(y, &approx);
    const double gridMs = t.nsecsElapsed() / 1e6 / runs;
    double err = 0.0, norm = 0.0;
    for (size_t i = 0; i < y.size(); ++i) {
        err += (approx[i] - exact[i]) * (approx[i] - exact[i]);
        norm += exact[i] * exact[i];
    }
    std::printf("%zu points: %s %.2f ms (exact %.0f ms); force error %.2e (relative RMS), Z error %.2e\n",
                y.size() / 2, repulsion.lastSplit() ? "split" : "fine grid", gridMs, exactMs, std::sqrt(err / norm),
                z / zExact - 1.0);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    aes::selectBlasKernels();
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: aes-bench-tsne X.tsv LABELS.txt [key=value ...]\n");
        return 2;
    }
    aes::TsneOptions options;
    int threads = 0;
    QString out, accuracyOf;
    for (int a = 3; a < args.size(); ++a) {
        const QString key = args.at(a).section(QLatin1Char('='), 0, 0), value = args.at(a).section(QLatin1Char('='), 1);
        if (key == QLatin1String("iterations"))
            options.iterations = value.toInt();
        else if (key == QLatin1String("exaggerationIterations"))
            options.exaggerationIterations = value.toInt();
        else if (key == QLatin1String("nodes"))
            options.interpolationNodes = value.toInt();
        else if (key == QLatin1String("minBoxes"))
            options.minBoxes = value.toInt();
        else if (key == QLatin1String("boxesPerUnit"))
            options.boxesPerUnit = value.toDouble();
        else if (key == QLatin1String("radius"))
            options.nearFieldRadius = value.toDouble();
        else if (key == QLatin1String("coarse"))
            options.coarseNodeSpacing = value.toDouble();
        else if (key == QLatin1String("accuracy"))
            accuracyOf = value;
        else if (key == QLatin1String("seed"))
            options.seed = value.toULongLong();
        else if (key == QLatin1String("perplexity"))
            options.perplexity = value.toDouble();
        else if (key == QLatin1String("threads"))
            threads = value.toInt();
        else if (key == QLatin1String("out"))
            out = value;
        else {
            std::fprintf(stderr, "unknown key %s\n", qPrintable(key));
            return 2;
        }
    }
    if (threads > 0)
        at::set_num_threads(threads);
    threads = at::get_num_threads();
    if (!accuracyOf.isEmpty())
        return repulsionAccuracy(accuracyOf, options);
    const auto rows = readRows(args.at(1));
    const auto labelRows = readRows(args.at(2));
    if (rows.empty() || rows.size() != labelRows.size()) {
        std::fprintf(stderr, "cannot read %s / %s or their row counts differ\n", qPrintable(args.at(1)), qPrintable(args.at(2)));
        return 1;
    }
    const int64_t n = int64_t(rows.size()), dims = int64_t(rows.front().size());
    torch::Tensor x = torch::empty({n, dims}, torch::kFloat32);
    std::vector<int> labels;
    for (int64_t i = 0; i < n; ++i) {
        std::copy(rows[size_t(i)].begin(), rows[size_t(i)].end(), x.data_ptr<float>() + i * dims);
        labels.push_back(int(labelRows[size_t(i)].front()));
    }
    const aes::TsneResult r = aes::runTsne(x, options);
    if (!r.ok()) {
        std::fprintf(stderr, "t-SNE failed: %s\n", qPrintable(r.error));
        return 1;
    }
    const torch::Tensor layout = r.layout.contiguous();
    const std::vector<float> y(layout.data_ptr<float>(), layout.data_ptr<float>() + 2 * n);
    const double span = (layout.max() - layout.min()).item<double>();
    std::printf("%lld x %lld, %d thread(s), %d iterations (%d split): %.2f s (neighbours %.2f s), span %.1f, kNN(10) %.4f\n",
                (long long)n, (long long)dims, threads, r.iterations, r.splitIterations, r.seconds, r.neighbourSeconds, span,
                leaveOneOutKnn(y, labels, 10));
    if (!out.isEmpty()) {
        QFile f(out);
        if (f.open(QIODevice::WriteOnly)) {
            QTextStream s(&f);
            for (int64_t i = 0; i < n; ++i)
                s << y[size_t(2 * i)] << '\t' << y[size_t(2 * i + 1)] << '\n';
        }
    }
    return 0;
}
