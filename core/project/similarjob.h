#pragma once
// `aestudio-cli similar`: the k images of a dataset whose codes lie nearest to a query
// image's code under a run's model (exact, over every image), written as a table
// "rank, path, label, distance" (tab-separated, or comma-separated for a .csv file).
//
// The query is any image file: decoded and fitted as the dataset's images were (the run's
// channels, size and resize mode); for a dataset of sound clips, any audio file, turned into
// the dataset's spectrogram (its rate, mels, duration and range: data/audiofolder.h). A query whose pixels equal a dataset image's is that image:
// it takes that image's code, so the image itself comes first at distance 0.
//
// Ownership: results are values. Threads: runs on the calling thread.
// Failure: never throws; problems come back as a message naming the file or option.

#include "data/dataset.h"
#include "latent/similar.h"

#include <QString>
#include <QStringList>

namespace aes {

struct SimilarJobOptions {
    QString runDir;                    // a run directory or its checkpoint file
    QString data;                      // image folder or IDX file (empty: the run's own data)
    QString query;                     // an image (or audio) file, inside data or not
    int k = 10;
    QString out;                       // the table to write (empty: none)
    QString device = QStringLiteral("cpu");  // where the model encodes (model/device.h)
};

struct SimilarJobResult {
    bool ok = false;
    QString error;
    LoadReport report;
    QVector<Neighbour> neighbours;     // nearest first
    QStringList paths;                 // of each neighbour
    QStringList labels;                // of each neighbour ("" when unlabelled)
    qint64 queryRow = -1;              // the dataset row with the query's pixels, -1: none
    double searchMs = 0.0;             // the search alone (not loading or encoding)
};
SimilarJobResult runSimilarJob(const SimilarJobOptions &options, const LoadControl::ProgressFn &onLoadProgress = {});

// The table of a result: header "rank<SEP>path<SEP>label<SEP>distance", ranks from 1; SEP is a
// comma for a path ending in .csv (fields quoted as CSV needs), else a tab. Written atomically.
QString writeNeighbourTable(const QString &path, const SimilarJobResult &result);

} // namespace aes
