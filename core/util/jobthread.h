#pragma once
// A thread for a controller's background jobs (the Runs tab's listing and comparing, the
// Anomalies tab's scoring): jobs posted run on it one after another, in order, as queued calls
// to a context object that lives there.
//
// Ownership: owns its thread. Threads: post() from any thread. Destruction waits for the running
// job to end (cancel it first) and drops the queued ones.

#include <QMetaObject>
#include <QObject>
#include <QString>

#include <utility>

class QThread;

namespace aes {

class JobThread {
public:
    explicit JobThread(const QString &name);
    ~JobThread();
    JobThread(const JobThread &) = delete;
    JobThread &operator=(const JobThread &) = delete;

    template <typename Job>
    void post(Job &&job)
    {
        QMetaObject::invokeMethod(m_context, std::forward<Job>(job), Qt::QueuedConnection);
    }

private:
    QThread *m_thread = nullptr;
    QObject *m_context = nullptr;  // lives in m_thread: posted jobs run there
};

} // namespace aes
