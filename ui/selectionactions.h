#pragma once
// What the Latent tab does with files: the selection's file list (CSV), and copying images
// into a folder (the selection by class, or every image by cluster) on a thread of its own
// with a progress dialog and Cancel; the report names every file that could not be copied.
//
// Rows are dataset rows of a LatentSnapshot (a sampled map's rows included: every image
// selected or clustered is exported, drawn or not).
// Ownership: a QObject; the progress dialog and the report are children of dialogParent.
// Threads: GUI thread; the copy runs on its own JobThread. Destruction cancels a running copy
// and waits for it. Failure: a refused start returns the message (a folder not empty, a copy
// already running); a file that cannot be copied is named in the report, the others copied.

#include "controller/controllertypes.h"
#include "latent/selection.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>

class QProgressDialog;
class QTimer;
class QWidget;

namespace aes {
class JobThread;
}

class SelectionActions final : public QObject {
    Q_OBJECT
public:
    explicit SelectionActions(QWidget *dialogParent, QObject *parent = nullptr);
    ~SelectionActions() override;

    // The file list of rows as CSV: path,label (and distance when distances are given).
    // Written at once (a text file); empty or the message.
    QString exportList(const QString &csvPath, const aes::LatentSnapshot &map, const QVector<qint64> &rows,
                       const QVector<float> &distances);
    // Starts copying rows' files into dir (empty or new), one subfolder per class (unlabelled
    // images at the top); then finished(), and done(result) unless the copy was refused.
    // Empty, or why nothing started.
    QString copyRows(const QString &dir, const aes::LatentSnapshot &map, const QVector<qint64> &rows,
                     const std::function<void(const aes::CopyResult &)> &done = {});
    // Starts copying every image's file into dir, a subfolder per cluster ("cluster-07").
    QString copyClusters(const QString &dir, const aes::LatentSnapshot &map, const QVector<int> &clusters, int k);

    bool busy() const { return m_running; }
    // Stops the running copy after its current file (what was copied stays).
    void cancel();
    // The report of the last copy that ran ("Copied 5 selected images to ..."), and its result.
    QString lastReport() const { return m_report; }
    const aes::CopyResult &lastResult() const { return m_result; }

Q_SIGNALS:
    // A copy ended (done, cancelled or with failures); lastResult() and lastReport() say how.
    void finished();
    // A line for the status bar.
    void message(const QString &text, int timeoutMs);

private:
    QString start(const QString &dir, const QVector<aes::FileCopy> &files, const QString &what,
                  const std::function<void(const aes::CopyResult &)> &done);
    void onFinished(const QString &dir, const QString &what, const aes::CopyResult &result,
                    const std::function<void(const aes::CopyResult &)> &done);

    QWidget *m_dialogParent;
    std::unique_ptr<aes::JobThread> m_jobs;  // started with the first copy
    std::shared_ptr<std::atomic_bool> m_cancel;
    std::shared_ptr<std::atomic<qint64>> m_done;  // files handled, written by the job
    qint64 m_total = 0;
    bool m_running = false;
    QPointer<QProgressDialog> m_progress;
    QTimer *m_poll = nullptr;                // moves the dialog's bar while a copy runs
    QString m_report;
    aes::CopyResult m_result;
};
