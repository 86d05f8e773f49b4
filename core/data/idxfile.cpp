#include "data/idxfile.h"

#include "data/imagedecode.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <opencv2/core.hpp>
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace aes {

namespace {

constexpr quint32 kIdxImages = 0x00000803;
constexpr quint32 kIdxLabels = 0x00000801;
// Nothing this program reads is larger; a header declaring more is forged or corrupt.
constexpr qint64 kMaxIdxBytes = qint64(4) << 30;
// Memory grows in steps of at most this much as data actually arrives.
constexpr qint64 kGrowStep = qint64(64) << 20;

struct GzCloser {
    void operator()(gzFile f) const { if (f) gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

GzFile openGz(const QString &path, const char *mode)
{
    // QFile::encodeName gives the bytes the OS expects for non-ASCII names.
    return GzFile(gzopen(QFile::encodeName(path).constData(), mode));
}

// Reads up to `count` bytes, looping because gzread returns at most INT_MAX at once.
// Returns the number read, or -1 on a gzip error (corrupt or cut-off stream).
qint64 gzReadAll(gzFile f, void *buffer, qint64 count)
{
    qint64 done = 0;
    while (done < count) {
        const unsigned chunk = unsigned(std::min<qint64>(count - done, 1 << 30));
        const int n = gzread(f, static_cast<char *>(buffer) + done, chunk);
        if (n < 0)
            return done > 0 ? done : -1;
        if (n == 0)
            break;
        done += n;
    }
    return done;
}

QString describeShape(const QVector<qint64> &dims)
{
    if (dims.size() == 3)
        return QStringLiteral("%1 images of %2x%3").arg(dims[0]).arg(dims[1]).arg(dims[2]);
    if (dims.size() == 1)
        return QStringLiteral("%1 items").arg(dims[0]);
    QStringList parts;
    for (qint64 d : dims)
        parts << QString::number(d);
    return QStringLiteral("an array of %1").arg(parts.join(QLatin1Char('x')));
}

const QStringList &fashionClassNames()
{
    static const QStringList names = {
        QStringLiteral("T-shirt/top"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
        QStringLiteral("Dress"), QStringLiteral("Coat"), QStringLiteral("Sandal"),
        QStringLiteral("Shirt"), QStringLiteral("Sneaker"), QStringLiteral("Bag"),
        QStringLiteral("Ankle boot")};
    return names;
}

LoadResult failure(LoadResult result, const QString &error)
{
    result.error = error;
    return result;
}

} // namespace

quint32 idxMagic(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return 0;
    GzFile f = openGz(path, "rb");
    unsigned char head[4];
    if (!f || gzReadAll(f.get(), head, 4) != 4)
        return 0;
    return quint32(head[0]) << 24 | quint32(head[1]) << 16 | quint32(head[2]) << 8 | head[3];
}

IdxArray readIdx(const QString &path, const LoadControl *control)
{
    IdxArray result;
    const QString name = QFileInfo(path).fileName();
    auto fail = [&](const QString &why) {
        result.data = at::Tensor();
        result.error = QStringLiteral("%1: %2").arg(name, why);
        return result;
    };
    if (!QFileInfo::exists(path))
        return fail(QStringLiteral("not found"));
    if (!QFileInfo(path).isFile())
        return fail(QStringLiteral("not a regular file"));
    GzFile f = openGz(path, "rb");
    if (!f)
        return fail(QStringLiteral("cannot open"));
    gzbuffer(f.get(), 256 * 1024);

    // A damaged gzip stream fails on the very first read (zlib inflates whole buffers), so
    // short header reads say which of the two it was.
    auto shortRead = [&](const char *what) {
        int code = Z_OK;
        const char *message = gzerror(f.get(), &code);
        if (code != Z_OK && code != Z_BUF_ERROR)
            return fail(QStringLiteral("corrupt data (%1)").arg(QString::fromLocal8Bit(message)));
        return fail(QStringLiteral("truncated: %1").arg(QLatin1String(what)));
    };
    unsigned char head[4];
    if (gzReadAll(f.get(), head, 4) != 4)
        return shortRead("no IDX header");
    result.magic = quint32(head[0]) << 24 | quint32(head[1]) << 16 | quint32(head[2]) << 8 | head[3];
    const int type = head[2];
    const int ndims = head[3];
    if (head[0] != 0 || head[1] != 0 || ndims < 1 || ndims > 4)
        return fail(QStringLiteral("not an IDX file (magic 0x%1)")
                        .arg(result.magic, 8, 16, QLatin1Char('0')));
    if (type != 0x08)
        return fail(QStringLiteral("unsupported IDX data type 0x%1 (only unsigned bytes)")
                        .arg(type, 2, 16, QLatin1Char('0')));

    QVector<qint64> dims;
    qint64 total = 1;
    for (int i = 0; i < ndims; ++i) {
        unsigned char d[4];
        if (gzReadAll(f.get(), d, 4) != 4)
            return shortRead("header cut short");
        const qint64 size = qint64(d[0]) << 24 | qint64(d[1]) << 16 | qint64(d[2]) << 8 | d[3];
        dims << size;
        // Checked before multiplying so that the product cannot overflow (total <= 4 GiB and
        // size < 2^32 would: found by fuzz/fuzz_idx).
        if (size != 0 && total > kMaxIdxBytes / size)
            total = kMaxIdxBytes + 1;
        else
            total *= size;
        if (total > kMaxIdxBytes)
            return fail(QStringLiteral("header declares %1, more than the 4 GiB this program reads")
                            .arg(describeShape(dims)));
    }

    // Grow as data arrives instead of trusting the header: capacity starts at one step and
    // doubles, capped at the declared total, so a valid file ends with exactly one buffer
    // of the right size and a forged one costs no more than the data it really holds.
    if (control)
        control->report(0, total);
    at::Tensor buffer = at::empty({std::min(total, kGrowStep)}, at::kByte);
    qint64 have = 0;
    while (have < total) {
        if (control && control->isCancelled())
            return fail(QStringLiteral("cancelled"));
        if (have == buffer.numel()) {
            at::Tensor bigger = at::empty({std::min(total, 2 * have)}, at::kByte);
            std::memcpy(bigger.data_ptr<uint8_t>(), buffer.data_ptr<uint8_t>(), size_t(have));
            buffer = bigger;
        }
        const qint64 want = std::min(buffer.numel() - have, qint64(4) << 20);
        const qint64 n = gzReadAll(f.get(), buffer.data_ptr<uint8_t>() + have, want);
        if (n < 0) {
            int code = Z_OK;
            const char *message = gzerror(f.get(), &code);
            if (code == Z_BUF_ERROR)  // gzip stream cut off: reported as truncated below
                break;
            return fail(QStringLiteral("corrupt data (%1)").arg(QString::fromLocal8Bit(message)));
        }
        have += n;
        if (control)
            control->report(have, total);
        if (n < want)
            break;
    }
    if (have < total) {
        if (dims.size() == 3 && dims[1] * dims[2] > 0)
            return fail(QStringLiteral("truncated: header says %1 but the file holds fewer (%2 complete)")
                            .arg(describeShape(dims)).arg(have / (dims[1] * dims[2])));
        return fail(QStringLiteral("truncated: header says %1 but the file holds only %2 of %3 bytes")
                        .arg(describeShape(dims)).arg(have).arg(total));
    }
    std::vector<int64_t> shape(dims.begin(), dims.end());
    result.data = buffer.view(shape);
    return result;
}

QString idxLabelsPathFor(const QString &imagesPath)
{
    const QFileInfo info(imagesPath);
    QString name = info.fileName();
    if (name.contains(QLatin1String("images-idx3")))
        name.replace(QLatin1String("images-idx3"), QLatin1String("labels-idx1"));
    else if (name.contains(QLatin1String("images.idx3")))
        name.replace(QLatin1String("images.idx3"), QLatin1String("labels.idx1"));
    else
        return {};
    QStringList candidates = {name};
    if (name.endsWith(QLatin1String(".gz")))
        candidates << name.chopped(3);
    else
        candidates << name + QLatin1String(".gz");
    for (const QString &candidate : candidates) {
        const QString path = info.dir().absoluteFilePath(candidate);
        if (QFileInfo(path).isFile())
            return path;
    }
    return {};
}

LoadResult readIdxImages(const QString &path, const LoadOptions &options, const LoadControl *control)
{
    QElapsedTimer timer;
    timer.start();
    LoadResult result;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    result.report.source = absolute;

    IdxArray images = readIdx(absolute, control);
    if (!images.ok())
        return failure(result, images.error);
    if (images.magic != kIdxImages)
        return failure(result, QStringLiteral("%1: not an IDX images file (magic 0x%2, expected 0x%3)")
                                   .arg(QFileInfo(path).fileName())
                                   .arg(images.magic, 8, 16, QLatin1Char('0'))
                                   .arg(kIdxImages, 8, 16, QLatin1Char('0')));
    const qint64 n = images.data.size(0);
    const int h = int(images.data.size(1));
    const int w = int(images.data.size(2));
    if (n == 0 || h == 0 || w == 0)
        return failure(result, QStringLiteral("No usable image in %1: it holds no images").arg(absolute));
    if (qint64(h) * w > options.maxPixels)
        return failure(result, QStringLiteral("%1: images of %2x%3 are too large")
                                   .arg(QFileInfo(path).fileName()).arg(w).arg(h));

    Dataset dataset;
    dataset.source = absolute;
    dataset.labels = torch::full({n}, -1, torch::kLong);

    const QString labelsPath = idxLabelsPathFor(absolute);
    if (!labelsPath.isEmpty()) {
        IdxArray labels = readIdx(labelsPath);  // small: no progress, and bars must not go back
        QString problem;
        if (!labels.ok())
            problem = labels.error;
        else if (labels.magic != kIdxLabels)
            problem = QStringLiteral("not an IDX labels file");
        else if (labels.data.size(0) != n)
            problem = QStringLiteral("holds %1 labels for %2 images").arg(labels.data.size(0)).arg(n);
        if (problem.isEmpty()) {
            dataset.labels = labels.data.to(torch::kLong);
            const int classes = int(dataset.labels.max().item<int64_t>()) + 1;
            const bool fashion = absolute.contains(QLatin1String("fashion"), Qt::CaseInsensitive);
            if (fashion && classes <= fashionClassNames().size()) {
                dataset.classNames = fashionClassNames();
            } else {
                for (int k = 0; k < classes; ++k)
                    dataset.classNames << QString::number(k);
            }
        } else {
            // Not fatal: the images are still usable, just unlabelled; the report says why.
            result.report.skipped.push_back({labelsPath, QStringLiteral("labels ignored: %1").arg(problem)});
        }
    }

    // N x H x W -> N x 1 x H x W, then the options the folder loader honours too.
    at::Tensor pixels = images.data.unsqueeze(1);
    const int channels = options.channels == 3 ? 3 : 1;
    const int tw = options.width > 0 ? options.width : (options.height > 0 ? options.height : w);
    const int th = options.height > 0 ? options.height : (options.width > 0 ? options.width : h);
    if (tw != w || th != h) {
        at::Tensor out = at::empty({n, channels, th, tw}, at::kByte);
        for (qint64 i = 0; i < n; ++i) {
            if (control && control->isCancelled())
                return failure(result, QStringLiteral("cancelled"));
            const cv::Mat src(h, w, CV_8U, pixels[i].data_ptr<uint8_t>());
            writePlanes(fitImage(src, channels, tw, th, options.resize), out[i].data_ptr<uint8_t>());
        }
        pixels = out;
    } else if (channels == 3) {
        pixels = pixels.expand({n, 3, h, w}).contiguous();
    }
    dataset.images = pixels.contiguous();

    dataset.paths.reserve(int(n));
    for (qint64 i = 0; i < n; ++i)
        dataset.paths << absolute + QLatin1Char('#') + QString::number(i);

    result.report.loaded = int(n);
    result.report.seconds = timer.elapsed() / 1000.0;
    result.dataset = std::move(dataset);
    return result;
}

bool writeIdx(const QString &path, const at::Tensor &data, QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!data.defined() || data.scalar_type() != at::kByte || data.dim() < 1 || data.dim() > 4)
        return fail(QStringLiteral("writeIdx: expected a uint8 tensor of 1 to 4 dimensions"));
    const at::Tensor contiguous = data.contiguous();
    QByteArray header;
    const quint32 magic = 0x0800u | quint32(data.dim());
    for (int shift = 24; shift >= 0; shift -= 8)
        header.append(char((magic >> shift) & 0xFF));
    for (int64_t d : data.sizes()) {
        for (int shift = 24; shift >= 0; shift -= 8)
            header.append(char((quint64(d) >> shift) & 0xFF));
    }
    const QByteArray body = QByteArray::fromRawData(
        reinterpret_cast<const char *>(contiguous.data_ptr<uint8_t>()), qsizetype(contiguous.numel()));

    if (path.endsWith(QLatin1String(".gz"), Qt::CaseInsensitive)) {
        GzFile f = openGz(path, "wb6");
        if (!f)
            return fail(QStringLiteral("cannot write %1").arg(path));
        for (const QByteArray &part : {header, body}) {
            qint64 done = 0;
            while (done < part.size()) {
                const unsigned chunk = unsigned(std::min<qint64>(part.size() - done, 1 << 30));
                const int n = gzwrite(f.get(), part.constData() + done, chunk);
                if (n <= 0)
                    return fail(QStringLiteral("cannot write %1").arg(path));
                done += n;
            }
        }
        if (gzclose(f.release()) != Z_OK)
            return fail(QStringLiteral("cannot write %1").arg(path));
        return true;
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(header) != header.size()
        || file.write(body) != body.size() || !file.flush())
        return fail(QStringLiteral("cannot write %1").arg(path));
    return true;
}

} // namespace aes
