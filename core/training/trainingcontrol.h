#pragma once
// Stop, pause and learning-rate changes for a training loop running in another thread.
// Every method is thread-safe; the trainer polls between batches, so one batch bounds
// the latency. stop() also wakes a paused trainer.
// Ownership: owned by whoever starts the loop, and outlives it.

#include <QMutex>
#include <QWaitCondition>

#include <atomic>

namespace aes {

class TrainingControl {
public:
    void stop();
    void pause();
    void resume();
    bool isStopRequested() const { return m_stop.load(); }
    bool isPaused() const;
    // A new learning rate, applied from the next step (the trainer takes it once).
    void setLearningRate(double lr);
    double takeLearningRate();  // <= 0 when none is pending

    // Trainer side: blocks while paused; returns false when a stop was requested.
    bool waitWhilePaused();
    void reset();  // before a new run: not stopped, not paused, no pending rate

private:
    std::atomic_bool m_stop{false};
    std::atomic<double> m_pendingLr{0.0};
    mutable QMutex m_mutex;
    QWaitCondition m_resumed;
    bool m_paused = false;
};

} // namespace aes
