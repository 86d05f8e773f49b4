#pragma once
// Runs an export job (TorchScript, ONNX, projector embeddings, images of a run's checkpoint)
// on a thread of its own, so the window stays responsive, with progress and cancel.
//
// Ownership: owns the thread it starts; the destructor cancels a running export and waits
// (the export stops at its next step or encoding batch; no file is left half-written).
// Threads: create and call it from one thread (the GUI thread); its signals arrive there.
// Failure: finished() carries the job's result: ok, cancelled, or the message naming the
// file and the reason. This header is torch-free so that ui/ can include it.

#include "export/exportjob.h"

#include <QMetaType>
#include <QObject>

#include <atomic>
#include <memory>

class QThread;

namespace aes {

class ExportController final : public QObject {
    Q_OBJECT
public:
    explicit ExportController(QObject *parent = nullptr);
    ~ExportController() override;

    bool isRunning() const { return m_thread != nullptr; }
    // Exports runDir's checkpoint (a run directory or a checkpoint file) to targets.
    // Returns false while an export runs.
    bool start(const QString &runDir, const ExportTargets &targets);
    // Asks the running export to stop; finished() follows with cancelled set.
    void cancel();

Q_SIGNALS:
    void progress(const QString &step, int done, int total);
    void finished(const aes::ExportJobResult &result);

private:
    void onFinished(const ExportJobResult &result);

    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic_bool> m_cancel;
};

} // namespace aes

Q_DECLARE_METATYPE(aes::ExportJobResult)
