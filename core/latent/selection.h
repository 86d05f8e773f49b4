#pragma once
// Selections of map points and what a user does with them: which points a lasso or a
// rectangle encloses, the file list of a selection (CSV), and copying the selected images'
// files into folders (by class, or by cluster).
//
// Ownership: results are values; inputs are only read. Threads: any (pure functions and
// file writes; a copy's progress and cancel callbacks run on the copying thread). Failure:
// file functions return a message naming the file and the reason; nothing is copied into a
// folder that already holds files, and a file that cannot be copied is named with its reason
// while the others are copied.
//
// Torch-free: ui/ includes it.

#include <QPolygonF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace aes {

// The rows whose point (x[i], y[i]) lies inside polygon (even-odd rule, as
// QPolygonF::containsPoint(Qt::OddEvenFill)), in row order. include, when set, skips the rows
// it refuses (hidden points). A polygon of fewer than 3 corners encloses nothing.
QVector<qint64> pointsInPolygon(const QVector<float> &x, const QVector<float> &y, const QPolygonF &polygon,
                                const std::function<bool(qint64)> &include = {});
// The rows inside rect (edges included), in row order.
QVector<qint64> pointsInRect(const QVector<float> &x, const QVector<float> &y, const QRectF &rect,
                             const std::function<bool(qint64)> &include = {});

// A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled).
QString csvField(const QString &text);

// The file list of rows: header "path,label" (and ",distance" when distances are given, one
// per row), one line per row; label empty when unlabelled. Written atomically.
QString writeFileList(const QString &csvPath, const QVector<qint64> &rows, const QStringList &files,
                      const QStringList &labels, const QVector<float> &distances = {});

// One file to copy: from source into the subfolder (empty: the top folder).
struct FileCopy {
    QString source;
    QString subfolder;
};
struct CopyFailure {
    QString source;
    QString reason;                    // "no such file", the system's message
};
struct CopyResult {
    QString error;                     // the copy was refused (a folder not empty or not creatable); else empty
    qint64 copied = 0;
    QStringList skipped;               // sources without a file of their own (IDX entries, "file.idx#12")
    QVector<CopyFailure> failed;       // files that could not be copied, each with its reason
    bool cancelled = false;            // stopped before the last file (what was copied stays)
};
// A copy's callbacks, both optional: progress(done, total) after each file; cancelled()
// polled before each file.
struct CopyControl {
    std::function<void(qint64 done, qint64 total)> progress;
    std::function<bool()> cancelled;
};
// Why outDir cannot take a copy (it holds something); empty when it can (empty or new).
QString copyTargetError(const QString &outDir);
// Copies each file into outDir/subfolder/<its file name>; a name already taken there gets
// "-2", "-3", ... before its suffix. outDir is created; one that holds anything is refused,
// so that no user file is ever overwritten. Subfolder names are made safe (no "/" or "..").
CopyResult copyFiles(const QString &outDir, const QVector<FileCopy> &files, const CopyControl &control = {});

} // namespace aes
