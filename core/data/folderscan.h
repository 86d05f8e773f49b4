#pragma once
// Lists the image files of a dataset folder with their size and modification time: what the
// dataset cache compares to tell a changed folder from an unchanged one.
//
// The rules are the folder loader's (data/folderloader.h): files with an image suffix,
// recursively; hidden files and folders are ignored, symbolic links to folders are not
// followed, links to files are listed (with their target's size and time), FIFOs, sockets and
// broken links are listed too so that they can be named in the report (never opened here).
//
// Memory: one entry per file (its relative path and three numbers), nothing per folder beyond
// the open directory handles of the current path. Threads: any; no shared state.
// Failure: never throws; unreadable subfolders are skipped, an unreadable root gives an error.

#include "data/dataset.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace aes {

struct ScannedFile {
    QByteArray relative;  // path below the root, '/'-separated, as the file system's bytes
    qint64 size = -1;   // bytes; -1 when stat failed (a broken link)
    qint64 mtimeNs = 0; // modification time, nanoseconds since the epoch
    bool regular = false;  // a regular file (or a link to one)
};

struct FolderScan {
    QString root;                // absolute, cleaned
    QVector<ScannedFile> files;  // sorted by relative path (the loader's order)
    QString error;               // the root could not be read; files empty
    bool cancelled = false;
};

// Progress: control->report(filesSeen, 0) about every 4096 files (the total is unknown while
// listing); cancel is polled as often.
FolderScan scanFolder(const QString &root, const LoadControl *control = nullptr);

// The top-level folder of a relative path ("cat/a.png" -> "cat"); empty for a file in the root.
QByteArray classFolderOf(const QByteArray &relative);

// The folder loader's order of paths (QString's: UTF-16 code units), by byte comparison where
// the two agree (no byte >= 0x80), decoding only otherwise. The scan's files are in this order.
bool lessLikeLoader(const QByteArray &a, const QByteArray &b);

} // namespace aes
