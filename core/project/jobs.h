#pragma once
// Whole jobs a user runs from the CLI (and, later, from the GUI's worker):
// train into a run directory, encode a dataset with a trained model, project codes to 2-D.
//
// Threads: run on the calling thread; stop/pause through the controls passed in.
// Failure: never throws; problems come back as a message naming the file or option.

#include "model/checkpoint.h"
#include "data/dataset.h"
#include "model/modeloptions.h"
#include "latent/projection.h"
#include "training/trainer.h"
#include "training/trainoptions.h"

#include <QJsonObject>
#include <QString>

#include <functional>

namespace aes {

class TrainingControl;

struct TrainJobOptions {
    QString data;                  // folder or IDX file
    QString runDir;                // created when missing
    LoadOptions load;
    ModelOptions model;
    TrainOptions train;
    // Continue the run of this directory (or checkpoint file) instead: data, load, model and
    // training options come from its checkpoint; runDir defaults to it.
    QString resume;
    int resumeEpochs = 0;          // with resume: the total epochs to reach (0 = as stored)
};

struct TrainJobCallbacks {
    LoadControl::ProgressFn onLoadProgress;
    std::function<void(const Dataset &, const LoadReport &)> onLoaded;
    std::function<void(const Trainer &)> onModelReady;
    TrainCallbacks training;
};

struct TrainJobResult {
    bool ok = false;               // false: nothing was trained (see error)
    QString error;
    TrainOutcome outcome;
    QJsonObject summary;           // what summary.json holds
};

// Loads the data, trains, and writes history.csv, summary.json, load-report.txt and
// checkpoint.pt into runDir (the checkpoint and history after every epoch). With `resume`,
// continues exactly where that run's checkpoint left off (same seed: same numbers).
TrainJobResult runTrainJob(const TrainJobOptions &options, TrainingControl &control,
                           const TrainJobCallbacks &callbacks = {});

struct EncodeJobResult {
    bool ok = false;
    QString error;
    qint64 rows = 0;
    LoadReport report;
};
// Encodes every image of data with the model of runDir (a run directory or a checkpoint
// file) and writes a TSV: header "path<TAB>label<TAB>z0...", one row per image.
EncodeJobResult runEncodeJob(const QString &runDir, const QString &data, const QString &outTsv,
                             const LoadControl::ProgressFn &onLoadProgress = {});

// A trained model and the images to encode with it, loaded as in training (same size,
// channels and resize mode).
struct RunData {
    LoadedCheckpoint checkpoint;   // the model is in evaluation mode
    Dataset dataset;
};
struct RunDataResult {
    std::optional<RunData> run;    // empty on failure
    LoadReport report;             // of the dataset, when it was opened
    QString error;
};
// The images of data loaded as the checkpoint's model saw them in training; an empty data
// means the dataset the run was trained on (the checkpoint names it).
LoadResult loadDatasetFor(const LoadedCheckpoint &checkpoint, const QString &data = {},
                          const LoadControl::ProgressFn &onLoadProgress = {});
// Loads the checkpoint of runDir (a run directory or a checkpoint file) and, with
// loadDatasetFor, the images of data.
RunDataResult loadRunData(const QString &runDir, const QString &data = {},
                          const LoadControl::ProgressFn &onLoadProgress = {});

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
// row: "path<TAB>label<TAB>x<TAB>y" for a run, "x<TAB>y" for a TSV. t-SNE reports and
// stops through control.
ProjectJobResult runProjectJob(const ProjectJobOptions &options, TsneControl *control = nullptr,
                               const LoadControl::ProgressFn &onLoadProgress = {});

// The training options a checkpoint's training state was made with: nullopt with an empty
// error when it holds weights only (no training state), nullopt and the reason when they are
// damaged.
std::optional<TrainOptions> trainOptionsOf(const LoadedCheckpoint &checkpoint, QString *error);

// The checkpoint file of a run directory, or the path itself when it is a file.
QString checkpointPathOf(const QString &runDirOrFile);

// What a run's checkpoint carries beside the weights and training state: epoch, step, the
// dataset and how it was loaded (what loadDatasetFor() and resuming read back).
QJsonObject runCheckpointMeta(const Trainer &trainer, const Dataset &data, const LoadOptions &load);
// The files a run directory gets after every epoch: checkpoint.pt and history.csv (each
// written atomically). Used by the CLI and the GUI alike. "" or the first problem.
QString writeRunFiles(const QString &runDir, Trainer &trainer, const Dataset &data, const LoadOptions &load);

QJsonObject toJson(const LoadOptions &options);
LoadOptions loadOptionsFromJson(const QJsonObject &json);

} // namespace aes
