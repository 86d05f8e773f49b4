#include "training/trainingcontrol.h"

namespace aes {

void TrainingControl::stop()
{
    QMutexLocker lock(&m_mutex);
    m_stop.store(true);
    m_resumed.wakeAll();
}

void TrainingControl::pause()
{
    QMutexLocker lock(&m_mutex);
    m_paused = true;
}

void TrainingControl::resume()
{
    QMutexLocker lock(&m_mutex);
    m_paused = false;
    m_resumed.wakeAll();
}

bool TrainingControl::isPaused() const
{
    QMutexLocker lock(&m_mutex);
    return m_paused;
}

void TrainingControl::setLearningRate(double lr) { m_pendingLr.store(lr); }

double TrainingControl::takeLearningRate() { return m_pendingLr.exchange(0.0); }

bool TrainingControl::waitWhilePaused()
{
    QMutexLocker lock(&m_mutex);
    while (m_paused && !m_stop.load())
        m_resumed.wait(&m_mutex);
    return !m_stop.load();
}

void TrainingControl::reset()
{
    QMutexLocker lock(&m_mutex);
    m_stop.store(false);
    m_paused = false;
    m_pendingLr.store(0.0);
}

} // namespace aes
