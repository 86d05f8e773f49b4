#include "data/folderscan.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aes {

namespace {

// imagedecode.h's isImageFileName (the same suffixes) on the raw name: no decoding for the
// many files of a large folder.
bool hasImageSuffix(const char *name)
{
    const char *dot = std::strrchr(name, '.');
    if (!dot)
        return false;
    char suffix[8];
    size_t n = 0;
    for (const char *p = dot + 1; *p; ++p) {
        if (n == sizeof suffix - 1)
            return false;
        suffix[n++] = char(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    suffix[n] = 0;
    static const char *const kSuffixes[] = {"png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "gif"};
    for (const char *s : kSuffixes)
        if (std::strcmp(suffix, s) == 0)
            return true;
    return false;
}

bool isAscii(const QByteArray &bytes)
{
    for (const char c : bytes)
        if (uchar(c) >= 0x80)
            return false;
    return true;
}

// POSIX directly rather than QDirIterator: one readdir and one fstatat per file, relative to
// an open directory (no path re-resolution), and nanosecond times without QDateTime's
// time-zone work. A 70k-file folder lists in about the time of a plain `find -printf`.
class Walker {
public:
    Walker(FolderScan &scan, const LoadControl *control) : m_scan(scan), m_control(control) {}

    // Lists the folder open as dirFd (taken over and closed), whose relative path is prefix.
    void walk(int dirFd, const QByteArray &prefix)
    {
        DIR *dir = fdopendir(dirFd);
        if (!dir) {
            ::close(dirFd);
            return;
        }
        while (!m_stop) {
            const dirent *entry = readdir(dir);
            if (!entry)
                break;
            const char *name = entry->d_name;
            if (name[0] == '.')  // ".", ".." and hidden entries, as QDirIterator without Hidden
                continue;
            struct stat st {};
            bool isDir = entry->d_type == DT_DIR;
            bool isLink = entry->d_type == DT_LNK;
            if (entry->d_type == DT_UNKNOWN) {  // some file systems do not fill d_type
                if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                    continue;
                isDir = S_ISDIR(st.st_mode);
                isLink = S_ISLNK(st.st_mode);
            }
            const QByteArray relative = prefix.isEmpty() ? QByteArray(name) : prefix + '/' + name;
            if (isDir) {
                const int sub = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0)
                    walk(sub, relative);
                continue;
            }
            if (!hasImageSuffix(name))
                continue;
            ScannedFile file;
            // Follows links: a link's target is what gets decoded. A link to a folder is
            // neither listed nor followed (QDir::Files leaves it out).
            if (fstatat(dirfd(dir), name, &st, 0) == 0) {
                if (S_ISDIR(st.st_mode))
                    continue;
                file.size = st.st_size;
                file.mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
                file.regular = S_ISREG(st.st_mode);
            } else if (!isLink) {
                continue;  // vanished while listing
            }
            file.relative = relative;
            m_scan.files.push_back(std::move(file));
            if ((m_scan.files.size() & 4095) == 0 && m_control) {
                if (m_control->isCancelled()) {
                    m_stop = true;
                    m_scan.cancelled = true;
                }
                m_control->report(m_scan.files.size(), 0);
            }
        }
        closedir(dir);
    }

private:
    FolderScan &m_scan;
    const LoadControl *m_control;
    bool m_stop = false;
};

} // namespace

FolderScan scanFolder(const QString &root, const LoadControl *control)
{
    FolderScan scan;
    scan.root = QDir::cleanPath(QFileInfo(root).absoluteFilePath());
    const int fd = ::open(QFile::encodeName(scan.root).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        scan.error = QStringLiteral("Cannot read the folder %1").arg(scan.root);
        return scan;
    }
    Walker(scan, control).walk(fd, QByteArray());
    if (scan.cancelled) {
        scan.files.clear();
        return scan;
    }
    // The folder loader sorts absolute paths; relative ones under one root sort the same.
    bool ascii = true;
    for (const ScannedFile &f : scan.files)
        ascii = ascii && isAscii(f.relative);
    if (ascii)
        std::sort(scan.files.begin(), scan.files.end(),
                  [](const ScannedFile &a, const ScannedFile &b) { return a.relative < b.relative; });
    else
        std::sort(scan.files.begin(), scan.files.end(),
                  [](const ScannedFile &a, const ScannedFile &b) { return lessLikeLoader(a.relative, b.relative); });
    return scan;
}

QByteArray classFolderOf(const QByteArray &relative)
{
    const qsizetype slash = relative.indexOf('/');
    return slash < 0 ? QByteArray() : relative.left(slash);
}

bool lessLikeLoader(const QByteArray &a, const QByteArray &b)
{
    // For ASCII, byte order is UTF-16 order; past it, QString's comparison decides.
    if (isAscii(a) && isAscii(b))
        return a < b;
    return QFile::decodeName(a) < QFile::decodeName(b);
}

} // namespace aes
