#pragma once
// `aestudio-cli encode` and `project`: a run's codes of a dataset as a TSV, and codes (of a run
// or a TSV of vectors) projected to 2-D.
//
// Ownership: results are values. Threads: run on the calling thread; t-SNE and UMAP stop
// through the LayoutControl passed in.
// Failure: never throws; problems come back as a message naming the file or option.

#include "data/dataset.h"
#include "latent/projection.h"

#include <QString>

namespace aes {

struct EncodeJobResult {
    bool ok = false;
    QString error;
    qint64 rows = 0;
    LoadReport report;
};
// Encodes every image of data with the model of runDir (a run directory or a checkpoint
// file) and writes a TSV: header "path<TAB>label<TAB>z0...", one row per image.
// The model runs on device (model/device.h); the codes are written from the host.
EncodeJobResult runEncodeJob(const QString &runDir, const QString &data, const QString &outTsv,
                             const LoadControl::ProgressFn &onLoadProgress = {},
                             const QString &device = QStringLiteral("cpu"));

struct ProjectJobOptions {
    QString input;                 // a run directory (or checkpoint file), or a TSV of vectors
    QString outTsv;
    ProjectionOptions projection;
};
struct ProjectJobResult {
    bool ok = false;
    bool cancelled = false;
    QString error;
    bool fromRun = false;          // input was a run: rows are its dataset's images
    qint64 rows = 0;
    int dims = 0;                  // of the projected vectors
    LoadReport report;             // fromRun: the dataset's load report
    double projectSeconds = 0.0;
};
// Projects the codes of a run's dataset (all images) or the rows of a TSV (one vector per
// row, no header, tab- or space-separated) to 2-D and writes a TSV with one row per input
// row: "path<TAB>label<TAB>x<TAB>y" for a run, "x<TAB>y" for a TSV. t-SNE and UMAP report
// and stop through control.
ProjectJobResult runProjectJob(const ProjectJobOptions &options, LayoutControl *control = nullptr,
                               const LoadControl::ProgressFn &onLoadProgress = {});

} // namespace aes
