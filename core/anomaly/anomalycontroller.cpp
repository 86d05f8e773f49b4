#include "anomaly/anomalycontroller.h"

#include "anomaly/anomalyscore.h"
#include "model/autoencoder.h"
#include "model/evalmode.h"
#include "project/rundirectory.h"
#include "util/errormessage.h"

#include <torch/torch.h>

#include <QElapsedTimer>
#include <QPointer>
#include <QThread>

#include <atomic>
#include <mutex>
#include <optional>

namespace aes {

// What the thread keeps between calls. The queue and the cancel flag are shared with the
// GUI thread (through the methods below); the run is touched on the thread only.
class AnomalyController::Work {
public:
    using Progress = std::function<void(const QString &, qint64, qint64)>;

    // Any thread.
    void setCancelled(bool cancelled) { m_cancel.store(cancelled); }
    bool isCancelled() const { return m_cancel.load(); }
    // Queues row; true when a drain must be scheduled (none is pending).
    bool push(qint64 row)
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (m_serving == row)
            return false;  // being answered right now
        m_pending.removeAll(row);
        m_pending.append(row);
        if (m_pending.size() > kMaxPendingImages)
            m_pending.removeFirst();
        const bool schedule = !m_drainScheduled;
        m_drainScheduled = true;
        return schedule;
    }
    void clear()
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_pending.clear();
        m_serving.reset();  // an answer in progress is for what was cleared
    }
    // The newest request; none (and the drain ends) when the queue is empty.
    std::optional<qint64> take()
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (m_pending.isEmpty()) {
            m_drainScheduled = false;
            m_serving.reset();
            return std::nullopt;
        }
        m_serving = m_pending.takeLast();
        return m_serving;
    }

    // The thread only.
    AnomalyScores score(const AnomalyRequest &request, quint64 generation, const Progress &progress);
    std::optional<AnomalyImage> image(qint64 row);

private:
    std::atomic_bool m_cancel{false};
    std::mutex m_mutex;
    QVector<qint64> m_pending;
    std::optional<qint64> m_serving;  // the request the drain answers now
    bool m_drainScheduled = false;

    std::optional<RunData> m_run;
    ScoreOptions m_options;
    quint64 m_generation = 0;
};

AnomalyScores AnomalyController::Work::score(const AnomalyRequest &request, quint64 generation,
                                             const Progress &progress)
{
    AnomalyScores out;
    out.request = request;
    m_run.reset();  // the previous model and images are not answered for any more
    try {
        RunDataResult loaded = loadRunData(request.runDir, request.dataPath, [&](qint64 done, qint64 total) {
            progress(QStringLiteral("loading"), done, total);
        });
        out.report = loaded.report;
        if (!loaded.run) {
            out.error = loaded.error;
            return out;
        }
        if (isCancelled()) {
            out.cancelled = true;
            return out;
        }
        RunData &run = *loaded.run;
        out.trainedOn = trainedClassesOf(run.checkpoint);
        out.epoch = run.checkpoint.meta.value(QStringLiteral("epoch")).toInt();

        ScoreOptions options;
        options.kind = request.kind;
        options.sigma = request.sigma;
        const at::Tensor scores = scoreImages(
            *run.checkpoint.model, run.dataset, options, {}, [this] { return isCancelled(); },
            [&](qint64 done, qint64 total) { progress(QStringLiteral("scoring"), done, total); });
        if (!scores.defined()) {
            out.cancelled = true;
            return out;
        }
        const at::Tensor s = scores.to(torch::kDouble).contiguous();
        out.scores = QVector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
        const at::Tensor labels = run.dataset.labels.to(torch::kLong).contiguous();
        out.labels.reserve(int(labels.numel()));
        for (qint64 i = 0; i < labels.numel(); ++i)
            out.labels.append(int(labels.data_ptr<int64_t>()[i]));
        out.paths = run.dataset.paths;
        out.classNames = run.dataset.classNames;
        out.source = run.dataset.source;
        m_options = options;
        m_generation = generation;
        m_run = std::move(loaded.run);
    } catch (const std::exception &e) {
        out.error = errorMessage(e);
    }
    return out;
}

std::optional<AnomalyImage> AnomalyController::Work::image(qint64 row)
{
    if (!m_run || row < 0 || row >= m_run->dataset.size())
        return std::nullopt;
    try {
        const ImageAnomaly a = imageAnomaly(*m_run->checkpoint.model, m_run->dataset, row, m_options);
        AnomalyImage out;
        out.row = row;
        out.generation = m_generation;
        out.image = a.image.copy();
        out.reconstruction = a.reconstruction.copy();
        out.heatmap = a.heatmap.copy();
        out.score = a.score;
        return out;
    } catch (const std::exception &) {
        return std::nullopt;  // a torch error here is a bug; the row stays without pictures
    }
}

AnomalyController::AnomalyController(QObject *parent) : QObject(parent), m_work(std::make_shared<Work>())
{
    qRegisterMetaType<AnomalyScores>();
    qRegisterMetaType<AnomalyImage>();
    m_jobs = std::make_unique<JobThread>(QStringLiteral("aes-anomaly"));
}

AnomalyController::~AnomalyController()
{
    m_work->setCancelled(true);
    m_work->clear();
    m_jobs.reset();  // after the running job: scoring stops at its next batch
}

bool AnomalyController::scoreFolder(const AnomalyRequest &request)
{
    if (m_scoring)
        return false;
    m_scoring = true;
    ++m_generation;
    m_work->clear();
    m_work->setCancelled(false);
    const std::shared_ptr<Work> work = m_work;
    const quint64 generation = m_generation;
    QPointer<AnomalyController> self(this);
    m_jobs->post([self, work, request, generation] {
        QElapsedTimer sinceReport;
        sinceReport.start();
        const auto progress = [&](const QString &step, qint64 done, qint64 total) {
            // At most ~20 reports a second, and the last of each step.
            if (done < total && sinceReport.elapsed() < 50)
                return;
            sinceReport.restart();
            QMetaObject::invokeMethod(self, [self, step, done, total] {
                if (self)
                    Q_EMIT self->progress(step, done, total);
            }, Qt::QueuedConnection);
        };
        const AnomalyScores scores = work->score(request, generation, progress);
        QMetaObject::invokeMethod(self, [self, scores] {
            if (self)
                self->onScored(scores);
        }, Qt::QueuedConnection);
    });
    return true;
}

void AnomalyController::cancel()
{
    m_work->setCancelled(true);
}

void AnomalyController::requestImage(qint64 row)
{
    if (m_scoring || !m_work->push(row))
        return;
    const std::shared_ptr<Work> work = m_work;
    QPointer<AnomalyController> self(this);
    m_jobs->post([self, work] {
        while (const std::optional<qint64> row = work->take()) {
            if (std::optional<AnomalyImage> image = work->image(*row)) {
                QMetaObject::invokeMethod(self, [self, image = *image] {
                    if (self)
                        self->onImage(image);
                }, Qt::QueuedConnection);
            }
        }
    });
}

void AnomalyController::clearImageRequests()
{
    m_work->clear();
}

void AnomalyController::onScored(const AnomalyScores &scores)
{
    m_scoring = false;
    Q_EMIT scored(scores);
}

void AnomalyController::onImage(const AnomalyImage &image)
{
    if (image.generation == m_generation && !m_scoring)
        Q_EMIT imageReady(image);
}

} // namespace aes
