#pragma once
// Whether folders are opened through the dataset cache (data/datasetcache.h), where its files
// live, how much they take and how to clear them.
//
// The setting is process-wide: the CLI (`--no-cache`, `--cache-dir`) and the GUI (its
// option) set it once; every load of a folder (training, encoding, scoring, exports) follows
// it. Off by default, so that tests and library users write no cache unless they ask.
// Threads: any (guarded by a mutex). Torch-free: ui/ includes it.

#include <QString>

namespace aes {

struct DatasetCacheSettings {
    bool enabled = false;
    QString dir;  // empty: defaultDatasetCacheDir()
};

void setDatasetCacheSettings(const DatasetCacheSettings &settings);
DatasetCacheSettings datasetCacheSettings();

// <the user's cache folder>/autoencoder-studio/datasets (XDG_CACHE_HOME, usually ~/.cache):
// shared by aestudio and aestudio-cli, so a folder cached by one opens at once in the other.
QString defaultDatasetCacheDir();
// settings.dir, or the default when it is empty.
QString effectiveCacheDir(const DatasetCacheSettings &settings);

struct DatasetCacheUsage {
    QString dir;
    int files = 0;      // cache files (one per folder and load options)
    qint64 bytes = 0;   // their total size
};
DatasetCacheUsage datasetCacheUsage(const QString &dir);

// Deletes every cache file in dir (not the folder itself), and the temporary files of builds
// whose process is gone. A cache that another process is
// building is left alone (its lock is held). A mapped file stays readable by whoever maps it
// until they let it go (POSIX unlink semantics). Returns the files deleted; *error names one
// that could not be.
int clearDatasetCache(const QString &dir, QString *error = nullptr);

// Human-readable byte counts: "512 B", "3.4 MB", "24.1 GB" (decimal units).
QString byteSizeText(qint64 bytes);

} // namespace aes
