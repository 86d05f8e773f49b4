#pragma once
// The dataset cache: a folder's decoded images in one file of uint8 pixels plus an index,
// memory-mapped as the dataset's storage, so that reopening a folder costs a listing (one
// stat per file) and datasets larger than memory train (the OS pages pixels in and out).
//
// One file per (folder, load options) in cacheDir, named by a hash of both:
//   header (4096 bytes: magic, version, shape, offsets, CRC-32 of the index and of the header)
//   pixels (N x C x H x W uint8, the Dataset's layout)
//   index  (the load options, and per file: relative path, size, mtime, slot or skip reason,
//           decoded size and grayness)
// A later open lists the folder and compares size and mtime of every file: an unchanged folder
// is mapped as it is; added, removed or modified files are decoded and merged into a new file
// (the rest is copied from the old one, not decoded again). Files are written to a temporary
// name and renamed, under a lock file, so a second process waits and then maps what the first
// wrote, and a process that maps the old file keeps reading it. A file with a wrong magic,
// version, size or checksum is not trusted: it is rebuilt and report.cacheNote says why.
//
// Threads: any; decoding uses options.threads threads like loadFolder. Progress: listing
// reports (files seen, 0); decoding (done, total) over the files that need it.
// Failure: never throws; the LoadResult carries the error (the same as loadFolder's for a
// folder without usable images). When the cache cannot be written (read-only or full disk)
// the folder is loaded into memory instead and cacheNote says so.

#include "data/dataset.h"

#include <QString>

namespace aes {

LoadResult openCachedFolder(const QString &folder, const LoadOptions &options, const QString &cacheDir,
                            const LoadControl *control = nullptr);

// The cache file of folder opened with options (whether or not it exists).
QString datasetCacheFile(const QString &cacheDir, const QString &folder, const LoadOptions &options);

} // namespace aes
