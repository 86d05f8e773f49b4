#include "data/folderloader.h"

#include "data/audiofile.h"
#include "data/audiofolder.h"
#include "data/imagedecode.h"
#include "data/imageprobe.h"
#include "data/parallelrun.h"

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

// The most frequent size of the kept images (the rule is in imagedecode.h).
cv::Size mostFrequentSizeOf(const QVector<DecodedFile> &decoded, const QVector<int> &kept)
{
    SizeCounts counts;
    for (int i : kept)
        ++counts[{decoded[i].pixels.cols, decoded[i].pixels.rows}];
    return mostFrequentSize(counts);
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
        const bool image = isImageFileName(it.fileName());
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
    QVector<DecodedFile> decoded(candidates.size());
    const int threads = options.threads > 0 ? options.threads : QThread::idealThreadCount();
    const bool needGray = options.channels == 0;
    qint64 outside = 0;
    QString bug = decodeCandidates(
        candidates, labelled, threads, control,
        [&](int i) {
            decoded[i].reason = QStringLiteral("not in a class folder");
            ++outside;
        },
        [&](int i) { decoded[i] = decodeImageFile(candidates[i].path, options, needGray); });
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
        size = mostFrequentSizeOf(decoded, kept);
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
        DecodedFile &d = decoded[kept[int(k)]];
        writePlanes(fitImage(d.pixels, channels, size.width, size.height, options.resize),
                    base + k * slotBytes);
        d.pixels.release();
    });
    if (!bug.isEmpty())
        return failure(result, QStringLiteral("Loading %1 failed: %2").arg(root, bug), timer);
    if (control && control->isCancelled())
        return failure(result, cancelled, timer);

    Dataset dataset = folderDataset(images, root, classNames, labelled, n, [&](qint64 k) {
        const Candidate &c = candidates[kept[int(k)]];
        return std::pair<QString, QString>(c.path, c.classDir);
    });

    result.report.loaded = int(n);
    result.report.seconds = timer.elapsed() / 1000.0;
    result.dataset = std::move(dataset);
    if (control)
        control->report(candidates.size() - outside, candidates.size() - outside);
    return result;
}

} // namespace aes
