#pragma once
// The runs of a folder, as `aestudio-cli runs` (and a runs panel) shows them: each run
// directory's options, how far it trained and its final metrics, read from its checkpoint
// (the CLI's and the GUI's runs alike) and, when the CLI wrote one, summary.json's status.
//
// Ownership: values. Threads: any; the calling thread reads every checkpoint file (options
// and metadata; no model is built), so a folder of large runs takes a moment. Failure: a
// damaged run (a checksum, the options or the history) is listed with
// the reason instead of its figures; a folder that cannot be read gives an empty list.

#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QVector>

namespace aes {

struct RunEntry {
    QString dir;                  // absolute path of the run directory
    QString problem;              // why it could not be read; empty for a readable run
    ModelOptions model;
    TrainOptions train;           // the defaults when the checkpoint holds weights only
    QVector<EpochReport> history;
    // The epoch whose weights the checkpoint holds: early stopping's best when it kept an
    // earlier epoch than the last, else the last epoch (0 before the first).
    int keptEpoch = 0;
    qint64 steps = 0;
    double trainSeconds = 0.0;    // training wall time, validation included
    QString dataset;              // the data it was trained on
    QString status;               // summary.json's "finished", "stopped", ...; empty without one
    QDateTime modified;           // of the checkpoint

    bool ok() const { return problem.isEmpty(); }
    // The figures of the weights the run keeps (keptEpoch's report); NaN before the first epoch.
    EpochReport kept() const;
    // Early stopping kept an earlier epoch than the last one trained.
    bool keptEarlier() const { return !history.isEmpty() && keptEpoch > 0 && keptEpoch < history.last().epoch; }
    QJsonObject toJson() const;
};

// dir itself when it is a run directory, else every run directory directly inside it; newest
// first.
QVector<RunEntry> listRuns(const QString &dir);

} // namespace aes
