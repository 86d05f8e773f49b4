#include "export/exportcontroller.h"

#include <QPointer>
#include <QThread>

namespace aes {

ExportController::ExportController(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<ExportJobResult>();
}

ExportController::~ExportController()
{
    if (m_thread) {
        m_cancel->store(true);
        m_thread->wait();
        delete m_thread;
    }
}

bool ExportController::start(const QString &runDir, const ExportTargets &targets)
{
    if (m_thread)
        return false;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    const std::shared_ptr<std::atomic_bool> cancel = m_cancel;
    QPointer<ExportController> self(this);
    m_thread = QThread::create([self, runDir, targets, cancel] {
        const ExportJobResult result = runExportJob(runDir, targets,
            [self](const QString &step, int done, int total) {
                // Queued: arrives in the controller's thread (dropped if it is gone).
                QMetaObject::invokeMethod(self, [self, step, done, total] {
                    if (self)
                        Q_EMIT self->progress(step, done, total);
                }, Qt::QueuedConnection);
            }, cancel.get());
        QMetaObject::invokeMethod(self, [self, result] {
            if (self)
                self->onFinished(result);
        }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("aes-export"));
    m_thread->start();
    return true;
}

void ExportController::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void ExportController::onFinished(const ExportJobResult &result)
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    Q_EMIT finished(result);
}

} // namespace aes
