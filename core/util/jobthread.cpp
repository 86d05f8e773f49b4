#include "util/jobthread.h"

#include <QThread>

namespace aes {

JobThread::JobThread(const QString &name)
{
    m_thread = new QThread;
    m_thread->setObjectName(name);
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    m_thread->start();
}

JobThread::~JobThread()
{
    m_thread->quit();  // after the running job; queued ones are dropped
    m_thread->wait();
    delete m_context;
    delete m_thread;
}

} // namespace aes
