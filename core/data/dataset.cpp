#include "data/dataset.h"

#include "data/cachesettings.h"
#include "data/datasetcache.h"
#include "data/folderloader.h"
#include "data/idxfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace aes {

namespace {

constexpr quint32 kIdxImagesMagic = 0x00000803;
constexpr quint32 kIdxLabelsMagic = 0x00000801;

// A uniform integer in [0, bound) from the raw engine output, by rejection. std::mt19937_64
// is fully specified by the standard, but std::uniform_int_distribution and std::shuffle
// are not: libstdc++ and libc++ give different splits for the same seed. This does not.
quint64 uniformBelow(std::mt19937_64 &engine, quint64 bound)
{
    // Reject the top partial bucket so that every residue is equally likely.
    const quint64 threshold = (0 - bound) % bound;  // == 2^64 mod bound
    for (;;) {
        const quint64 r = engine();
        if (r >= threshold)
            return r % bound;
    }
}

bool isGzip(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(2) == QByteArray("\x1f\x8b", 2);
}

LoadResult failedLoad(const QString &path, const QString &error)
{
    LoadResult result;
    result.report.source = path;
    result.error = error;
    return result;
}

} // namespace

qint64 Dataset::size() const
{
    return images.defined() ? images.size(0) : 0;
}

QString Dataset::classNameAt(qint64 index) const
{
    return hasLabels() ? classNameOf(classNames, labels[index].item<int64_t>()) : QString();
}

int Dataset::channels() const
{
    return images.defined() ? int(images.size(1)) : 0;
}

int Dataset::height() const
{
    return images.defined() ? int(images.size(2)) : 0;
}

int Dataset::width() const
{
    return images.defined() ? int(images.size(3)) : 0;
}

at::Tensor Dataset::floatBatch(const at::Tensor &indices) const
{
    // Only the batch is converted: the dataset stays uint8 (4x smaller than float).
    return images.index_select(0, indices.to(torch::kLong)).to(torch::kFloat).div_(255.0);
}

void LoadControl::report(qint64 done, qint64 total) const
{
    if (!m_progress)
        return;
    // Loading threads call this for every file; the callback (often a queued signal) should
    // run about once per percent. The atomic pre-check avoids taking the lock for the rest.
    const qint64 step = std::max<qint64>(1, total / 100);
    const qint64 last = m_lastReport.load();
    const bool restart = done == 0;  // a new load through the same control
    if (!restart && done < total && last >= 0 && done - last < step)
        return;
    std::lock_guard<std::mutex> lock(m_reportMutex);
    const qint64 current = m_lastReport.load();
    // Threads finish out of order: never report going backwards, nor the same value twice.
    if (!restart && current >= 0 && done <= current)
        return;
    if (!restart && done < total && current >= 0 && done - current < step)
        return;
    m_lastReport.store(done);
    m_progress(done, total);
}

LoadResult loadDataset(const QString &path, const LoadOptions &options, const LoadControl *control)
{
    if (path.trimmed().isEmpty())
        return failedLoad(path, QStringLiteral("No dataset path given"));
    const QFileInfo info(path);
    const QString absolute = QDir::cleanPath(info.absoluteFilePath());
    if (!info.exists())
        return failedLoad(absolute, QStringLiteral("Dataset not found: %1").arg(absolute));
    if (info.isDir()) {
        const DatasetCacheSettings cache = datasetCacheSettings();
        return cache.enabled ? openCachedFolder(absolute, options, effectiveCacheDir(cache), control)
                             : loadFolder(absolute, options, control);
    }
    if (!info.isFile())
        return failedLoad(absolute, QStringLiteral("%1 is not a folder or a regular file").arg(absolute));
    const quint32 magic = idxMagic(absolute);
    if (magic == kIdxImagesMagic)
        return readIdxImages(absolute, options, control);
    if (magic == 0 && isGzip(absolute))  // a damaged .gz: let the reader say what is wrong
        return readIdxImages(absolute, options, control);
    if (magic == kIdxLabelsMagic)
        return failedLoad(absolute, QStringLiteral("%1 is an IDX labels file: open the images file "
                                                   "beside it instead").arg(absolute));
    return failedLoad(absolute, QStringLiteral("%1 is neither a folder of images nor an IDX images "
                                               "file (MNIST format)").arg(absolute));
}

std::optional<Dataset> selectClasses(const Dataset &data, const QStringList &classes, QString *error)
{
    if (classes.isEmpty())
        return data;
    if (!data.hasLabels()) {
        *error = QStringLiteral("%1 has no classes to choose from (it is unlabelled)").arg(data.source);
        return std::nullopt;
    }
    // Old label -> new label (-1: dropped), in the dataset's class order.
    std::vector<int64_t> remap(size_t(data.classNames.size()), -1);
    for (const QString &name : classes) {
        const qsizetype index = data.classNames.indexOf(name.trimmed());
        if (index < 0) {
            *error = QStringLiteral("unknown class \"%1\"; the classes of %2 are: %3")
                         .arg(name, data.source, data.classNames.join(QStringLiteral(", ")));
            return std::nullopt;
        }
        remap[size_t(index)] = 0;
    }
    Dataset subset;
    for (size_t i = 0, next = 0; i < remap.size(); ++i)
        if (remap[i] == 0) {
            remap[i] = int64_t(next++);
            subset.classNames << data.classNames[qsizetype(i)];
        }
    if (subset.classNames == data.classNames)
        return data;
    const torch::Tensor labels = data.labels.to(torch::kLong).contiguous();
    const int64_t *l = labels.data_ptr<int64_t>();
    std::vector<int64_t> keep, newLabels;
    for (int64_t i = 0; i < labels.numel(); ++i)
        if (l[i] >= 0 && l[i] < int64_t(remap.size()) && remap[size_t(l[i])] >= 0) {
            keep.push_back(i);
            newLabels.push_back(remap[size_t(l[i])]);
        }
    if (keep.empty()) {
        *error = QStringLiteral("%1 has no image of class %2").arg(data.source, classes.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    if (data.mapped && keep.back() - keep.front() + 1 == int64_t(keep.size())) {
        // One run of rows (a class's files sort together, so one class, or classes next to each
        // other, always are): a view into the mapping, nothing copied into memory.
        subset.images = data.images.slice(0, keep.front(), keep.back() + 1);
        subset.mapped = true;
    } else {
        subset.images = data.images.index_select(0, torch::tensor(keep, torch::kLong)).contiguous();
    }
    subset.labels = torch::tensor(newLabels, torch::kLong);
    for (const int64_t i : keep)
        subset.paths << data.paths[qsizetype(i)];
    subset.source = data.source;
    subset.audio = data.audio;
    return subset;
}

Split splitIndices(qint64 n, double valFraction, quint64 seed)
{
    Split split;
    if (n <= 0) {
        split.train = torch::empty({0}, torch::kLong);
        split.val = torch::empty({0}, torch::kLong);
        return split;
    }
    const qint64 valCount = validationCount(n, valFraction);

    // Fisher-Yates with an explicit bounded draw (see uniformBelow): portable across libraries.
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (qint64 i = 0; i < n; ++i)
        order[size_t(i)] = i;
    std::mt19937_64 engine(seed);
    for (qint64 i = n - 1; i > 0; --i)
        std::swap(order[size_t(i)], order[size_t(uniformBelow(engine, quint64(i) + 1))]);

    // Each part sorted: reading the dataset in order is cache-friendly; a caller that wants a
    // random order shuffles per epoch.
    std::sort(order.begin(), order.begin() + valCount);
    std::sort(order.begin() + valCount, order.end());
    split.val = torch::tensor(std::vector<int64_t>(order.begin(), order.begin() + valCount), torch::kLong);
    split.train = torch::tensor(std::vector<int64_t>(order.begin() + valCount, order.end()), torch::kLong);
    return split;
}

} // namespace aes
