#include "data/datasetcache.h"

#include "data/folderloader.h"
#include "data/folderscan.h"
#include "data/imagedecode.h"
#include "data/imageprobe.h"
#include "data/parallelrun.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QLockFile>
#include <QRegularExpression>
#include <QThread>

#include <torch/torch.h>

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aes {

namespace {

constexpr char kMagic[8] = {'A', 'E', 'S', 'D', 'S', 'E', 'T', '\n'};
// Raised whenever the decoding or the layout changes: an older file is rebuilt, not misread.
constexpr quint32 kVersion = 2;
constexpr quint64 kHeaderBytes = 4096;
const QString kNotInClass = QStringLiteral("not in a class folder");

struct Header {
    char magic[8];
    quint32 version;
    quint32 headerBytes;
    quint64 count;
    quint32 channels, height, width, reserved;
    quint64 pixelOffset, pixelBytes, indexOffset, indexBytes;
    quint32 indexCrc;
    quint32 headerCrc;  // of every byte above
};
static_assert(sizeof(Header) < kHeaderBytes);

// One file of the folder as the cache remembers it.
struct Entry {
    QByteArray relative;  // the file system's bytes
    qint64 size = -1;
    qint64 mtimeNs = 0;
    qint64 slot = -1;    // its image in the pixels; -1 when skipped
    qint32 width = 0;    // decoded size (before fitting)
    qint32 height = 0;
    bool gray = false;
    QString reason;      // why it was skipped
};

struct Index {
    QString root;
    QByteArray optionsKey;
    double firstLoadSeconds = 0.0;
    QVector<Entry> entries;  // sorted by relative path
};

// A read-only shared mapping of a whole cache file; the tensors made from it hold it.
struct Mapping {
    void *address = MAP_FAILED;
    size_t length = 0;
    ~Mapping()
    {
        if (address != MAP_FAILED)
            munmap(address, length);
    }
    const uchar *bytes() const { return static_cast<const uchar *>(address); }
};

struct OpenedCache {
    std::shared_ptr<Mapping> mapping;
    Header header{};
    Index index;
};

quint32 crc(const void *data, size_t length)
{
    uLong c = crc32(0L, Z_NULL, 0);
    const auto *p = static_cast<const Bytef *>(data);
    while (length > 0) {  // zlib takes 32-bit lengths
        const uInt chunk = uInt(std::min<size_t>(length, 1u << 30));
        c = crc32(c, p, chunk);
        p += chunk;
        length -= chunk;
    }
    return quint32(c);
}

quint32 headerCrc(const Header &h)
{
    return crc(&h, offsetof(Header, headerCrc));
}

// What fixes the pixels: the shape options and the limits that decide what is skipped.
QByteArray optionsKey(const LoadOptions &options)
{
    QJsonObject json = options.toJson();
    json.insert(QStringLiteral("max_pixels"), double(options.maxPixels));
    json.insert(QStringLiteral("max_file_bytes"), double(options.maxFileBytes));
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

// The index: plain little-endian records read with pointer arithmetic (QDataStream was a third
// of a 70k-file reopen). Strings are a 32-bit length and their bytes.
class IndexWriter {
public:
    template <typename T> void number(T v) { m_bytes.append(reinterpret_cast<const char *>(&v), sizeof v); }
    void bytes(const QByteArray &b)
    {
        number(quint32(b.size()));
        m_bytes.append(b);
    }
    QByteArray take() { return std::move(m_bytes); }
private:
    QByteArray m_bytes;
};

class IndexReader {
public:
    IndexReader(const char *data, qint64 size) : m_p(data), m_end(data + size) {}
    template <typename T> bool number(T *v)
    {
        if (m_end - m_p < qint64(sizeof(T)))
            return false;
        std::memcpy(v, m_p, sizeof(T));
        m_p += sizeof(T);
        return true;
    }
    bool bytes(QByteArray *b)
    {
        quint32 n = 0;
        if (!number(&n) || m_end - m_p < qint64(n))
            return false;
        *b = QByteArray(m_p, qsizetype(n));
        m_p += n;
        return true;
    }
    bool atEnd() const { return m_p == m_end; }
private:
    const char *m_p;
    const char *m_end;
};

QByteArray serialiseIndex(const Index &index)
{
    IndexWriter out;
    out.bytes(index.root.toUtf8());
    out.bytes(index.optionsKey);
    out.number(index.firstLoadSeconds);
    out.number(qint64(index.entries.size()));
    for (const Entry &e : index.entries) {
        out.bytes(e.relative);
        out.number(e.size);
        out.number(e.mtimeNs);
        out.number(e.slot);
        out.number(e.width);
        out.number(e.height);
        out.number(quint8(e.gray));
        out.bytes(e.reason.toUtf8());
    }
    return out.take();
}

bool parseIndex(const char *data, qint64 size, Index *index)
{
    IndexReader in(data, size);
    QByteArray root;
    qint64 count = 0;
    if (!in.bytes(&root) || !in.bytes(&index->optionsKey) || !in.number(&index->firstLoadSeconds)
        || !in.number(&count) || count < 0 || count > size)
        return false;
    index->root = QString::fromUtf8(root);
    index->entries.resize(count);
    QByteArray reason;
    for (Entry &e : index->entries) {
        quint8 gray = 0;
        if (!in.bytes(&e.relative) || !in.number(&e.size) || !in.number(&e.mtimeNs) || !in.number(&e.slot)
            || !in.number(&e.width) || !in.number(&e.height) || !in.number(&gray) || !in.bytes(&reason))
            return false;
        e.gray = gray != 0;
        if (!reason.isEmpty())
            e.reason = QString::fromUtf8(reason);
    }
    return in.atEnd();
}

// Opens and checks a cache file. nullopt with *problem set when it is missing (problem empty),
// foreign, damaged or made for another folder or options.
std::optional<OpenedCache> readCache(const QString &path, const QString &root, const QByteArray &key,
                                     QString *problem)
{
    problem->clear();
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size < qint64(kHeaderBytes)) {
        ::close(fd);
        *problem = QStringLiteral("it is shorter than its header");
        return std::nullopt;
    }
    OpenedCache cache;
    cache.mapping = std::make_shared<Mapping>();
    cache.mapping->length = size_t(st.st_size);
    cache.mapping->address = mmap(nullptr, cache.mapping->length, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);  // the mapping keeps the file
    if (cache.mapping->address == MAP_FAILED) {
        *problem = QStringLiteral("it cannot be mapped (%1)").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return std::nullopt;
    }
    Header &h = cache.header;
    std::memcpy(&h, cache.mapping->bytes(), sizeof h);
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
        *problem = QStringLiteral("it is not a dataset cache file");
        return std::nullopt;
    }
    if (h.version != kVersion) {
        *problem = QStringLiteral("it was written by another version (%1, this one reads %2)").arg(h.version).arg(kVersion);
        return std::nullopt;
    }
    if (h.headerCrc != headerCrc(h)) {
        *problem = QStringLiteral("its header checksum does not match");
        return std::nullopt;
    }
    const quint64 size = quint64(st.st_size);
    const quint64 slot = quint64(h.channels) * h.height * h.width;
    if (h.headerBytes != kHeaderBytes || h.pixelOffset != kHeaderBytes || (h.channels != 1 && h.channels != 3)
        || h.count == 0 || slot == 0 || h.pixelBytes / slot != h.count || h.pixelBytes % slot != 0
        || h.indexOffset != h.pixelOffset + h.pixelBytes || h.indexBytes > size
        || h.indexOffset + h.indexBytes != size) {
        *problem = size < h.indexOffset + h.indexBytes ? QStringLiteral("it is truncated")
                                                       : QStringLiteral("its sizes do not add up");
        return std::nullopt;
    }
    const uchar *indexBytes = cache.mapping->bytes() + h.indexOffset;
    if (crc(indexBytes, h.indexBytes) != h.indexCrc) {
        *problem = QStringLiteral("its index checksum does not match");
        return std::nullopt;
    }
    if (!parseIndex(reinterpret_cast<const char *>(indexBytes), qint64(h.indexBytes), &cache.index)) {
        *problem = QStringLiteral("its index cannot be read");
        return std::nullopt;
    }
    if (cache.index.root != root || cache.index.optionsKey != key) {
        *problem = QStringLiteral("it belongs to another folder or other load options");
        return std::nullopt;
    }
    for (const Entry &e : cache.index.entries) {
        if (e.slot >= qint64(h.count)) {
            *problem = QStringLiteral("its index points past its pixels");
            return std::nullopt;
        }
    }
    return cache;
}

// True when the cache describes exactly the listed files (same names, sizes and times).
bool unchanged(const Index &index, const FolderScan &scan)
{
    if (index.entries.size() != scan.files.size())
        return false;
    for (qsizetype i = 0; i < scan.files.size(); ++i) {
        const Entry &e = index.entries[i];
        const ScannedFile &f = scan.files[i];
        if (e.size != f.size || e.mtimeNs != f.mtimeNs || e.relative != f.relative)
            return false;
    }
    return true;
}

// The class names of files listed in the loader's order: their top-level folders, sorted as
// the loader sorts them (as QStrings).
template <typename Files, typename Relative>
QStringList classNamesOf(const Files &files, Relative relative)
{
    QStringList names;
    QByteArray last;
    for (const auto &f : files) {
        const QByteArray c = classFolderOf(relative(f));
        if (!c.isEmpty() && c != last) {
            names << QFile::decodeName(c);
            last = c;
        }
    }
    names.removeDuplicates();
    names.sort();
    return names;
}

// The dataset and report of an up-to-date cache.
LoadResult fromCache(const OpenedCache &cache, const QString &path, const QElapsedTimer &timer, qint64 decoded,
                     const QString &note)
{
    LoadResult result;
    const Header &h = cache.header;
    const Index &index = cache.index;
    result.report.source = index.root;
    Dataset d;
    d.source = index.root;
    d.mapped = true;
    std::shared_ptr<Mapping> keep = cache.mapping;
    d.images = torch::from_blob(const_cast<uchar *>(cache.mapping->bytes() + h.pixelOffset),
                                {qint64(h.count), qint64(h.channels), qint64(h.height), qint64(h.width)},
                                [keep](void *) mutable { keep.reset(); }, torch::kByte);
    const QStringList classes = classNamesOf(index.entries, [](const Entry &e) -> const QByteArray & { return e.relative; });
    QHash<QByteArray, int> classIndex;
    for (int c = 0; c < classes.size(); ++c)
        classIndex.insert(QFile::encodeName(classes[c]), c);
    d.labels = torch::full({qint64(h.count)}, -1, torch::kLong);
    int64_t *labels = d.labels.data_ptr<int64_t>();
    d.paths.reserve(qsizetype(h.count));
    const QByteArray prefix = QFile::encodeName(index.root) + '/';
    QByteArray file;
    qint64 lastClass = -1;
    QByteArray lastFolder;
    for (const Entry &e : index.entries) {
        file = prefix + e.relative;
        if (e.slot < 0) {
            result.report.skipped.push_back({QFile::decodeName(file), e.reason});
            continue;
        }
        // Slots follow the sorted entries, so paths line up with the images.
        d.paths << QFile::decodeName(file);
        if (!classes.isEmpty()) {
            const QByteArray folder = classFolderOf(e.relative);
            if (folder != lastFolder || lastClass < 0) {
                lastFolder = folder;
                lastClass = classIndex.value(folder);
            }
            labels[e.slot] = lastClass;
        }
    }
    d.classNames = classes;
    result.report.loaded = int(h.count);
    result.report.cacheFile = path;
    result.report.cacheBytes = qint64(cache.mapping->length);
    result.report.decoded = decoded;
    result.report.cacheNote = note;
    result.report.seconds = timer.elapsed() / 1000.0;
    result.dataset = std::move(d);
    return result;
}

LoadResult failed(const QString &root, const QString &error, const QElapsedTimer &timer)
{
    LoadResult result;
    result.report.source = root;
    result.error = error;
    result.report.seconds = timer.elapsed() / 1000.0;
    return result;
}

// Reads a file's first bytes and probes its size; the whole file when the header runs longer.
std::pair<int, int> probedSize(const QString &path, const LoadOptions &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {0, 0};
    ImageProbe probe = probeImage(file.read(64 * 1024));
    if (!probe.ok()) {
        QString error;
        probe = probeImage(readFileBytes(path, options.maxFileBytes, &error));
    }
    return probe.ok() ? std::pair<int, int>{probe.width, probe.height} : std::pair<int, int>{0, 0};
}

class TempFile {
public:
    explicit TempFile(QString path) : m_path(std::move(path)) {}
    ~TempFile()
    {
        unmap();
        if (m_fd >= 0)
            ::close(m_fd);
        if (!m_committed)
            QFile::remove(m_path);
    }
    // Creates the file with `bytes` allocated on disk (so writes through the mapping cannot
    // hit a full disk) and maps it for writing.
    QString create(quint64 bytes)
    {
        m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (m_fd < 0)
            return QString::fromLocal8Bit(std::strerror(errno));
        if (const int e = posix_fallocate(m_fd, 0, off_t(bytes)); e != 0)
            return QString::fromLocal8Bit(std::strerror(e));
        m_length = size_t(bytes);
        m_address = mmap(nullptr, m_length, PROT_READ | PROT_WRITE, MAP_SHARED, m_fd, 0);
        if (m_address == MAP_FAILED)
            return QString::fromLocal8Bit(std::strerror(errno));
        return {};
    }
    uchar *bytes() { return static_cast<uchar *>(m_address); }
    // Writes header and index, cuts the file to its size, syncs and renames it over target.
    QString commit(const Header &header, const QByteArray &index, const QString &target)
    {
        if (msync(m_address, m_length, MS_SYNC) != 0)
            return QString::fromLocal8Bit(std::strerror(errno));
        unmap();
        const auto writeAll = [&](const void *data, size_t length, quint64 offset) {
            const char *p = static_cast<const char *>(data);
            while (length > 0) {
                const ssize_t n = pwrite(m_fd, p, length, off_t(offset));
                if (n <= 0)
                    return false;
                p += n;
                length -= size_t(n);
                offset += quint64(n);
            }
            return true;
        };
        if (ftruncate(m_fd, off_t(header.indexOffset)) != 0
            || !writeAll(index.constData(), size_t(index.size()), header.indexOffset)
            || !writeAll(&header, sizeof header, 0) || fsync(m_fd) != 0)
            return QString::fromLocal8Bit(std::strerror(errno ? errno : EIO));
        ::close(m_fd);
        m_fd = -1;
        if (::rename(QFile::encodeName(m_path).constData(), QFile::encodeName(target).constData()) != 0)
            return QString::fromLocal8Bit(std::strerror(errno));
        m_committed = true;
        return {};
    }

private:
    void unmap()
    {
        if (m_address != MAP_FAILED)
            munmap(m_address, m_length);
        m_address = MAP_FAILED;
    }
    QString m_path;
    int m_fd = -1;
    void *m_address = MAP_FAILED;
    size_t m_length = 0;
    bool m_committed = false;
};

// Copies one image from a slot of channelsFrom planes to one of channelsTo: the same count is
// copied, gray to RGB repeats the plane, a gray image kept as RGB gives its first plane
// (all three are equal: the file's images were all gray).
void copySlot(const uchar *from, int channelsFrom, uchar *to, int channelsTo, size_t plane)
{
    if (channelsFrom == channelsTo) {
        std::memmove(to, from, plane * size_t(channelsTo));
    } else if (channelsFrom == 1) {
        for (int c = 0; c < channelsTo; ++c)
            std::memmove(to + plane * size_t(c), from, plane);
    } else {
        std::memmove(to, from, plane);
    }
}

// Builds (or refreshes from `old`) the cache file of scan at path. The lock is held.
LoadResult build(const FolderScan &scan, const LoadOptions &options, const QString &path,
                 const std::optional<OpenedCache> &old, const QString &note, const LoadControl *control,
                 const QElapsedTimer &timer)
{
    const QString &root = scan.root;
    const QString cancelled = QStringLiteral("Loading %1 was cancelled").arg(root);
    const QStringList classNames = classNamesOf(scan.files, [](const ScannedFile &f) -> const QByteArray & { return f.relative; });
    const bool labelled = !classNames.isEmpty();
    const qsizetype n = scan.files.size();

    // 1. What can be taken over from the old file: an entry with the same name, size and time
    // that was decoded (an image, or a file the decoder refused).
    Index index;
    index.root = root;
    index.optionsKey = optionsKey(options);
    index.entries.resize(n);
    QVector<qint64> oldEntry(n, -1);
    {
        qsizetype j = 0;
        const QVector<Entry> *oldEntries = old ? &old->index.entries : nullptr;
        for (qsizetype i = 0; i < n; ++i) {
            const ScannedFile &f = scan.files[i];
            Entry &e = index.entries[i];
            e.relative = f.relative;
            e.size = f.size;
            e.mtimeNs = f.mtimeNs;
            if (labelled && classFolderOf(f.relative).isEmpty()) {
                e.reason = kNotInClass;
                continue;
            }
            if (!oldEntries)
                continue;
            while (j < oldEntries->size() && lessLikeLoader((*oldEntries)[j].relative, f.relative))
                ++j;
            if (j < oldEntries->size()) {
                const Entry &o = (*oldEntries)[j];
                if (o.relative == f.relative && o.size == f.size && o.mtimeNs == f.mtimeNs && o.reason != kNotInClass)
                    oldEntry[i] = j;
            }
        }
    }

    // 2. The shape. A given size is used as it is; an automatic one is the most frequent
    // decoded size, taken from the old entries and the new files' headers (checked against
    // the decoded sizes below).
    const int threads = options.threads > 0 ? options.threads : QThread::idealThreadCount();
    const bool autoChannels = options.channels == 0;
    const bool autoSize = options.width <= 0 && options.height <= 0;
    cv::Size size(options.width > 0 ? options.width : options.height,
                  options.height > 0 ? options.height : options.width);
    QVector<std::pair<int, int>> probed(n, {0, 0});
    if (autoSize) {
        QVector<qsizetype> toProbe;
        for (qsizetype i = 0; i < n; ++i)
            if (oldEntry[i] < 0 && index.entries[i].reason.isEmpty())
                toProbe << i;
        std::atomic<qint64> probedCount{0};
        const qint64 probeTotal = toProbe.size();
        const QString bug = runParallel(probeTotal, threads, control, [&](qint64 k) {
            const qsizetype i = toProbe[qsizetype(k)];
            probed[i] = probedSize(root + QLatin1Char('/') + QFile::decodeName(scan.files[i].relative), options);
            if (control)
                control->report(++probedCount, probeTotal);
        });
        if (!bug.isEmpty())
            return failed(root, QStringLiteral("Loading %1 failed: %2").arg(root, bug), timer);
        if (control && control->isCancelled())
            return failed(root, cancelled, timer);
        SizeCounts counts;
        for (qsizetype i = 0; i < n; ++i) {
            if (oldEntry[i] >= 0) {
                const Entry &o = old->index.entries[oldEntry[i]];
                if (o.slot >= 0)
                    ++counts[{o.width, o.height}];
            } else if (probed[i].first > 0) {
                ++counts[probed[i]];
            }
        }
        size = mostFrequentSize(counts);
    }

    for (int attempt = 0; attempt < 2; ++attempt) {
        // Old images fitted to another size cannot be reused; their skip results can.
        const bool oldFits = old && qint64(old->header.width) == size.width && qint64(old->header.height) == size.height;
        QVector<qsizetype> toDecode;
        for (qsizetype i = 0; i < n; ++i) {
            Entry &e = index.entries[i];
            if (e.reason == kNotInClass)
                continue;
            if (oldEntry[i] >= 0) {
                const Entry &o = old->index.entries[oldEntry[i]];
                if (o.slot < 0 || oldFits) {
                    e.slot = o.slot;  // marks "taken over"; renumbered below
                    e.width = o.width;
                    e.height = o.height;
                    e.gray = o.gray;
                    e.reason = o.reason;
                    continue;
                }
            }
            e.slot = -1;
            e.reason.clear();
            toDecode << i;
        }

        // 3. Decode into a slot per file of a temporary file (3 channels while the channel
        // count is automatic), then move the kept images together.
        const int workChannels = autoChannels ? 3 : options.channels;
        // No header could be read: decode anyway, for the reasons (or the sizes the decoder
        // finds, which the check below then adopts).
        if (size.width <= 0 || size.height <= 0)
            size = cv::Size(1, 1);
        const size_t plane = size_t(size.width) * size_t(size.height);
        const size_t workSlot = plane * size_t(workChannels);
        TempFile temp(path + QStringLiteral(".tmp-%1").arg(QCoreApplication::applicationPid()));
        if (const QString e = temp.create(kHeaderBytes + workSlot * size_t(n)); !e.isEmpty()) {
            // Read-only or full disk: the folder still opens, in memory.
            LoadResult result = loadFolder(root, options, control);
            result.report.cacheNote = QStringLiteral("The dataset cache could not be written in %1 (%2); the images "
                                                     "were loaded into memory")
                                          .arg(QFileInfo(path).absolutePath(), e);
            return result;
        }
        uchar *pixels = temp.bytes() + kHeaderBytes;
        if (old) {
            const uchar *from = old->mapping->bytes() + old->header.pixelOffset;
            const int oldChannels = int(old->header.channels);
            for (qsizetype i = 0; i < n; ++i)
                if (index.entries[i].slot >= 0 && oldFits)
                    copySlot(from + size_t(index.entries[i].slot) * plane * size_t(oldChannels), oldChannels,
                             pixels + size_t(i) * workSlot, workChannels, plane);
        }
        std::atomic<qint64> done{0};
        const qint64 total = toDecode.size();
        if (control)
            control->report(0, total);
        const QString bug = runParallel(total, threads, control, [&](qint64 k) {
            const qsizetype i = toDecode[qsizetype(k)];
            DecodedFile d = decodeImageFile(root + QLatin1Char('/') + QFile::decodeName(scan.files[i].relative), options,
                                            autoChannels);
            Entry &e = index.entries[i];
            if (d.pixels.empty()) {
                e.reason = d.reason;
            } else {
                e.width = d.pixels.cols;
                e.height = d.pixels.rows;
                e.gray = d.gray;
                e.slot = i;
                writePlanes(fitImage(d.pixels, workChannels, size.width, size.height, options.resize),
                            pixels + size_t(i) * workSlot);
            }
            if (control)
                control->report(++done, total);
        });
        if (!bug.isEmpty())
            return failed(root, QStringLiteral("Loading %1 failed: %2").arg(root, bug), timer);
        if (control && control->isCancelled())
            return failed(root, cancelled, timer);

        // An automatic size must be the most frequent decoded size (a JPEG's EXIF rotation
        // can differ from its header's): when it is not, everything is fitted again.
        if (autoSize) {
            SizeCounts counts;
            for (const Entry &e : index.entries)
                if (e.slot >= 0)
                    ++counts[{e.width, e.height}];
            const cv::Size decodedSize = mostFrequentSize(counts);
            if (decodedSize != size && attempt == 0 && !counts.empty()) {
                size = decodedSize;
                for (qsizetype i = 0; i < n; ++i)
                    if (oldEntry[i] >= 0 && old->index.entries[oldEntry[i]].slot >= 0)
                        oldEntry[i] = -1;  // decode again at the new size
                continue;
            }
        }

        bool allGray = true;
        qint64 kept = 0;
        for (const Entry &e : index.entries) {
            if (e.slot >= 0) {
                ++kept;
                allGray = allGray && e.gray;
            }
        }
        if (kept == 0)
            break;
        const int channels = autoChannels ? (allGray ? 1 : 3) : options.channels;
        const size_t slot = plane * size_t(channels);
        LoadReport report;
        qint64 k = 0;
        for (qsizetype i = 0; i < n; ++i) {
            Entry &e = index.entries[i];
            if (e.slot < 0)
                continue;
            // Forward only: slot k starts at or before file slot i, so nothing unread is overwritten.
            copySlot(pixels + size_t(i) * workSlot, workChannels, pixels + size_t(k) * slot, channels, plane);
            e.slot = k++;
        }
        index.firstLoadSeconds = timer.elapsed() / 1000.0;
        const QByteArray indexBytes = serialiseIndex(index);
        Header h{};
        std::memcpy(h.magic, kMagic, sizeof kMagic);
        h.version = kVersion;
        h.headerBytes = quint32(kHeaderBytes);
        h.count = quint64(kept);
        h.channels = quint32(channels);
        h.height = quint32(size.height);
        h.width = quint32(size.width);
        h.pixelOffset = kHeaderBytes;
        h.pixelBytes = quint64(kept) * slot;
        h.indexOffset = h.pixelOffset + h.pixelBytes;
        h.indexBytes = quint64(indexBytes.size());
        h.indexCrc = crc(indexBytes.constData(), size_t(indexBytes.size()));
        h.headerCrc = headerCrc(h);
        if (const QString e = temp.commit(h, indexBytes, path); !e.isEmpty()) {
            LoadResult result = loadFolder(root, options, control);
            result.report.cacheNote = QStringLiteral("The dataset cache %1 could not be written (%2); the images "
                                                     "were loaded into memory").arg(path, e);
            return result;
        }
        QString problem;
        std::optional<OpenedCache> written = readCache(path, root, index.optionsKey, &problem);
        if (!written)
            return failed(root, QStringLiteral("The dataset cache %1 cannot be read back: %2").arg(path, problem), timer);
        return fromCache(*written, path, timer, total, note);
    }

    // No usable image: the loader's message, with the skipped files.
    LoadResult result = failed(root, QString(), timer);
    for (const Entry &e : index.entries)
        result.report.skipped.push_back({root + QLatin1Char('/') + QFile::decodeName(e.relative), e.reason});
    result.error = QStringLiteral("No usable image in %1: %2 files skipped (%3)")
                       .arg(root).arg(result.report.skipped.size()).arg(result.report.reasonCounts());
    return result;
}

} // namespace

QString datasetCacheFile(const QString &cacheDir, const QString &folder, const LoadOptions &options)
{
    const QString root = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(root.toUtf8());
    hash.addData(QByteArrayView("\n"));
    hash.addData(optionsKey(options));
    const QString name = QFileInfo(root).fileName().left(40).replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]")),
                                                                     QStringLiteral("_"));
    return QDir(cacheDir).filePath(QStringLiteral("%1-%2.aesdata").arg(name, QString::fromLatin1(hash.result().toHex().left(24))));
}

LoadResult openCachedFolder(const QString &folder, const LoadOptions &options, const QString &cacheDir,
                            const LoadControl *control)
{
    QElapsedTimer timer;
    timer.start();
    // Options the loader refuses are refused with its message.
    if ((options.channels != 0 && options.channels != 1 && options.channels != 3) || options.width < 0
        || options.height < 0)
        return loadFolder(folder, options, control);
    FolderScan scan = scanFolder(folder, control);
    const QString &root = scan.root;
    if (scan.cancelled || (control && control->isCancelled()))
        return failed(root, QStringLiteral("Loading %1 was cancelled").arg(root), timer);
    // No images: a folder of sound clips (not cached: its features depend on the audio
    // options), or nothing to load; the loader says which.
    if (!scan.error.isEmpty() || scan.files.isEmpty())
        return loadFolder(folder, options, control);

    const QString path = datasetCacheFile(cacheDir, root, options);
    const QByteArray key = optionsKey(options);
    QString problem;
    std::optional<OpenedCache> cache = readCache(path, root, key, &problem);
    if (cache && unchanged(cache->index, scan))
        return fromCache(*cache, path, timer, 0, QString());

    // Build or refresh under the lock; another process may have done it meanwhile.
    if (!QDir().mkpath(cacheDir)) {
        LoadResult result = loadFolder(root, options, control);
        result.report.cacheNote = QStringLiteral("The dataset cache folder %1 cannot be created; the images were "
                                                 "loaded into memory").arg(cacheDir);
        return result;
    }
    QLockFile lock(path + QStringLiteral(".lock"));
    lock.setStaleLockTime(0);  // a long build is not stale; a dead owner's lock still is
    while (!lock.tryLock(100)) {
        if (control && control->isCancelled())
            return failed(root, QStringLiteral("Loading %1 was cancelled").arg(root), timer);
        if (lock.error() != QLockFile::LockFailedError) {
            LoadResult result = loadFolder(root, options, control);
            result.report.cacheNote = QStringLiteral("The dataset cache's lock in %1 cannot be taken; the images were "
                                                     "loaded into memory").arg(cacheDir);
            return result;
        }
    }
    cache = readCache(path, root, key, &problem);
    if (cache && unchanged(cache->index, scan))
        return fromCache(*cache, path, timer, 0, QString());
    const QString note = problem.isEmpty() ? QString()
                                           : QStringLiteral("The dataset cache %1 was not used because %2; it was rebuilt.")
                                                 .arg(QDir::toNativeSeparators(path), problem);
    return build(scan, options, path, cache, note, control, timer);
}

} // namespace aes
