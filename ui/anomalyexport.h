#pragma once
// What the Anomalies tab writes: the scored list as CSV (path,label,score,flagged) and the
// flagged images copied to a folder under their names relative to the scored folder.
//
// Threads: pure functions over values; any thread (the tab calls them on the GUI thread).
// Failure: "" or a message naming the file; the CSV is written atomically, a copy stops
// at the first file that cannot be copied (the ones before stay).

#include "anomaly/anomalytypes.h"

#include <QString>
#include <QVector>

// The name of image `image` relative to the scored folder ("class/file.png"); for an IDX
// entry, its "file#index".
QString anomalyRelativeName(const aes::AnomalyScores &scores, qint64 image);

// The images in `order` (every row of the list, as shown), flagged when score >= threshold.
QString writeAnomalyCsv(const QString &path, const aes::AnomalyScores &scores, const QVector<qint64> &order,
                        double threshold);

// Copies the files of the images scoring >= threshold under folder, keeping their relative
// names. Refuses an IDX file's entries (not files) and a folder inside the scored data.
QString copyFlaggedImages(const QString &folder, const aes::AnomalyScores &scores, double threshold,
                          int *copied = nullptr);
