#pragma once
// Selections of map points and what a user does with them: which points a lasso or a
// rectangle encloses, the file list of a selection (CSV), and copying the selected images'
// files into folders (by class, or by cluster).
//
// Ownership: results are values; inputs are only read. Threads: any (pure functions and
// file writes). Failure: file functions return a message naming the file and the reason;
// nothing is copied into a folder that already holds files.
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
struct CopyResult {
    QString error;                     // empty on success
    qint64 copied = 0;
    QStringList skipped;               // sources that are no file (IDX entries), or vanished
};
// Copies each file into outDir/subfolder/<its file name>; a name already taken there gets
// "-2", "-3", ... before its suffix. outDir is created; one that holds anything is refused,
// so that no user file is ever overwritten. Subfolder names are made safe (no "/" or "..").
CopyResult copyFiles(const QString &outDir, const QVector<FileCopy> &files);

} // namespace aes
