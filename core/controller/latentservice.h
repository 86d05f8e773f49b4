#pragma once
// The latent explorer's engine on the training controller's worker thread: maps of the kept
// model's codes (direct, chosen dimensions, PCA, t-SNE and UMAP with intermediate layouts), decoding at
// a point of the newest map, a dataset image with its reconstruction, interpolation between two
// images' codes and decoded grids over a region. Only the controller's own files include this
// header (it carries torch types).
//
// Ownership: the TrainingWorker owns the service and the dataset and trainer it reads; the
// service owns the projection of the newest map (for decoding) and the previous PCA axes.
// Threads: the methods marked "any thread" are thread-safe; the rest run on the worker thread,
// between two training steps, while paused or when idle, so that the weights never change
// while they are read. Results leave only as signals carrying value types.
// Failure: a torch error while serving ends that round of requests with mapFailed(message);
// a request the model or data cannot answer (no model, a row out of range) is dropped.

#include "controller/controllertypes.h"
#include "controller/requestmailbox.h"
#include "data/dataset.h"
#include "latent/projection.h"
#include "latent/layoutcontrol.h"
#include "latent/mapsample.h"

#include <ATen/core/Tensor.h>

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace aes {

class Trainer;

class LatentService final : public QObject {
    Q_OBJECT
public:
    // data and trainer are the worker's and are only read here; interrupted() says when a
    // long request (encoding every image, a large grid) should give up between batches.
    LatentService(const std::optional<Dataset> &data, const std::unique_ptr<Trainer> &trainer,
                  std::function<bool()> interrupted, QObject *parent = nullptr);
    ~LatentService() override;

    // Any thread.
    void cancelProjection();                 // stops a running t-SNE or UMAP
    // At most cap points on the next maps (a seeded sample of the images beyond; 0: every image).
    void setPointCap(qint64 cap) { m_pointCap.store(std::max<qint64>(0, cap)); }
    // The controller has taken a map: the next map after an epoch (or the next intermediate
    // t-SNE layout when partial) may be sent. At most one of each waits in the GUI's queue.
    void mapDelivered(bool partial);

    // Worker thread.
    // Serves every request taken from the mailbox; duringTraining: between two training
    // steps (t-SNE and UMAP are refused there: they take seconds to minutes).
    void serve(const LatentRequests &requests, bool duringTraining);
    // The map that follows each epoch, by the last method other than t-SNE and UMAP that worked; force:
    // even when the previous one has not been delivered yet.
    void epochMap(bool force);
    // The model changed: its maps no longer apply.
    void forgetModel();

Q_SIGNALS:
    void mapReady(const aes::LatentSnapshot &map);
    void mapFailed(const QString &message);
    void decodedImage(const QImage &image, double x, double y, bool exact);
    void datasetImage(qint64 index, const QImage &image, const QString &label);
    void pointDetails(const aes::PointDetails &details);
    void interpolationReady(const aes::Interpolation &interpolation);
    void traversalReady(const aes::TraversalGrid &grid);
    void imagesReady(const aes::ImageSet &images);

private:
    void map(std::optional<ProjectionMethod> method, int dimX, int dimY, const UmapParameters &umap, bool force);
    // Codes (float32, N x latent) and reconstruction MSEs (float32, N) of every image in
    // evaluation mode; false when interrupted.
    bool encodeAll(at::Tensor *codes, at::Tensor *errors);
    void alignWithPrevious(Projection *projection);
    void decode(double x, double y);
    void details(qint64 index);
    void interpolate(const InterpolationRequest &request);
    void traverse(const TraversalRequest &request);

    const std::optional<Dataset> &m_data;
    const std::unique_ptr<Trainer> &m_trainer;
    const std::function<bool()> m_interrupted;
    LayoutControl m_layoutControl;           // of t-SNE and UMAP; cancel: any thread
    std::atomic_bool m_mapInFlight{false};
    std::atomic_bool m_partialInFlight{false};  // an intermediate t-SNE or UMAP layout
    std::optional<Projection> m_projection;  // of the newest map, for decoding
    std::optional<ProjectionMethod> m_epochMethod;  // of the maps after each epoch (none: automatic)
    int m_epochDimX = 0, m_epochDimY = 1;    // ... its dimensions for "dims"
    std::atomic<qint64> m_pointCap{kDefaultMapPoints};
    at::Tensor m_previousAxes;               // of the last PCA map, to keep the axes' signs
};

} // namespace aes
