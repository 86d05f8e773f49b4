#include "project/runscontroller.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QThread>

namespace aes {

RunsController::RunsController(QObject *parent)
    : QObject(parent), m_cancel(std::make_shared<std::atomic_bool>(false))
{
    qRegisterMetaType<RunEntry>();
    qRegisterMetaType<QVector<RunEntry>>();
    qRegisterMetaType<RunComparison>();
    m_jobs = std::make_unique<JobThread>(QStringLiteral("aes-runs"));
}

RunsController::~RunsController()
{
    m_cancel->store(true);
    m_jobs.reset();  // after the running job; queued ones are dropped
}

void RunsController::list(const QString &dir)
{
    QPointer<RunsController> self(this);
    m_jobs->post([self, dir] {
        const QVector<RunEntry> runs = listRuns(dir);
        // Queued: arrives in the controller's thread, dropped if the controller is gone.
        QMetaObject::invokeMethod(self, [self, dir, runs] {
            if (self)
                Q_EMIT self->listed(dir, runs);
        }, Qt::QueuedConnection);
    });
}

bool RunsController::compare(const CompareRequest &request)
{
    if (m_comparing)
        return false;
    m_comparing = true;
    m_cancel->store(false);
    QPointer<RunsController> self(this);
    const std::shared_ptr<std::atomic_bool> cancel = m_cancel;
    m_jobs->post([self, request, cancel] {
        QElapsedTimer sinceReport;
        sinceReport.start();
        const RunComparison result = compareRuns(
            request, [cancel] { return cancel->load(); },
            [self, &sinceReport](const QString &step, qint64 done, qint64 total) {
                // At most ~20 reports a second, and the last of each step.
                if (done < total && sinceReport.elapsed() < 50)
                    return;
                sinceReport.restart();
                QMetaObject::invokeMethod(self, [self, step, done, total] {
                    if (self)
                        Q_EMIT self->progress(step, done, total);
                }, Qt::QueuedConnection);
            });
        QMetaObject::invokeMethod(self, [self, result] {
            if (!self)
                return;
            self->m_comparing = false;
            Q_EMIT self->compared(result);
        }, Qt::QueuedConnection);
    });
    return true;
}

void RunsController::cancelCompare()
{
    m_cancel->store(true);
}

} // namespace aes
