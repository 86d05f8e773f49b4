#include "project/runcompare.h"

#include "data/tensorimage.h"
#include "model/autoencoder.h"
#include "project/rundirectory.h"
#include "training/metrics.h"
#include "util/errormessage.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>
#include <QPainter>

#include <algorithm>
#include <numeric>
#include <random>

namespace aes {

namespace {

constexpr int64_t kBatch = 64;

QString shapeText(const ModelOptions &m)
{
    return QStringLiteral("%1\u00d7%2\u00d7%3").arg(m.channels).arg(m.height).arg(m.width);
}

QString nameOf(const QString &run)
{
    return QFileInfo(runDirectoryOf(run)).fileName();
}

// What B's checkpoint says about its data, against A's: empty when they agree.
QString dataDifference(const LoadedCheckpoint &a, const LoadedCheckpoint &b)
{
    const QJsonObject da = a.meta.value(QStringLiteral("dataset")).toObject();
    const QJsonObject db = b.meta.value(QStringLiteral("dataset")).toObject();
    if (da.value(QStringLiteral("source")) != db.value(QStringLiteral("source")))
        return QStringLiteral("was trained on %1").arg(db.value(QStringLiteral("source")).toString());
    if (da.value(QStringLiteral("classes")) != db.value(QStringLiteral("classes")))
        return QStringLiteral("was trained on other classes of it");
    QString error;
    const std::optional<LoadOptions> la = loadOptionsOf(a, &error), lb = loadOptionsOf(b, &error);
    if (la && lb && la->toJson() != lb->toJson())
        return QStringLiteral("loaded it with other options");
    return {};
}

} // namespace

RunComparison compareRuns(const CompareRequest &request, const std::function<bool()> &cancelled,
                          const std::function<void(const QString &, qint64, qint64)> &progress)
{
    RunComparison out;
    out.request = request;
    const auto stop = [&] { return cancelled && cancelled(); };
    const auto report = [&](const QString &step, qint64 done, qint64 total) {
        if (progress)
            progress(step, done, total);
    };
    try {
        QString error;
        std::optional<LoadedCheckpoint> b = loadCheckpoint(checkpointPathOf(request.runB), &error);
        if (!b) {
            out.error = error;
            return out;
        }
        std::optional<LoadedCheckpoint> a = loadCheckpoint(checkpointPathOf(request.runA), &error);
        if (!a) {
            out.error = error;
            return out;
        }
        const ModelOptions &ma = a->options, &mb = b->options;
        if (ma.channels != mb.channels || ma.height != mb.height || ma.width != mb.width) {
            out.error = QStringLiteral("%1 sees %2 images and %3 %4 images: runs for images of different shapes "
                                       "cannot reconstruct the same images")
                            .arg(nameOf(request.runA), shapeText(ma), nameOf(request.runB), shapeText(mb));
            return out;
        }
        if (const QString differs = dataDifference(*a, *b); !differs.isEmpty())
            out.notes = QStringLiteral("%1 %2; both are shown %3's images.")
                            .arg(nameOf(request.runB), differs, nameOf(request.runA));
        report(QStringLiteral("loading"), 0, 1);
        LoadResult loaded = loadDatasetFor(*a, {}, [&](qint64 done, qint64 total) {
            report(QStringLiteral("loading"), done, total);
        });
        if (!loaded.ok()) {
            out.error = loaded.error;
            return out;
        }
        if (stop()) {
            out.cancelled = true;
            return out;
        }
        const Dataset &data = *loaded.dataset;
        out.source = data.source;
        AutoencoderImpl &modelA = *a->model;
        AutoencoderImpl &modelB = *b->model;
        modelA.eval();
        modelB.eval();

        // A's validation split, as in training (the same seed and fraction give the same split).
        std::optional<TrainOptions> train = trainOptionsOf(*a, &error);
        const TrainOptions options = train.value_or(TrainOptions{});
        const Split split = splitIndices(data.size(), options.valFraction, options.seed);
        torch::Tensor indices = split.val;
        if (!indices.defined() || indices.numel() == 0) {
            indices = split.train;
            out.validation = false;
        }
        indices = indices.slice(0, 0, std::min<int64_t>(indices.numel(), std::max<qint64>(1, request.maxImages)));
        const int64_t n = indices.numel();
        if (n == 0) {
            out.error = QStringLiteral("%1 has no images to compare").arg(data.source);
            return out;
        }

        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> msesA, msesB;
        for (int64_t start = 0; start < n; start += kBatch) {
            if (stop()) {
                out.cancelled = true;
                return out;
            }
            const torch::Tensor batch = indices.slice(0, start, std::min(n, start + kBatch));
            const torch::Tensor x = data.floatBatch(batch);
            msesA.push_back(perImageMse(modelA.forward(x), x).to(torch::kFloat64));
            msesB.push_back(perImageMse(modelB.forward(x), x).to(torch::kFloat64));
            report(QStringLiteral("comparing"), std::min(n, start + kBatch), n);
        }
        const torch::Tensor mseA = torch::cat(msesA).contiguous(), mseB = torch::cat(msesB).contiguous();
        const double *pa = mseA.data_ptr<double>(), *pb = mseB.data_ptr<double>();
        out.compared = n;
        const torch::Tensor compared = indices.contiguous();
        out.indices = QVector<qint64>(compared.data_ptr<int64_t>(), compared.data_ptr<int64_t>() + n);
        for (qint64 index : out.indices)
            out.paths << data.paths.value(int(index));
        out.mseA = QVector<double>(pa, pa + n);
        out.mseB = QVector<double>(pb, pb + n);
        out.meanMseA = mseA.mean().item<double>();
        out.meanMseB = mseB.mean().item<double>();
        for (int64_t i = 0; i < n; ++i) {
            out.aBetter += pa[i] < pb[i];
            out.bBetter += pb[i] < pa[i];
        }

        // The largest differences, then a seeded draw from the rest.
        std::vector<int64_t> order(static_cast<size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t l, int64_t r) { return std::abs(pa[l] - pb[l]) > std::abs(pa[r] - pb[r]); });
        const size_t largest = std::min(order.size(), size_t(std::max(0, request.largest)));
        std::vector<int64_t> rest(order.begin() + ptrdiff_t(largest), order.end());
        std::mt19937_64 rng(request.seed);
        std::shuffle(rest.begin(), rest.end(), rng);
        rest.resize(std::min(rest.size(), size_t(std::max(0, request.random))));
        std::sort(rest.begin(), rest.end());
        std::vector<int64_t> chosen(order.begin(), order.begin() + ptrdiff_t(largest));
        chosen.insert(chosen.end(), rest.begin(), rest.end());
        if (chosen.empty())
            return out;

        const torch::Tensor positions = torch::tensor(chosen, torch::kLong);
        const torch::Tensor rows = indices.index_select(0, positions);
        const torch::Tensor x = data.floatBatch(rows);
        const torch::Tensor ra = modelA.forward(x), rb = modelB.forward(x);
        const int64_t *rowData = rows.contiguous().data_ptr<int64_t>();
        for (size_t k = 0; k < chosen.size(); ++k) {
            ComparedImage image;
            image.index = rowData[k];
            image.path = data.paths.value(int(image.index));
            image.label = data.classNameAt(image.index);
            image.drawn = k >= largest;
            image.input = toImage(data.images[image.index]).copy();
            image.a = floatToImage(ra[int64_t(k)]).copy();
            image.b = floatToImage(rb[int64_t(k)]).copy();
            image.mseA = pa[chosen[k]];
            image.mseB = pb[chosen[k]];
            out.images.append(image);
        }
    } catch (const std::exception &e) {
        out.error = errorMessage(e);
    }
    return out;
}

QImage differenceMap(const QImage &input, const QImage &a, const QImage &b)
{
    if (input.isNull() || input.size() != a.size() || input.size() != b.size())
        return {};
    const QImage x = input.convertToFormat(QImage::Format_RGB888);
    const QImage ia = a.convertToFormat(QImage::Format_RGB888);
    const QImage ib = b.convertToFormat(QImage::Format_RGB888);
    QImage out(input.size(), QImage::Format_RGB32);
    for (int y = 0; y < x.height(); ++y) {
        const uchar *px = x.constScanLine(y), *pa = ia.constScanLine(y), *pb = ib.constScanLine(y);
        auto *po = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int i = 0; i < x.width(); ++i) {
            int sum = 0;
            for (int ch = 0; ch < 3; ++ch)
                sum += std::abs(pa[3 * i + ch] - px[3 * i + ch]) - std::abs(pb[3 * i + ch] - px[3 * i + ch]);
            const double d = sum / 3.0 / 255.0;
            const double t = std::clamp(std::abs(d) / kDifferenceScale, 0.0, 1.0);
            const QRgb c = d < 0 ? kABetterColor : kBBetterColor;
            po[i] = qRgb(int(255 + t * (qRed(c) - 255)), int(255 + t * (qGreen(c) - 255)), int(255 + t * (qBlue(c) - 255)));
        }
    }
    return out;
}

QImage comparisonGrid(const RunComparison &comparison, int minSide)
{
    if (comparison.images.isEmpty())
        return {};
    const QSize size = comparison.images.first().input.size();
    const int factor = std::max(1, minSide / std::max(1, std::max(size.width(), size.height())));
    const QSize cell = size * factor;
    constexpr int kGap = 4;
    QImage grid(kGap + 4 * (cell.width() + kGap), kGap + int(comparison.images.size()) * (cell.height() + kGap),
                QImage::Format_RGB32);
    grid.fill(Qt::white);
    QPainter p(&grid);
    for (int row = 0; row < comparison.images.size(); ++row) {
        const ComparedImage &image = comparison.images[row];
        const QImage parts[] = {image.input, image.a, image.b, differenceMap(image.input, image.a, image.b)};
        for (int k = 0; k < 4; ++k)
            p.drawImage(QRect(QPoint(kGap + k * (cell.width() + kGap), kGap + row * (cell.height() + kGap)), cell),
                        parts[k].scaled(cell, Qt::IgnoreAspectRatio, Qt::FastTransformation));
    }
    return grid;
}

} // namespace aes
