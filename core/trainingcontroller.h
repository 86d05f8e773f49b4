#pragma once
// The one object the GUI talks to for loading and training. It owns a worker thread on
// which the dataset is loaded and the autoencoder trained; results come back only as
// queued signals carrying value types (no tensor crosses the thread boundary).
//
// Ownership: the controller owns its QThread, the worker, the loaded dataset and the
// trainer; the destructor stops any training, cancels any load and waits (one batch).
// Threads: create and call it from one thread (the GUI thread); its signals arrive there.
// pause(), resume(), stop() and setLearningRate() act at once (thread-safe calls, not
// queued slots) and take effect before the next batch.
// Failure: a dataset that cannot be loaded gives loadFailed(); unusable options or a torch
// error give failed(message) followed by finished() with TrainStatus::Failed.
//
// This header is torch-free so that ui/ can include it.

#include "modeloptions.h"
#include "trainoptions.h"

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QPair>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

class QThread;

namespace aes {

struct LoadOptions;
class TrainingWorker;

// What the user needs to know about a loaded dataset.
struct DatasetSummary {
    QString source;
    qint64 count = 0;
    QStringList classNames;              // empty when unlabelled
    QVector<qint64> classCounts;         // images per class, parallel to classNames
    int width = 0;
    int height = 0;
    int channels = 0;
    QVector<QPair<QString, QString>> skipped;  // (path, reason) of each file not loaded
    QString report;                      // "loaded 9 images, skipped 2 (2 not an image)"
    double seconds = 0.0;
    QVector<QImage> samples;             // a few images, one per class first
};

// A fixed set of validation images and the model's current reconstructions of them.
struct ReconstructionSnapshot {
    int epoch = 0;
    qint64 globalStep = 0;
    QVector<QImage> inputs;
    QVector<QImage> reconstructions;     // same order and size as inputs
    QStringList captions;                // class name of each image (empty strings if none)
};

struct EngineVersions {
    QString qt;
    QString torch;
    QString opencv;
};
// Versions of the libraries the engine runs on. Any thread.
EngineVersions engineVersions();

class TrainingController final : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Loading, Training, Paused, Stopping };
    Q_ENUM(State)

    static constexpr int kSnapshotImages = 16;

    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;

    State state() const { return m_state; }
    bool hasDataset() const { return m_hasDataset; }
    const DatasetSummary &datasetSummary() const { return m_summary; }

    // Loads a folder or an IDX file on the worker. Returns false (and does nothing) while
    // loading or training. A successful load replaces the dataset and forgets the model.
    bool loadDataset(const QString &path);
    bool loadDataset(const QString &path, const LoadOptions &options);
    // Trains a new model on the loaded dataset. Returns false while busy or without data.
    bool start(const ModelOptions &model, const TrainOptions &train);
    void pause();
    void resume();
    void stop();
    void setLearningRate(double lr);

Q_SIGNALS:
    void stateChanged(aes::TrainingController::State state);
    void loadProgress(qint64 done, qint64 total);
    void datasetLoaded(const aes::DatasetSummary &summary);
    void loadFailed(const QString &message);
    void trainingStarted(qint64 trainImages, qint64 valImages, qint64 parameters);
    // Training losses (x = global step, y = loss) since the last emission, about every 100 ms,
    // and the newest step's progress.
    void stepsReported(const QVector<QPointF> &losses, const aes::StepReport &latest);
    void epochReport(const aes::EpochReport &report);
    // At most about two per second, never more than one waiting in the GUI's queue.
    void reconstructionsReady(const aes::ReconstructionSnapshot &snapshot);
    void failed(const QString &message);
    void finished(const aes::TrainOutcome &outcome);

private:
    friend class TrainingWorker;
    void setState(State state);
    // Results posted by the worker, run in the controller's thread.
    void onDatasetLoaded(const DatasetSummary &summary);
    void onLoadFailed(const QString &message);
    void onReconstructions(const ReconstructionSnapshot &snapshot);
    void onTrainingFinished(const TrainOutcome &outcome);

    QThread *m_thread = nullptr;
    TrainingWorker *m_worker = nullptr;  // lives in m_thread; deleted after it has stopped
    State m_state = State::Idle;
    bool m_hasDataset = false;
    DatasetSummary m_summary;
};

} // namespace aes

Q_DECLARE_METATYPE(aes::DatasetSummary)
Q_DECLARE_METATYPE(aes::ReconstructionSnapshot)
Q_DECLARE_METATYPE(aes::StepReport)
Q_DECLARE_METATYPE(aes::EpochReport)
Q_DECLARE_METATYPE(aes::TrainOutcome)
