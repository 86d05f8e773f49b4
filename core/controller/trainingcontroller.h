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

#include "controller/controllertypes.h"
#include "data/loadoptions.h"
#include "latent/mapsample.h"
#include "latent/projectionmethod.h"
#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>

class QThread;

namespace aes {

class RequestMailbox;
class TrainingWorker;

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
    // Pca), Direct, Dims (latent dimensions dimX and dimY), Pca, Tsne or Umap (with umap's
    // parameters); the last two take seconds to minutes at 70k points, with intermediate
    // layouts about twice a second; they are cancelled by stop(), start(), continueTraining(),
    // loadDataset() and the next requestLatentMap(), and refused during training. A map also follows every epoch, by the
    // last method other than Tsne and Umap asked for. Answered by latentMapReady() or
    // latentMapFailed(). Returns false without a model.
    bool requestLatentMap(std::optional<ProjectionMethod> method = std::nullopt, int dimX = 0, int dimY = 1,
                          const UmapParameters &umap = {});
    // At most cap points on the maps asked for from now on (and the epochs' maps after them): a
    // larger dataset is drawn as a seeded sample (latent/mapsample), its codes all kept. 0: every image.
    void setMapPointCap(qint64 cap);
    qint64 mapPointCap() const { return m_mapPointCap; }
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
    // The images of dataset rows (at most kMaxImageRows; the rest are dropped), answered by
    // imagesReady() with purpose as given; a newer request of the same purpose replaces one
    // still waiting.
    static constexpr int kMaxImageRows = 256;
    void requestImages(int purpose, const QVector<qint64> &rows);

    // The run directory of the GUI's training: after every epoch (and when a run ends after
    // a divergence or before its first epoch) the worker writes checkpoint.pt and history.csv
    // there, atomically, as the CLI does. Empty: nothing is written. Any state; takes effect
    // at the next epoch's end.
    void setRunDirectory(const QString &dir);
    QString runDirectory() const { return m_runDir; }
    // Writes the kept model's run files into dir at once (e.g. Save As), answered by
    // runSaved(); dir becomes the run directory. Idle only; returns false without a model.
    bool saveRun(const QString &dir);
    // Opens a checkpoint file or a run directory without training: the model, its training
    // state and history become the kept model (continueTraining() goes on exactly where it
    // stopped). When the loaded dataset does not fit the model (or none is loaded), the
    // dataset the checkpoint names is loaded as it was for training (datasetLoaded() first).
    // Answered by modelOpened() or openModelFailed(); a failure changes nothing. Idle only.
    bool openModel(const QString &path);

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
    void imagesReady(const aes::ImageSet &images);
    void failed(const QString &message);
    void finished(const aes::TrainOutcome &outcome);
    // After every write of the run files; error is empty on success.
    void runSaved(const QString &dir, const QString &error);
    void modelOpened(const aes::OpenedModel &opened);
    void openModelFailed(const QString &message);

private:
    // Runs job with the worker on the worker thread, after the jobs queued before it.
    void queue(std::function<void(TrainingWorker &)> job);
    void connectWorker();
    void setState(State state);
    // The worker's reports, run in the controller's thread (queued connections).
    void onDatasetLoaded(const DatasetSummary &summary);
    void onLoadFailed(const QString &message, const DatasetSummary &partial);
    void onTrainingStarted(const RunInfo &run, const ModelOptions &model, const TrainOptions &train);
    void setHasModel(bool has);
    void onReconstructions(const ReconstructionSnapshot &snapshot);
    void onLatentMap(const LatentSnapshot &map);
    void onTrainingFinished(const TrainOutcome &outcome, bool modelKept);
    void onModelOpened(const OpenedModel &opened);
    void onOpenModelFailed(const QString &message);

    QThread *m_thread = nullptr;
    std::shared_ptr<RequestMailbox> m_requests;  // shared with the worker
    TrainingWorker *m_worker = nullptr;  // lives in m_thread; deleted after it has stopped
    State m_state = State::Idle;
    bool m_hasDataset = false;
    DatasetSummary m_summary;
    bool m_hasModel = false;
    qint64 m_mapPointCap = kDefaultMapPoints;
    ModelOptions m_modelOptions;
    TrainOptions m_trainOptions;
    int m_epochsCompleted = 0;
    QString m_runDir;
};

} // namespace aes
