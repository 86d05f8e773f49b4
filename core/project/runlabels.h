#pragma once
// Names for runs shown together (the Runs tab's overlay legend, a comparison's sides): each
// run's name followed by only the options in which the runs differ, e.g.
// "run-2 · latent 32 · lr 0.001". An option that does not apply to a run (a vae's beta for a
// conv model, SGD's momentum for Adam) is left out of that run's label and does not make the
// runs differ.
//
// Threads: pure functions; any thread. Torch-free: ui/ includes it.

#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace aes {

struct RunOptions {
    QString name;
    ModelOptions model;
    TrainOptions train;
};

// Per run, the options in which it differs from the others ("latent 32", "lr 0.001", "vae"),
// in a fixed order (model, then training); all empty when the runs agree or there is one.
QVector<QStringList> differingOptions(const QVector<RunOptions> &runs);
// Per run, its name and its differing options joined by " · ".
QStringList runLabels(const QVector<RunOptions> &runs);

} // namespace aes
