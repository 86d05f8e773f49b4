#include "training/benchmark.h"

#include "model/autoencoder.h"
#include "data/dataset.h"
#include "data/folderloader.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>

#include <sys/resource.h>

namespace aes {

namespace {

struct Shape {
    int width, height, channels;
    QString text() const { return QStringLiteral("%1x%2x%3").arg(width).arg(height).arg(channels); }
};

// Random images: training and encoding speed do not depend on what the pixels show.
Dataset syntheticDataset(qint64 n, const Shape &s)
{
    Dataset d;
    d.images = torch::randint(0, 256, {n, s.channels, s.height, s.width}, torch::kByte);
    d.labels = torch::full({n}, -1, torch::kLong);
    d.source = QStringLiteral("synthetic");
    return d;
}

// Training throughput of one model kind with the default options (batch size, optimizer):
// one epoch to warm up (allocations, oneDNN's kernel choice), then the epoch that is timed.
void benchTraining(ModelKind kind, const Shape &shape, bool quick, BenchmarkResult *result)
{
    TrainOptions train;
    train.epochs = quick ? 1 : 2;
    train.knn = false;
    train.threads = result->threads;
    if (quick)
        train.batchSize = 16;
    const qint64 trainImages = quick ? 32 : (shape.width <= 32 ? 2048 : 512);
    const qint64 valImages = quick ? 4 : 64;
    const Dataset data = syntheticDataset(trainImages + valImages, shape);
    Split split;
    split.train = torch::arange(int64_t(trainImages), torch::kLong);
    split.val = torch::arange(int64_t(trainImages), int64_t(trainImages + valImages), torch::kLong);
    ModelOptions model;
    model.kind = kind;
    QString error;
    const std::unique_ptr<Trainer> trainer = Trainer::create(data, split, model, train, &error);
    if (!trainer) {
        result->errors << QStringLiteral("train %1 %2: %3").arg(toString(kind), shape.text(), error);
        return;
    }
    TrainingControl control;
    const TrainOutcome outcome = trainer->run(control);
    if (outcome.status != TrainStatus::Finished || trainer->history().isEmpty()) {
        result->errors << QStringLiteral("train %1 %2: %3").arg(toString(kind), shape.text(), outcome.message);
        return;
    }
    const double ips = trainer->history().last().imagesPerSecond;
    result->rows.push_back({QStringLiteral("train"), toString(kind), shape.text(), trainImages,
                            ips > 0 ? double(trainImages) / ips : 0.0, ips});
}

void benchEncoding(const Shape &shape, bool quick, BenchmarkResult *result)
{
    const qint64 n = quick ? 64 : (shape.width <= 32 ? 8192 : 1024);
    const Dataset data = syntheticDataset(n, shape);
    ModelOptions o;
    o.channels = shape.channels;
    o.height = shape.height;
    o.width = shape.width;
    Autoencoder model(o);
    model->eval();
    encodeImages(*model, data, torch::arange(int64_t(std::min<qint64>(n, 256)), torch::kLong));  // warm-up
    QElapsedTimer clock;
    clock.start();
    const torch::Tensor codes = encodeImages(*model, data);
    const double seconds = double(clock.nsecsElapsed()) * 1e-9;
    result->rows.push_back({QStringLiteral("encode"), toString(o.kind), shape.text(), codes.size(0), seconds,
                            seconds > 0 ? double(n) / seconds : 0.0});
}

// A folder of PNGs that compress like photos of objects do: smooth shapes, some noise.
bool writeSyntheticFolder(const QString &dir, qint64 n, const Shape &s, QString *error)
{
    cv::RNG rng(1);
    for (qint64 i = 0; i < n; ++i) {
        const QString classDir = QStringLiteral("%1/class%2").arg(dir).arg(i % 10);
        if (i < 10 && !QDir().mkpath(classDir)) {
            *error = QStringLiteral("cannot create %1").arg(classDir);
            return false;
        }
        cv::Mat image(s.height, s.width, s.channels == 1 ? CV_8UC1 : CV_8UC3, cv::Scalar::all(0));
        const cv::Scalar colour(rng.uniform(64, 256), rng.uniform(64, 256), rng.uniform(64, 256));
        cv::ellipse(image, {s.width / 2, s.height / 2},
                    {rng.uniform(s.width / 8, s.width / 2), rng.uniform(s.height / 8, s.height / 2)},
                    rng.uniform(0, 180), 0, 360, colour, -1);
        cv::Mat noise(image.size(), image.type());
        rng.fill(noise, cv::RNG::NORMAL, 0, 12);
        image += noise;
        const QString path = QStringLiteral("%1/%2.png").arg(classDir).arg(i);
        if (!cv::imwrite(path.toStdString(), image)) {
            *error = QStringLiteral("cannot write %1").arg(path);
            return false;
        }
    }
    return true;
}

void benchLoading(const QString &name, const QString &path, const QString &input, int threads,
                  BenchmarkResult *result)
{
    LoadOptions options;
    options.threads = threads;
    QElapsedTimer clock;
    clock.start();
    const LoadResult loaded = loadDataset(path, options);
    const double seconds = double(clock.nsecsElapsed()) * 1e-9;
    if (!loaded.ok()) {
        result->errors << QStringLiteral("load %1: %2").arg(name, loaded.error);
        return;
    }
    const Dataset &d = *loaded.dataset;
    result->rows.push_back({QStringLiteral("load"), name,
                            input.isEmpty() ? QStringLiteral("%1x%2x%3").arg(d.width()).arg(d.height()).arg(d.channels()) : input,
                            d.size(), seconds, seconds > 0 ? double(d.size()) / seconds : 0.0});
}

} // namespace

double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

BenchmarkResult runBenchmark(const BenchmarkOptions &options, const std::function<void(const QString &)> &progress)
{
    BenchmarkResult result;
    QElapsedTimer clock;
    clock.start();
    const auto say = [&](const QString &line) {
        if (progress)
            progress(line);
    };
    try {
        result.threads = setComputeThreads(options.threads);
        torch::manual_seed(1);
        if (!options.loadOnly) {
            const Shape shapes[] = {{28, 28, 1}, {64, 64, 3}};
            for (const Shape &shape : shapes) {
                for (const QString &kindName : modelKindNames()) {
                    say(QStringLiteral("train %1 %2").arg(kindName, shape.text()));
                    benchTraining(*modelKindFromString(kindName), shape, options.quick, &result);
                }
            }
            for (const Shape &shape : shapes) {
                say(QStringLiteral("encode %1").arg(shape.text()));
                benchEncoding(shape, options.quick, &result);
            }
            QTemporaryDir dir;
            const Shape folders[] = {{28, 28, 1}, {64, 64, 3}, {128, 128, 3}};
            const qint64 counts[] = {4000, 1000, 400};
            for (int f = 0; f < 3; ++f) {
                const QString path = dir.filePath(folders[f].text());
                QString error;
                say(QStringLiteral("load %1 PNG folder").arg(folders[f].text()));
                if (!dir.isValid() || !writeSyntheticFolder(path, options.quick ? 20 : counts[f], folders[f], &error)) {
                    result.errors << QStringLiteral("load: %1").arg(dir.isValid() ? error : dir.errorString());
                    break;
                }
                benchLoading(QStringLiteral("png folder"), path, folders[f].text(), result.threads, &result);
            }
        }
        if (!options.loadPath.isEmpty()) {
            say(QStringLiteral("load %1").arg(options.loadPath));
            benchLoading(QStringLiteral("given"), options.loadPath, {}, result.threads, &result);
        } else if (options.loadOnly) {
            result.errors << QStringLiteral("load only: no data given");
        }
    } catch (const std::exception &e) {
        result.errors << QString::fromUtf8(e.what());
    }
    result.seconds = double(clock.nsecsElapsed()) * 1e-9;
    result.peakRssMiB = peakRssMiB();
    return result;
}

QJsonObject toJson(const BenchmarkResult &result)
{
    QJsonObject json{
        {QStringLiteral("threads"), result.threads},
        {QStringLiteral("seconds"), result.seconds},
        {QStringLiteral("peak_rss_mib"), result.peakRssMiB},
        {QStringLiteral("torch"), QStringLiteral(TORCH_VERSION)},
        {QStringLiteral("errors"), QJsonArray::fromStringList(result.errors)},
    };
    QJsonArray sections[3];
    const QString names[] = {QStringLiteral("train"), QStringLiteral("encode"), QStringLiteral("load")};
    for (const BenchmarkRow &row : result.rows) {
        const int s = int(std::find(std::begin(names), std::end(names), row.section) - std::begin(names));
        if (s < 3)
            sections[s].append(QJsonObject{
                {QStringLiteral("name"), row.name},
                {QStringLiteral("input"), row.input},
                {QStringLiteral("images"), double(row.images)},
                {QStringLiteral("seconds"), row.seconds},
                {QStringLiteral("images_per_second"), row.imagesPerSecond},
            });
    }
    for (int s = 0; s < 3; ++s)
        json.insert(names[s], sections[s]);
    return json;
}

} // namespace aes
