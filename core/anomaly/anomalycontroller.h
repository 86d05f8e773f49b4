#pragma once
// Scores a dataset's images under a run's model on a thread of its own, so the window stays
// responsive, with progress and cancel; then keeps that model and those images on its thread
// and answers requests for one image's pictures (input, reconstruction, heatmap) there.
// Nothing but values (anomalytypes.h) crosses the thread.
//
// Ownership: owns its thread and, on it, the loaded model and images; the destructor cancels
// scoring, drops pending image requests and waits (scoring stops at its next batch).
// Threads: create and call it from one thread (the GUI thread); its signals arrive there.
// Failure: scored() carries the error (a run or data that cannot be loaded, a torch error)
// or cancelled; an image that cannot be made is not answered. Torch-free: ui/ includes it.

#include "anomaly/anomalytypes.h"
#include "util/jobthread.h"

#include <QObject>

#include <memory>


namespace aes {

class AnomalyController final : public QObject {
    Q_OBJECT
public:
    explicit AnomalyController(QObject *parent = nullptr);
    ~AnomalyController() override;

    bool isScoring() const { return m_scoring; }
    // Scores every image of request.dataPath with the model of request.runDir (a run
    // directory or a checkpoint file); progress() meanwhile, scored() at the end. The
    // images of earlier scores are no longer answered. Returns false while scoring.
    bool scoreFolder(const AnomalyRequest &request);
    // Asks the running scoring to stop; scored() follows with cancelled set.
    void cancel();
    // The pictures of image `row` of the newest successful scores; imageReady() answers.
    // The newest requests are answered first; older ones beyond kMaxPendingImages are dropped.
    void requestImage(qint64 row);
    void clearImageRequests();
    // Which scoreFolder() call the newest scores belong to (AnomalyImage::generation).
    quint64 generation() const { return m_generation; }

    static constexpr int kMaxPendingImages = 256;

Q_SIGNALS:
    // step: "loading" (the run and the images) or "scoring".
    void progress(const QString &step, qint64 done, qint64 total);
    void scored(const aes::AnomalyScores &scores);
    void imageReady(const aes::AnomalyImage &image);

private:
    class Work;  // the thread's state: the loaded run, the queue of image requests
    void onScored(const AnomalyScores &scores);
    void onImage(const AnomalyImage &image);

    std::unique_ptr<JobThread> m_jobs;
    std::shared_ptr<Work> m_work;
    quint64 m_generation = 0;
    bool m_scoring = false;
};

} // namespace aes
