#pragma once
// The one object the GUI talks to for loading and training. It owns a worker thread on
// which the dataset is loaded and the autoencoder trained; results come back only as
// queued signals carrying value types (no tensor crosses the thread boundary).
//
// Ownership: the controller owns its QThread, the worker, the loaded dataset and the
// trainer; the destructor stops any training, cancels any load and waits (one batch).
// The trained model is kept between runs: after a stop, a finished run or a divergence
// (weights restored to the last good state), continueTraining() goes on from the current
// weights; start() and newModel() begin again from fresh weights. Loading a dataset forgets
// the model.
// Threads: create and call it from one thread (the GUI thread); its signals arrive there.
// pause(), resume(), stop() and setLearningRate() act at once (thread-safe calls, not
// queued slots) and take effect before the next batch.
// Failure: a dataset that cannot be loaded gives loadFailed(); unusable options or a torch
// error give failed(message) followed by finished() with TrainStatus::Failed (and the model
// is forgotten).
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

class TrainingWorker;

// How images are brought to one tensor shape (torch-free mirror of LoadOptions).
struct DatasetOptions {
    int channels = 0;        // 1 or 3; 0 = automatic
    int width = 0;           // 0 = automatic (the common size)
    int height = 0;
    bool letterbox = false;  // false: center-crop images of another aspect ratio
};

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
    QVector<double> mse;                 // per image, on the model's float output
};

// Every image of the dataset (train + validation, in dataset order) as a point of a 2-D map
// of the model's codes.
struct LatentSnapshot {
    int epoch = 0;
    qint64 globalStep = 0;
    QString method;                      // "direct", "pca" or "tsne"
    bool exactInverse = true;            // false: decoding averages nearby codes (t-SNE)
    QVector<float> x;                    // one per image
    QVector<float> y;
    QVector<int> labels;                 // class of each image, -1 when unlabelled
    QStringList classNames;
};

// One call of start() or continueTraining() as the worker begins it.
struct RunInfo {
    qint64 trainImages = 0;
    qint64 valImages = 0;
    qint64 parameters = 0;
    int firstEpoch = 1;        // 1-based number of the first epoch this run trains
    int totalEpochs = 0;       // the run ends after this epoch
    qint64 stepsBefore = 0;    // global steps the model had already trained
    bool continued = false;    // false: fresh weights
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
    // A model kept from an earlier run (stopped, finished or diverged) that can be continued.
    bool hasModel() const { return m_hasModel; }
    const ModelOptions &modelOptions() const { return m_modelOptions; }
    const TrainOptions &trainOptions() const { return m_trainOptions; }
    int epochsCompleted() const { return m_epochsCompleted; }

    // Loads a folder or an IDX file on the worker. Returns false (and does nothing) while
    // loading or training. A successful load replaces the dataset and forgets the model.
    bool loadDataset(const QString &path, const DatasetOptions &options = {});
    // Trains a new model on the loaded dataset. Returns false while busy or without data.
    bool start(const ModelOptions &model, const TrainOptions &train);
    // Goes on training the kept model until totalEpochs epochs are complete (the epoch that
    // was interrupted is trained again from its start), at learningRate (<= 0: unchanged).
    // Returns false while busy or without a kept model.
    bool continueTraining(int totalEpochs, double learningRate = 0.0);
    // Forgets the kept model (fresh weights on the next start()). Idle only.
    bool newModel();
    void pause();
    void resume();
    void stop();
    void setLearningRate(double lr);

    // Latent explorer. Requests are served on the worker between two training steps (or at
    // once when idle; not while paused), so the weights are never read while they change.
    // A map of the kept model: method "" (automatic: "direct" for a 2-number code, else
    // "pca"), "direct", "pca" or "tsne" (slow at 70k points; cancelled by stop(), start(),
    // continueTraining() and loadDataset(); refused during training). A map also follows every
    // epoch, by the last method other than "tsne" asked for. Answered by latentMapReady() or
    // latentMapFailed(). Returns false without a model.
    bool requestLatentMap(const QString &method = QString());
    // The decoded image at (x, y) of the newest map, answered by decodedImage(); only the
    // newest waiting request is served.
    void decodeAt(double x, double y);
    // The dataset's image at index (a row of the map), answered by datasetImage().
    void requestImage(qint64 index);

Q_SIGNALS:
    void stateChanged(aes::TrainingController::State state);
    void loadProgress(qint64 done, qint64 total);
    void datasetLoaded(const aes::DatasetSummary &summary);
    // partial.source and partial.skipped tell which files were tried and why they failed.
    void loadFailed(const QString &message, const aes::DatasetSummary &partial);
    void trainingStarted(const aes::RunInfo &run);
    // Training losses (x = global step, y = loss) since the last emission, about every 100 ms,
    // and the newest step's progress.
    void stepsReported(const QVector<QPointF> &losses, const aes::StepReport &latest);
    void epochReport(const aes::EpochReport &report);
    // At most about two per second, never more than one waiting in the GUI's queue.
    void reconstructionsReady(const aes::ReconstructionSnapshot &snapshot);
    // The first step trained with a new learning rate (after setLearningRate() or a
    // continued run at another rate).
    void learningRateChanged(qint64 globalStep, double learningRate);
    // The kept model appeared (a run began) or was forgotten (newModel(), a new dataset, a failure).
    void modelChanged(bool hasModel);
    // After every epoch (if the previous one has been delivered) and on requestLatentMap().
    void latentMapReady(const aes::LatentSnapshot &map);
    void latentMapFailed(const QString &message);
    // exact: false when decoding averaged the codes of nearby points (t-SNE).
    void decodedImage(const QImage &image, double x, double y, bool exact);
    void datasetImage(qint64 index, const QImage &image, const QString &label);
    void failed(const QString &message);
    void finished(const aes::TrainOutcome &outcome);

private:
    friend class TrainingWorker;
    void setState(State state);
    // Results posted by the worker, run in the controller's thread.
    void onDatasetLoaded(const DatasetSummary &summary);
    void onLoadFailed(const QString &message, const DatasetSummary &partial);
    void onTrainingStarted(const RunInfo &run, const ModelOptions &model, const TrainOptions &train);
    void setHasModel(bool has);
    void onReconstructions(const ReconstructionSnapshot &snapshot);
    void onLatentMap(const LatentSnapshot &map);
    void queueRequests();
    void onTrainingFinished(const TrainOutcome &outcome);

    QThread *m_thread = nullptr;
    TrainingWorker *m_worker = nullptr;  // lives in m_thread; deleted after it has stopped
    State m_state = State::Idle;
    bool m_hasDataset = false;
    DatasetSummary m_summary;
    bool m_hasModel = false;
    ModelOptions m_modelOptions;
    TrainOptions m_trainOptions;
    int m_epochsCompleted = 0;
};

} // namespace aes

Q_DECLARE_METATYPE(aes::DatasetSummary)
Q_DECLARE_METATYPE(aes::ReconstructionSnapshot)
Q_DECLARE_METATYPE(aes::RunInfo)
Q_DECLARE_METATYPE(aes::LatentSnapshot)
Q_DECLARE_METATYPE(aes::StepReport)
Q_DECLARE_METATYPE(aes::EpochReport)
Q_DECLARE_METATYPE(aes::TrainOutcome)
