#include "data/folderloader.h"

#include "data/audiofile.h"
#include "data/audiofolder.h"
#include "data/imagedecode.h"
#include "data/imageprobe.h"
#include "data/parallelfor.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QThread>

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace aes {

namespace {

struct Candidate {
    QString path;      // absolute
    QString classDir;  // top-level subfolder, empty for files in the root
};

struct Decoded {
    cv::Mat pixels;  // empty when skipped
    QString reason;  // why it was skipped
    bool gray = false;
};

bool hasImageSuffix(const QFileInfo &info)
{
    static const QSet<QString> suffixes = {
        QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("bmp"),
        QStringLiteral("tif"), QStringLiteral("tiff"), QStringLiteral("webp"), QStringLiteral("gif")};
    return suffixes.contains(info.suffix().toLower());
}

Decoded decodeFile(const QString &path, const LoadOptions &options, bool needGray)
{
    Decoded d;
    try {
        QString error;
        const QByteArray bytes = readFileBytes(path, options.maxFileBytes, &error);
        if (!error.isEmpty()) {
            d.reason = error;
            return d;
        }
        // The header decides before any decoder allocates: a small file may declare a huge image.
        const ImageProbe probe = probeImage(bytes);
        if (!probe.ok()) {
            d.reason = probe.error;
            return d;
        }
        if (probe.pixels() > options.maxPixels) {
            d.reason = QStringLiteral("too large");
            return d;
        }
        if (!imageLooksComplete(bytes, probe.format)) {
            d.reason = QStringLiteral("truncated");
            return d;
        }
        DecodedImage image = decodeImage(bytes);
        if (!image.ok()) {
            // The header was valid, so the decoder failed on the data after it.
            d.reason = image.error == QLatin1String("unreadable") ? QStringLiteral("truncated") : image.error;
            return d;
        }
        d.pixels = std::move(image.pixels);
        d.gray = needGray && isGray(d.pixels);
    } catch (const std::bad_alloc &) {
        d.pixels.release();
        d.reason = QStringLiteral("too large");
    } catch (const std::exception &) {  // cv::Exception from a decoder on hostile data
        d.pixels.release();
        d.reason = QStringLiteral("unreadable");
    }
    return d;
}

// The most frequent size; ties go to the larger area (detail is not thrown away), then to
// the wider one so that the choice never depends on the order of the files.
cv::Size mostFrequentSize(const QVector<Decoded> &decoded, const QVector<int> &kept)
{
    std::map<std::pair<int, int>, int> counts;  // (width, height) -> images
    for (int i : kept)
        ++counts[{decoded[i].pixels.cols, decoded[i].pixels.rows}];
    std::pair<int, int> best{0, 0};
    int bestCount = 0;
    for (const auto &[size, count] : counts) {
        const qint64 area = qint64(size.first) * size.second;
        const qint64 bestArea = qint64(best.first) * best.second;
        if (count > bestCount || (count == bestCount && (area > bestArea || (area == bestArea && size > best)))) {
            best = size;
            bestCount = count;
        }
    }
    return {best.first, best.second};
}

LoadResult failure(LoadResult result, const QString &error, const QElapsedTimer &timer)
{
    result.error = error;
    result.report.seconds = timer.elapsed() / 1000.0;
    return result;
}

} // namespace

LoadResult loadFolder(const QString &folder, const LoadOptions &options, const LoadControl *control)
{
    QElapsedTimer timer;
    timer.start();
    LoadResult result;
    const QString root = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    result.report.source = root;
    if (options.channels != 0 && options.channels != 1 && options.channels != 3)
        return failure(result, QStringLiteral("Channels must be 1, 3 or automatic, not %1").arg(options.channels), timer);
    if (options.width < 0 || options.height < 0)
        return failure(result, QStringLiteral("Image size must not be negative"), timer);
    const QString cancelled = QStringLiteral("Loading %1 was cancelled").arg(root);

    // 1. List candidates. System is needed to see FIFOs and sockets at all (so they can be
    // named in the report); they are never opened. Symlinked folders are not followed.
    QVector<Candidate> candidates;
    QVector<AudioCandidate> clips;  // used when the folder holds sound and no images
    const QDir rootDir(root);
    QDirIterator it(root, QDir::Files | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (control && control->isCancelled())
            return failure(result, cancelled, timer);
        const QString path = it.next();
        const bool image = hasImageSuffix(it.fileInfo());
        if (!image && !isAudioSuffix(it.fileInfo().suffix()))
            continue;
        const QString relative = rootDir.relativeFilePath(path);
        const int slash = relative.indexOf(QLatin1Char('/'));
        const QString classDir = slash < 0 ? QString() : relative.left(slash);
        if (image)
            candidates.push_back({path, classDir});
        else
            clips.push_back({path, classDir});
    }
    // Directory order differs between file systems; sorted paths make every result reproducible.
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate &a, const Candidate &b) { return a.path < b.path; });
    if (candidates.isEmpty() && !clips.isEmpty()) {
        std::sort(clips.begin(), clips.end(),
                  [](const AudioCandidate &a, const AudioCandidate &b) { return a.path < b.path; });
        QStringList clipClasses;
        for (const AudioCandidate &c : clips)
            if (!c.classDir.isEmpty())
                clipClasses << c.classDir;
        clipClasses.removeDuplicates();
        clipClasses.sort();
        return loadAudioFolder(root, clips, clipClasses, options, control);
    }
    if (candidates.isEmpty())
        return failure(result, QStringLiteral("No image or audio files found in %1").arg(root), timer);

    QStringList classNames;
    for (const Candidate &c : candidates) {
        if (!c.classDir.isEmpty())
            classNames << c.classDir;
    }
    classNames.removeDuplicates();
    classNames.sort();
    const bool labelled = !classNames.isEmpty();

    // 2. Decode on every core.
    QVector<Decoded> decoded(candidates.size());
    QVector<int> work;
    for (int i = 0; i < candidates.size(); ++i) {
        if (labelled && candidates[i].classDir.isEmpty())
            decoded[i].reason = QStringLiteral("not in a class folder");
        else
            work << i;
    }
    const int threads = options.threads > 0 ? options.threads : QThread::idealThreadCount();
    const bool needGray = options.channels == 0;
    std::atomic<qint64> done{0};
    const qint64 total = work.size();
    if (control)
        control->report(0, total);
    QString bug = runParallel(total, threads, control, [&](qint64 k) {
        const int i = work[int(k)];
        decoded[i] = decodeFile(candidates[i].path, options, needGray);
        if (control)
            control->report(++done, total);
    });
    if (!bug.isEmpty())
        return failure(result, QStringLiteral("Loading %1 failed: %2").arg(root, bug), timer);
    if (control && control->isCancelled())
        return failure(result, cancelled, timer);

    QVector<int> kept;
    for (int i = 0; i < candidates.size(); ++i) {
        if (decoded[i].pixels.empty())
            result.report.skipped.push_back({candidates[i].path, decoded[i].reason});
        else
            kept << i;
    }
    if (kept.isEmpty())
        return failure(result, QStringLiteral("No usable image in %1: %2 files skipped (%3)")
                                   .arg(root).arg(result.report.skipped.size())
                                   .arg(result.report.reasonCounts()), timer);

    // 3. Choose the tensor's shape: gray only when every image is gray, so no colour is lost.
    int channels = options.channels;
    if (channels == 0) {
        channels = 1;
        for (int i : kept) {
            if (!decoded[i].gray) {
                channels = 3;
                break;
            }
        }
    }
    cv::Size size;
    if (options.width > 0 || options.height > 0) {
        // One given dimension means a square.
        size.width = options.width > 0 ? options.width : options.height;
        size.height = options.height > 0 ? options.height : options.width;
    } else {
        size = mostFrequentSize(decoded, kept);
    }

    // 4. One allocation for the whole dataset; each image is converted into its slot and its
    // decoded copy freed right away, so the peak is the tensor plus the images not yet moved.
    const qint64 n = kept.size();
    const qint64 slotBytes = qint64(channels) * size.width * size.height;
    at::Tensor images;
    try {
        images = at::empty({n, channels, size.height, size.width}, at::kByte);
    } catch (const std::exception &) {
        return failure(result, QStringLiteral("Not enough memory for %1 images of %2x%3x%4 (%5 MiB)")
                                   .arg(n).arg(channels).arg(size.width).arg(size.height)
                                   .arg(n * slotBytes >> 20), timer);
    }
    uint8_t *base = images.data_ptr<uint8_t>();
    bug = runParallel(n, threads, control, [&](qint64 k) {
        Decoded &d = decoded[kept[int(k)]];
        writePlanes(fitImage(d.pixels, channels, size.width, size.height, options.resize),
                    base + k * slotBytes);
        d.pixels.release();
    });
    if (!bug.isEmpty())
        return failure(result, QStringLiteral("Loading %1 failed: %2").arg(root, bug), timer);
    if (control && control->isCancelled())
        return failure(result, cancelled, timer);

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
        const Candidate &c = candidates[kept[int(k)]];
        dataset.paths << c.path;
        if (labelled)
            labels[k] = classIndex.value(c.classDir);
    }
    dataset.classNames = labelled ? classNames : QStringList();

    result.report.loaded = int(n);
    result.report.seconds = timer.elapsed() / 1000.0;
    result.dataset = std::move(dataset);
    if (control)
        control->report(total, total);
    return result;
}

} // namespace aes
