#pragma once
// The learning rate of every step of a run: constant, cosine with a linear warm-up,
// one-cycle, or reduced on a plateau of the validation loss; and the early-stopping rule.
//
// Formulas (step s of S, 0-based; peak = the options' learning rate):
// - constant: peak.
// - cosine: a linear warm-up over the first W = max(1, round(0.05 S)) steps to peak
//   ((s + 1) / W * peak), then peak * (1 + cos(pi * (s - W) / (S - W))) / 2, down to 0.
// - one-cycle (PyTorch's OneCycleLR defaults): from peak / 25 up to peak over the first 30% of
//   the steps and down to peak / 25 / 1e4 at the end, both halves cosine-shaped.
// - plateau: peak * 0.5^k, where k grows by one each time the validation loss has not improved
//   (by a relative 1e-4) for 2 epochs in a row.
// A rate set by the user at step s rescales the schedule from there: every later rate is
// multiplied by (new rate / scheduled rate at s).
//
// Ownership: a value. Threads: one thread at a time (the trainer's). Torch-free.

#include "training/trainoptions.h"

#include <QJsonObject>

namespace aes {

class LearningRateSchedule {
public:
    LearningRateSchedule(ScheduleKind kind, double peak, qint64 totalSteps);

    // The rate for global step `step` (0-based).
    double at(qint64 step) const;
    // A run continued to more epochs: the schedule spans the new total.
    void setTotalSteps(qint64 totalSteps);
    // The user set lr at step: later rates follow, scaled by lr / at(step).
    void rescale(double lr, qint64 step);
    // After each epoch (plateau): true when the rate was lowered.
    bool epochEnded(double validationLoss);

    // What a checkpoint keeps so that a continued run gets the same rates.
    QJsonObject state() const;
    void restoreState(const QJsonObject &state);

private:
    double shape(qint64 step) const;   // the schedule's factor of peak at step, before scaling

    ScheduleKind m_kind;
    double m_peak;
    qint64 m_total;
    double m_scale = 1.0;
    double m_best = 0.0;
    bool m_hasBest = false;
    int m_badEpochs = 0;
    int m_reductions = 0;
};

// Early stopping: the run ends when the validation loss has not improved by minDelta
// (relative) for patience epochs; the weights of the best epoch are kept.
class EarlyStopping {
public:
    EarlyStopping(int patience, double minDelta) : m_patience(patience), m_minDelta(minDelta) {}
    // The loss of epoch `epoch` (1-based); returns true when it is the best so far.
    bool add(int epoch, double loss);
    bool shouldStop(int epoch) const { return m_bestEpoch > 0 && epoch - m_bestEpoch >= m_patience; }
    int bestEpoch() const { return m_bestEpoch; }
    double bestLoss() const { return m_best; }

private:
    int m_patience;
    double m_minDelta;
    int m_bestEpoch = 0;
    double m_best = 0.0;
};

} // namespace aes
