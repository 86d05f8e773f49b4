#include "controller/latentservice.h"

#include "data/tensorimage.h"
#include "model/autoencoder.h"
#include "model/devicetensors.h"
#include "model/evalmode.h"
#include "training/trainer.h"
#include "util/errormessage.h"

#include <torch/torch.h>

#include <algorithm>
#include <utility>

namespace aes {

namespace {

constexpr int kWorstImages = 60;  // the worst reconstructions sent with each map
constexpr int64_t kDecodeBatch = 256;

// x and y of each point from an N x 2 row-major layout.
void setCoordinates(const float *xy, qint64 n, LatentSnapshot *map)
{
    map->x.resize(n);
    map->y.resize(n);
    for (qint64 i = 0; i < n; ++i) {
        map->x[i] = xy[2 * i];
        map->y[i] = xy[2 * i + 1];
    }
}

} // namespace

LatentService::LatentService(const std::optional<Dataset> &data, const std::unique_ptr<Trainer> &trainer,
                             std::function<bool()> interrupted, QObject *parent)
    : QObject(parent), m_data(data), m_trainer(trainer), m_interrupted(std::move(interrupted))
{
}

LatentService::~LatentService() = default;

void LatentService::cancelProjection()
{
    m_layoutControl.cancel.store(true);
}

void LatentService::mapDelivered(bool partial)
{
    (partial ? m_partialInFlight : m_mapInFlight).store(false);
}

void LatentService::forgetModel()
{
    m_projection.reset();
    m_previousAxes = at::Tensor();
}

void LatentService::serve(const LatentRequests &r, bool duringTraining)
{
    try {
        if (m_data && r.image && *r.image >= 0 && *r.image < m_data->size()) {
            const qint64 index = *r.image;
            Q_EMIT datasetImage(index, toImage(m_data->images[index]), m_data->classNameAt(index));
            details(index);
        }
        if (r.map && duringTraining && r.map->method && isIterative(*r.map->method)) {
            // Seconds to minutes at 70k points: never between two training steps.
            Q_EMIT mapFailed(QStringLiteral("%1 takes too long to run between training steps: stop the training first.")
                                 .arg(*r.map->method == ProjectionMethod::Umap ? QStringLiteral("UMAP") : QStringLiteral("t-SNE")));
        } else if (r.map) {
            map(r.map->method, r.map->dimX, r.map->dimY, r.map->umap, true);
        }
        if (r.decode)
            decode(r.decode->x, r.decode->y);
        if (r.interpolation)
            interpolate(*r.interpolation);
        if (r.traversal)
            traverse(*r.traversal);
        for (auto it = r.images.cbegin(); m_data && it != r.images.cend(); ++it) {
            ImageSet set;
            set.purpose = it.key();
            for (qint64 row : it.value()) {
                if (row < 0 || row >= m_data->size())
                    continue;
                set.rows.append(row);
                set.images.append(toImage(m_data->images[row]));
            }
            Q_EMIT imagesReady(set);
        }
    } catch (const std::exception &e) {
        Q_EMIT mapFailed(errorMessage(e));
    }
}

void LatentService::epochMap(bool force)
{
    map(m_epochMethod, m_epochDimX, m_epochDimY, {}, force);
}

// Codes of every image with the current weights (between steps); those of the map's points
// (every image, or a sample of the point cap) projected to 2-D.
void LatentService::map(std::optional<ProjectionMethod> method, int dimX, int dimY, const UmapParameters &umap,
                        bool force)
{
    if (!m_trainer || (!force && m_mapInFlight.load()))
        return;
    ProjectionOptions options;
    options.method = method.value_or(m_trainer->modelOptions().latent == 2 ? ProjectionMethod::Direct
                                                                           : ProjectionMethod::Pca);
    options.dimX = dimX;
    options.dimY = dimY;
    options.umap.neighbours = umap.neighbours;
    options.umap.minDist = umap.minDist;
    const Dataset &data = m_trainer->dataset();
    torch::Tensor codes, errors;
    if (!encodeAll(&codes, &errors))
        return;  // a stop (or a resume while paused) was requested

    const qint64 n = codes.size(0);
    const torch::Tensor labelsTensor = data.labels.to(torch::kLong).contiguous();
    QVector<int> labels(n);
    for (qint64 i = 0; i < n; ++i)
        labels[i] = int(labelsTensor.data_ptr<int64_t>()[i]);
    // More images than the cap: the same seeded sample each time (the epochs' maps and the
    // scrubber show the same images); only its codes are projected (t-SNE and UMAP grow
    // faster than linearly), every code still goes to the map for searches and clusters.
    const QVector<qint64> sample = sampleMapRows(n, labels, m_pointCap.load());
    const qint64 points = sample.isEmpty() ? n : sample.size();
    const torch::Tensor pointCodes =
        sample.isEmpty() ? codes
                         : codes.index_select(0, torch::from_blob(const_cast<qint64 *>(sample.constData()),
                                                                  {points}, torch::kLong)
                                                     .to(codes.device()));
    const auto setPoints = [&sample, n, points](const float *xy, LatentSnapshot *map) {
        setCoordinates(xy, points, map);
        map->sampleRows = sample;
        map->sampledFrom = sample.isEmpty() ? 0 : n;
    };
    m_layoutControl.cancel.store(false);
    if (isIterative(options.method)) {
        // Intermediate layouts: the newest waits in the GUI's queue, older ones are dropped.
        m_partialInFlight.store(false);
        m_layoutControl.onLayout = [this, setPoints, labels, &data, method = options.method, umap](const LayoutSnapshot &snapshot) {
            if (m_partialInFlight.load())
                return;
            LatentSnapshot map;
            map.epoch = m_trainer->epochsCompleted();
            map.globalStep = m_trainer->globalStep();
            map.method = method;
            if (method == ProjectionMethod::Umap)
                map.umap = umap;
            map.exactInverse = false;
            map.latentSize = m_trainer->modelOptions().latent;
            map.partial = true;
            map.iteration = snapshot.iteration;
            map.iterations = snapshot.iterations;
            setPoints(snapshot.layout.data(), &map);
            map.labels = labels;
            map.classNames = data.classNames;
            m_partialInFlight.store(true);
            Q_EMIT mapReady(map);
        };
    }
    ProjectionResult result = project(pointCodes, options, &m_layoutControl);
    m_layoutControl.onLayout = nullptr;
    if (!result.ok()) {
        if (!result.cancelled)
            Q_EMIT mapFailed(result.error);
        return;
    }
    if (result.projection->method == ProjectionMethod::Pca)
        alignWithPrevious(&*result.projection);
    m_projection = std::move(result.projection);
    // The user's choice, once it worked, also shapes the maps after each epoch (t-SNE and
    // UMAP are too slow for that).
    if (!isIterative(options.method)) {
        m_epochMethod = method;
        m_epochDimX = dimX;
        m_epochDimY = dimY;
    }
    LatentSnapshot map;
    map.epoch = m_trainer->epochsCompleted();
    map.globalStep = m_trainer->globalStep();
    map.method = m_projection->method;
    map.exactInverse = m_projection->exactInverse;
    map.latentSize = int(codes.size(1));
    if (m_projection->method == ProjectionMethod::Dims) {
        map.dimX = dimX;
        map.dimY = dimY;
    }
    if (m_projection->method == ProjectionMethod::Umap)
        map.umap = umap;
    const torch::Tensor layout = m_projection->layout.to(torch::kFloat).contiguous();
    setPoints(layout.data_ptr<float>(), &map);
    map.labels = labels;
    map.classNames = data.classNames;
    map.files = data.paths;  // implicitly shared and never modified: safe to hand over
    const torch::Tensor e = errors.contiguous();
    map.errors = QVector<float>(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
    const torch::Tensor c = codes.to(torch::kFloat).contiguous();
    map.codes = QVector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    const torch::Tensor worst = std::get<1>(errors.topk(std::min<int64_t>(kWorstImages, n))).contiguous();
    for (int64_t i = 0; i < worst.numel(); ++i) {
        const int64_t row = worst.data_ptr<int64_t>()[i];
        map.worst.append(row);
        map.worstImages.append(toImage(data.images[row]));
    }
    m_mapInFlight.store(true);
    Q_EMIT mapReady(map);
}

bool LatentService::encodeAll(at::Tensor *codes, at::Tensor *errors)
{
    AutoencoderImpl &model = *m_trainer->model();
    const EvalMode eval(model);
    torch::Tensor e;
    const torch::Tensor z = encodeImages(model, m_trainer->dataset(), {}, m_interrupted, &e);
    if (!z.defined())
        return false;
    // Clones leave inference mode: the projection does its own arithmetic on them.
    *codes = z.clone();
    *errors = e.clone();
    return true;
}

// A principal axis has no preferred sign: flip each one that points against the previous
// map's, so that epoch after epoch (and in the scrubber) the map does not mirror itself.
void LatentService::alignWithPrevious(Projection *p)
{
    bool flipped = false;
    if (m_previousAxes.defined() && m_previousAxes.sizes() == p->axes.sizes()) {
        for (int64_t k = 0; k < p->axes.size(0); ++k) {
            if (p->axes[k].dot(m_previousAxes[k]).item<float>() < 0.0f) {
                p->axes[k].neg_();
                p->layout.select(1, k).neg_();
                flipped = true;
            }
        }
    }
    if (flipped)
        p->index = indexLayout(p->layout);
    m_previousAxes = p->axes.clone();
}

void LatentService::decode(double x, double y)
{
    if (!m_trainer || !m_projection)
        return;
    AutoencoderImpl &model = *m_trainer->model();
    torch::Tensor image;
    {
        const EvalMode eval(model);
        c10::InferenceMode inference;
        image = model.decode(m_projection->codeAt(x, y).to(deviceOf(model)))[0].to(torch::kCPU);
    }
    Q_EMIT decodedImage(floatToImage(image), x, y, m_projection->exactInverse);
}

void LatentService::details(qint64 index)
{
    if (!m_data)
        return;
    PointDetails d;
    d.index = index;
    d.image = toImage(m_data->images[index]);
    d.label = m_data->classNameAt(index);
    d.file = index < m_data->paths.size() ? m_data->paths.at(int(index)) : QString();
    if (m_trainer) {
        AutoencoderImpl &model = *m_trainer->model();
        const EvalMode eval(model);
        c10::InferenceMode inference;
        const torch::Tensor x = floatBatchOn(*m_data, torch::tensor({int64_t(index)}, torch::kLong), deviceOf(model));
        const torch::Tensor r = model.decode(model.encode(x)).to(torch::kCPU);
        d.error = (r - x.to(torch::kCPU)).pow(2).mean().item<double>();
        d.reconstruction = floatToImage(r[0]);
    }
    Q_EMIT pointDetails(d);
}

void LatentService::interpolate(const InterpolationRequest &request)
{
    const qint64 from = request.from, to = request.to;
    if (!m_trainer || from < 0 || to < 0 || from >= m_data->size() || to >= m_data->size())
        return;
    AutoencoderImpl &model = *m_trainer->model();
    Interpolation result;
    result.from = from;
    result.to = to;
    result.spherical = m_trainer->modelOptions().kind == ModelKind::Vae;
    torch::Tensor images;
    {
        const EvalMode eval(model);
        c10::InferenceMode inference;
        const c10::Device device = deviceOf(model);
        const torch::Tensor codes = model.encode(floatBatchOn(*m_data, torch::tensor({int64_t(from), int64_t(to)}, torch::kLong), device));
        images = model.decode(interpolateCodes(codes[0], codes[1], request.steps, result.spherical)).to(torch::kCPU);
    }
    for (int64_t i = 0; i < images.size(0); ++i)
        result.images.append(floatToImage(images[i]));
    Q_EMIT interpolationReady(result);
}

void LatentService::traverse(const TraversalRequest &request)
{
    if (!m_trainer || !m_projection)
        return;
    AutoencoderImpl &model = *m_trainer->model();
    const QRectF &region = request.region;
    TraversalGrid grid;
    grid.region = region;
    grid.columns = request.columns;
    grid.rows = request.rows;
    grid.exact = m_projection->exactInverse;
    const torch::Tensor points = gridPoints(region.left(), region.top(), region.right(), region.bottom(),
                                            request.columns, request.rows);
    const torch::Tensor codes = m_projection->codesAt(points);
    const EvalMode eval(model);
    c10::InferenceMode inference;
    for (int64_t start = 0; start < codes.size(0); start += kDecodeBatch) {
        if (m_interrupted())
            return;
        const torch::Tensor images =
            model.decode(codes.slice(0, start, std::min(codes.size(0), start + kDecodeBatch)).to(deviceOf(model))).to(torch::kCPU);
        for (int64_t i = 0; i < images.size(0); ++i)
            grid.images.append(floatToImage(images[i]));
    }
    Q_EMIT traversalReady(grid);
}

} // namespace aes
