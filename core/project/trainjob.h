#pragma once
// `aestudio-cli train`: load the data, train (or resume) into a run directory, write its files.
//
// Ownership: the result is a value; the control and callbacks are the caller's.
// Threads: runs on the calling thread; stop and pause through the TrainingControl passed in.
// Failure: never throws; problems come back as a message naming the file or option.

#include "data/dataset.h"
#include "model/modeloptions.h"
#include "training/datadefaults.h"
#include "training/distoptions.h"
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
    QStringList classes;           // train on the images of these classes only (empty: all)
    ModelOptions model;
    TrainOptions train;
    // Continue the run of this directory (or checkpoint file) instead: data, load, model and
    // training options come from its checkpoint; runDir defaults to it.
    QString resume;
    int resumeEpochs = 0;          // with resume: the total epochs to reach (0 = as stored)
    // A new run into a runDir that holds one replaces it (else that is refused, as is a
    // non-empty runDir that holds no run).
    bool overwrite = false;
    // The options that follow the data (training/datadefaults.h), set once it is loaded; the
    // CLI marks those the user did not give. Never applied to a resumed run.
    AutoOptions automatic = AutoOptions::none();
    // One rank of a data-parallel run (worldSize > 1): every rank loads the data and trains its
    // share; rank 0 alone writes the run directory.
    DistributedOptions distributed;
};

struct TrainJobCallbacks {
    LoadControl::ProgressFn onLoadProgress;
    std::function<void(const Dataset &, const LoadReport &)> onLoaded;
    std::function<void(const Trainer &)> onModelReady;
    // A data-parallel run has joined its group (before the data is loaded).
    std::function<void(int rank, int worldSize)> onJoined;
    std::function<void(const QString &)> onDefaults;   // what the data's defaults chose, when any
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

} // namespace aes
