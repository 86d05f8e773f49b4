#pragma once
// The Runs tab's engine front: lists the runs of a folder and compares two runs on a thread
// of its own, so that reading checkpoints and reconstructing images never blocks the window.
// Nothing but values (runlist.h, runcompare.h) crosses the thread.
//
// Ownership: owns its thread; the destructor cancels a comparison (it stops at its next
// batch) and waits. Threads: create and call it from one thread (the GUI thread); its
// signals arrive there. Failure: a folder that cannot be read lists nothing; damaged runs are
// listed with their problem; compared() carries a comparison's error or cancelled.
// Torch-free: ui/ includes it.

#include "project/runcompare.h"
#include "project/runlist.h"

#include "util/jobthread.h"

#include <QObject>

#include <atomic>
#include <memory>


namespace aes {

class RunsController final : public QObject {
    Q_OBJECT
public:
    explicit RunsController(QObject *parent = nullptr);
    ~RunsController() override;

    // Lists dir (listRuns); listed() answers. Calls queue up behind a running comparison.
    void list(const QString &dir);
    bool isComparing() const { return m_comparing; }
    // Compares two runs (compareRuns); progress() meanwhile, compared() at the end. Returns
    // false while a comparison runs.
    bool compare(const CompareRequest &request);
    // Asks the running comparison to stop; compared() follows with cancelled set.
    void cancelCompare();

Q_SIGNALS:
    void listed(const QString &dir, const QVector<aes::RunEntry> &runs);
    void progress(const QString &step, qint64 done, qint64 total);
    void compared(const aes::RunComparison &comparison);

private:
    std::unique_ptr<JobThread> m_jobs;
    std::shared_ptr<std::atomic_bool> m_cancel;
    bool m_comparing = false;
};

} // namespace aes

Q_DECLARE_METATYPE(aes::RunEntry)
