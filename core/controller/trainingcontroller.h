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

#include "data/loadoptions.h"
#include "latent/projectionmethod.h"
#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QPair>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <optional>

class QThread;

namespace aes {

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
    QVector<double> mse;                 // per image, on the model's float output
};

// Every image of the dataset (train + validation, in dataset order) as a point of a 2-D map
// of the model's codes.
struct LatentSnapshot {
    int epoch = 0;
    qint64 globalStep = 0;
    ProjectionMethod method = ProjectionMethod::Pca;
    bool exactInverse = true;            // false: decoding averages nearby codes (t-SNE)
    int latentSize = 0;                  // numbers per code
    int dimX = -1, dimY = -1;            // "dims": the latent dimensions on the two axes
    // An intermediate t-SNE layout (more follow, then the final one): only x, y, labels and
    // classNames are filled in; iteration of iterations done.
    bool partial = false;
    int iteration = 0, iterations = 0;
    QVector<float> x;                    // one per image
    QVector<float> y;
    QVector<int> labels;                 // class of each image, -1 when unlabelled
    QStringList classNames;
    QStringList files;                   // path of each image ("file.idx#123" for IDX entries)
    QVector<float> errors;               // reconstruction MSE of each image (pixels in [0, 1])
    QVector<qint64> worst;               // rows with the largest errors, largest first
    QVector<QImage> worstImages;         // their images, parallel to worst

    // The class name of row's image; empty when unlabelled.
    QString classNameAt(qint64 row) const;
};

// One point of the map as the hover overlay and the side panel show it.
struct PointDetails {
    qint64 index = -1;
    QImage image;
    QImage reconstruction;
    QString label;                       // class name, empty when unlabelled
    QString file;                        // path, or "file.idx#123"
    double error = 0.0;                  // MSE of the reconstruction
};

// Images decoded along the way from one image's code to another's.
struct Interpolation {
    qint64 from = -1, to = -1;
    bool spherical = false;              // slerp (vae), else a straight line
    QVector<QImage> images;              // first = from's reconstruction, last = to's
};

// Images decoded at a columns x rows grid of cell centres over a region of the map.
struct TraversalGrid {
    QRectF region;                       // map coordinates; top() is the smallest y
    int columns = 0, rows = 0;
    bool exact = true;
    QVector<QImage> images;              // row-major, first row at the largest y (top of the map)
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

// A model opened from a checkpoint (TrainingController::openModel).
struct OpenedModel {
    QString path;                        // the checkpoint file
    ModelOptions model;
    TrainOptions train;                  // as stored; the defaults when it holds weights only
    bool resumable = false;              // it holds the training state: continuing is exact
    int epochsCompleted = 0;
    qint64 globalStep = 0;
    QVector<EpochReport> history;
};

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
    bool loadDataset(const QString &path, const LoadOptions &options = {});
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

    // Latent explorer. Requests are served on the worker between two training steps, at
    // once when idle, and while paused (the paused worker wakes up, serves, and waits again),
    // so the weights are never read while they change. Of each kind of request only the
    // newest waiting one is served.
    // A map of the kept model: method none (automatic: Direct for a 2-number code, else
    // Pca), Direct, Dims (latent dimensions dimX and dimY), Pca or Tsne (slow at
    // 70k points, with intermediate layouts about twice a second; cancelled by stop(),
    // start(), continueTraining() and loadDataset(); refused during training). A map also
    // follows every epoch, by the last method other than Tsne asked for. Answered by
    // latentMapReady() or latentMapFailed(). Returns false without a model.
    bool requestLatentMap(std::optional<ProjectionMethod> method = std::nullopt, int dimX = 0, int dimY = 1);
    // The decoded image at (x, y) of the newest map, answered by decodedImage().
    void decodeAt(double x, double y);
    // The dataset's image at index (a row of the map), answered by datasetImage() and
    // pointDetails() (with its reconstruction, file and error).
    void requestImage(qint64 index);
    // steps images (2 to 64) decoded between the codes of images from and to, answered by
    // interpolationReady(). Returns false without a model or for rows out of range.
    bool requestInterpolation(qint64 from, qint64 to, int steps);
    // Images decoded over region of the newest map (columns x rows, each 1 to 64), answered
    // by traversalReady(). Returns false without a model.
    bool requestTraversal(const QRectF &region, int columns, int rows);

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
    void pointDetails(const aes::PointDetails &details);
    void interpolationReady(const aes::Interpolation &interpolation);
    void traversalReady(const aes::TraversalGrid &grid);
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

    // --- Checkpoints (issue 5) ---
public:
    // The run directory of the GUI's training: after every epoch (and when a run ends after
    // a divergence or before its first epoch) the worker writes checkpoint.pt and history.csv
    // there, atomically, as the CLI does. Empty: nothing is written. Any state; takes effect
    // at the next epoch's end.
    void setRunDirectory(const QString &dir);
    QString runDirectory() const { return m_runDir; }
    // Writes the kept model's run files into dir now (e.g. Save As), answered by runSaved().
    // Idle only; returns false without a model.
    bool saveRun(const QString &dir);
    // Opens a checkpoint file or a run directory without training: the model, its training
    // state and history become the kept model (continueTraining() goes on exactly where it
    // stopped). When the loaded dataset does not fit the model (or none is loaded), the
    // dataset the checkpoint names is loaded as it was for training (datasetLoaded() first).
    // Answered by modelOpened() or openModelFailed(); a failure changes nothing. Idle only.
    bool openModel(const QString &path);

Q_SIGNALS:
    // After every write of the run files; error is empty on success.
    void runSaved(const QString &dir, const QString &error);
    void modelOpened(const aes::OpenedModel &opened);
    void openModelFailed(const QString &message);

private:
    void onModelOpened(const OpenedModel &opened);
    void onOpenModelFailed(const QString &message);
    QString m_runDir;
};

} // namespace aes

Q_DECLARE_METATYPE(aes::DatasetSummary)
Q_DECLARE_METATYPE(aes::ReconstructionSnapshot)
Q_DECLARE_METATYPE(aes::RunInfo)
Q_DECLARE_METATYPE(aes::LatentSnapshot)
Q_DECLARE_METATYPE(aes::PointDetails)
Q_DECLARE_METATYPE(aes::Interpolation)
Q_DECLARE_METATYPE(aes::TraversalGrid)
Q_DECLARE_METATYPE(aes::StepReport)
Q_DECLARE_METATYPE(aes::EpochReport)
Q_DECLARE_METATYPE(aes::TrainOutcome)
Q_DECLARE_METATYPE(aes::OpenedModel)
