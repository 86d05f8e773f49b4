#include "data/cachesettings.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QStandardPaths>

#include <cerrno>
#include <mutex>
#include <signal.h>

namespace aes {

namespace {

std::mutex g_mutex;
DatasetCacheSettings g_settings;

const QString kSuffix = QStringLiteral(".aesdata");

} // namespace

void setDatasetCacheSettings(const DatasetCacheSettings &settings)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    g_settings = settings;
}

DatasetCacheSettings datasetCacheSettings()
{
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_settings;
}

QString defaultDatasetCacheDir()
{
    // GenericCacheLocation rather than CacheLocation: the latter adds the program's own name,
    // and the CLI and the GUI should share one cache.
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (base.isEmpty())
        base = QDir::tempPath();
    return QDir(base).filePath(QStringLiteral("autoencoder-studio/datasets"));
}

QString effectiveCacheDir(const DatasetCacheSettings &settings)
{
    return settings.dir.isEmpty() ? defaultDatasetCacheDir() : QDir::cleanPath(QFileInfo(settings.dir).absoluteFilePath());
}

DatasetCacheUsage datasetCacheUsage(const QString &dir)
{
    DatasetCacheUsage usage;
    usage.dir = dir;
    QDirIterator it(dir, {QStringLiteral("*") + kSuffix}, QDir::Files);
    while (it.hasNext()) {
        it.next();
        ++usage.files;
        usage.bytes += it.fileInfo().size();
    }
    return usage;
}

int clearDatasetCache(const QString &dir, QString *error)
{
    int removed = 0;
    QDirIterator it(dir, {QStringLiteral("*") + kSuffix}, QDir::Files);
    while (it.hasNext()) {
        const QString path = it.next();
        QLockFile lock(path + QStringLiteral(".lock"));
        lock.setStaleLockTime(0);
        if (!lock.tryLock(0))
            continue;  // being rebuilt right now
        if (QFile::remove(path))
            ++removed;
        else if (error && error->isEmpty())
            *error = QStringLiteral("Cannot delete %1").arg(QDir::toNativeSeparators(path));
    }
    // Temporary files of builds that were killed (<name>.aesdata.tmp-<pid>, the pid gone).
    QDirIterator temps(dir, {QStringLiteral("*") + kSuffix + QStringLiteral(".tmp-*")}, QDir::Files);
    while (temps.hasNext()) {
        const QString path = temps.next();
        bool ok = false;
        const qint64 pid = path.section(QStringLiteral(".tmp-"), -1).toLongLong(&ok);
        if (ok && pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            QFile::remove(path);
    }
    return removed;
}

QString byteSizeText(qint64 bytes)
{
    if (bytes < 1000)
        return QStringLiteral("%1 B").arg(bytes);
    const char *units[] = {"kB", "MB", "GB", "TB"};
    double v = double(bytes);
    int u = -1;
    while (v >= 1000.0 && u < 3) {
        v /= 1000.0;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(v, 0, 'f', v < 10 ? 1 : 0).arg(QLatin1String(units[u]));
}

} // namespace aes
