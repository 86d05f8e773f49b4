#pragma once
// runParallel: a loop over [0, count) shared by a few threads, for the dataset loaders, and
// what the folder loaders share around it (decodeCandidates, folderDataset).
// Internal to core/data (header-only templates).
//
// Threads: the caller's thread takes part; up to `threads - 1` more are started and joined
// before it returns. Failure: never throws; returns the message of the first exception a
// task let escape (tasks catch what they expect; this keeps a bug from terminating the
// program from a worker thread), and stops the others.

#include "data/dataset.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace aes {

// Runs task(i) for every i in [0, count) on up to `threads` threads (the caller's included).
// Each thread pulls the next index from a shared counter, so a few slow files do not hold up
// a fixed share of the work. Stops early on cancellation.
template <typename Task>
QString runParallel(qint64 count, int threads, const LoadControl *control, Task task)
{
    std::atomic<qint64> next{0};
    std::mutex errorMutex;
    QString firstError;
    auto worker = [&] {
        for (;;) {
            if (control && control->isCancelled())
                return;
            const qint64 i = next.fetch_add(1);
            if (i >= count)
                return;
            try {
                task(i);
            } catch (const std::exception &e) {
                std::lock_guard<std::mutex> lock(errorMutex);
                if (firstError.isEmpty())
                    firstError = QString::fromLocal8Bit(e.what());
                next.store(count);
                return;
            }
        }
    };
    const int n = int(std::clamp<qint64>(threads, 1, std::max<qint64>(count, 1)));
    std::vector<std::thread> pool;
    for (int t = 1; t < n; ++t) {
        try {
            pool.emplace_back(worker);
        } catch (const std::system_error &) {
            break;  // out of threads: the ones started (and the caller) do the work
        }
    }
    worker();
    for (std::thread &t : pool)
        t.join();
    return firstError;
}

// The decoding step of a folder loader: decode(i) for every candidate on `threads` threads,
// with progress reported to control; in a labelled folder (class subfolders) a candidate
// outside every class folder gets notInClass(i) instead. Candidates: a vector of items with
// a classDir. Returns runParallel's message.
template <typename Candidates, typename NotInClass, typename Decode>
QString decodeCandidates(const Candidates &candidates, bool labelled, int threads, const LoadControl *control,
                         NotInClass notInClass, Decode decode)
{
    std::vector<int> work;
    for (int i = 0; i < int(candidates.size()); ++i) {
        if (labelled && candidates[i].classDir.isEmpty())
            notInClass(i);
        else
            work.push_back(i);
    }
    std::atomic<qint64> done{0};
    const qint64 total = qint64(work.size());
    if (control)
        control->report(0, total);
    return runParallel(total, threads, control, [&](qint64 k) {
        decode(work[size_t(k)]);
        if (control)
            control->report(++done, total);
    });
}

// The dataset of a folder's n decoded rows (images: n x C x H x W): row(k) gives row k's
// path and class folder, as a std::pair<QString, QString>. Labels follow classNames' order
// when labelled; unlabelled, every label is -1 and there are no class names.
template <typename Row>
Dataset folderDataset(const at::Tensor &images, const QString &root, const QStringList &classNames, bool labelled,
                      qint64 n, Row row)
{
    Dataset dataset;
    dataset.images = images;
    dataset.labels = at::full({n}, -1, at::kLong);
    dataset.source = root;
    QHash<QString, int> classIndex;
    for (int c = 0; c < classNames.size(); ++c)
        classIndex.insert(classNames[c], c);
    int64_t *labels = dataset.labels.data_ptr<int64_t>();
    dataset.paths.reserve(int(n));
    for (qint64 k = 0; k < n; ++k) {
        const std::pair<QString, QString> r = row(k);
        dataset.paths << r.first;
        if (labelled)
            labels[k] = classIndex.value(r.second);
    }
    dataset.classNames = labelled ? classNames : QStringList();
    return dataset;
}

} // namespace aes
