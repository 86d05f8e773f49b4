#pragma once
// The engine's own speed table (`aestudio-cli bench`): training images/s of every model kind
// at 28x28 gray and 64x64 RGB, encoding images/s, and folder loading images/s, measured on
// synthetic data made here (and optionally on a folder or IDX file of the user's).
//
// Ownership: plain values. Threads: runBenchmark runs on the calling thread and sets the
// compute threads (setComputeThreads). It takes seconds (quick) to a minute or two.
// Failure: never throws; a section that cannot run leaves its rows out and says why in
// BenchmarkResult::errors.

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace aes {

struct BenchmarkOptions {
    bool quick = false;     // few images and steps: a smoke run for tests, not a measurement
    int threads = 0;        // compute and decoding threads; 0 = every core
    QString loadPath;       // also time loading this folder or IDX file ("load" row "given")
    bool loadOnly = false;  // time only loading loadPath (for the loading benchmark's peak memory)
};

struct BenchmarkRow {
    QString section;        // "train", "encode" or "load"
    QString name;           // model kind, or what was loaded
    QString input;          // "28x28x1" (width x height x channels)
    qint64 images = 0;      // images timed
    double seconds = 0.0;
    double imagesPerSecond = 0.0;
};

struct BenchmarkResult {
    QVector<BenchmarkRow> rows;
    QStringList errors;
    int threads = 0;
    double seconds = 0.0;   // the whole benchmark
    double peakRssMiB = 0.0; // of this process, at the end
};

// progress: one line per row about to be measured (may be empty).
BenchmarkResult runBenchmark(const BenchmarkOptions &options,
                             const std::function<void(const QString &)> &progress = {});

// {"threads", "seconds", "peak_rss_mib", "torch", "errors": [...],
//  "train"/"encode"/"load": [{"name", "input", "images", "seconds", "images_per_second"}]}
QJsonObject toJson(const BenchmarkResult &result);

// Peak resident memory of this process so far, in MiB (getrusage).
double peakRssMiB();

} // namespace aes
