#pragma once
// A run directory as the CLI and the GUI share it: checkpoint.pt and history.csv after every
// epoch, what a checkpoint records about its dataset, and loading a run's model with its
// images as they were in training.
//
// Ownership: results are values (a loaded model is the caller's). Threads: any; each call runs
// on the calling thread. Failure: never throws; problems come
// back as a message naming the file.

#include "data/dataset.h"
#include "model/checkpoint.h"
#include "training/trainoptions.h"

#include <QDir>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace aes {

class Trainer;

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
// means the dataset the run was trained on (the checkpoint names it), narrowed to the classes
// it was trained on.
LoadResult loadDatasetFor(const LoadedCheckpoint &checkpoint, const QString &data = {},
                          const LoadControl::ProgressFn &onLoadProgress = {});
// Loads the checkpoint of runDir (a run directory or a checkpoint file) and, with
// loadDatasetFor, the images of data. The model goes to device (model/device.h: "cpu",
// "auto", "cuda:N"); an unusable device is refused before anything is loaded.
RunDataResult loadRunData(const QString &runDir, const QString &data = {},
                          const LoadControl::ProgressFn &onLoadProgress = {},
                          const QString &device = QStringLiteral("cpu"));

// The training options a checkpoint's training state was made with: nullopt with an empty
// error when it holds weights only (no training state), nullopt and the reason when they are
// damaged.
std::optional<TrainOptions> trainOptionsOf(const LoadedCheckpoint &checkpoint, QString *error);

// What runs record about a dataset (checkpoint metadata, summary.json): source, image count,
// shape and class names.
QJsonObject datasetJson(const Dataset &data);

// The classes a run was trained on (its dataset's class list, which `train --classes`
// narrows); empty when unlabelled.
QStringList trainedClassesOf(const LoadedCheckpoint &checkpoint);

// The load options a checkpoint's dataset was opened with; nullopt and the reason when they
// are damaged.
std::optional<LoadOptions> loadOptionsOf(const LoadedCheckpoint &checkpoint, QString *error);

// Removes the temporary files a save killed half-way leaves beside our run files
// ("checkpoint.pt.AbC123"), so that repeated kills do not fill the directory.
void removeStaleTemporaryFiles(const QDir &dir);

// Whether a new run may be written into dir: yes when it is missing or empty. A directory
// that holds a run (any of its files) is refused unless overwrite, and then its run files are
// removed; a non-empty directory that holds no run is always refused. "" or the reason, which
// names --resume and --overwrite.
QString prepareNewRunDirectory(const QString &dir, bool overwrite);

// The checkpoint file of a run directory, or the path itself when it is a file.
QString checkpointPathOf(const QString &runDirOrFile);
// The run directory of a checkpoint file (its folder), or the path itself when it is a folder.
QString runDirectoryOf(const QString &runDirOrFile);

// What a run's checkpoint carries beside the weights and training state: epoch, step, the
// dataset and how it was loaded (what loadDatasetFor() and resuming read back).
QJsonObject runCheckpointMeta(const Trainer &trainer, const Dataset &data, const LoadOptions &load);
// The files a run directory gets after every epoch: checkpoint.pt and history.csv (each
// written atomically). Used by the CLI and the GUI alike. "" or the first problem.
QString writeRunFiles(const QString &runDir, Trainer &trainer, const Dataset &data, const LoadOptions &load);

} // namespace aes
