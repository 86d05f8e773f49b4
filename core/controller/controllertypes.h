#pragma once
// The value types that cross the training controller's thread boundary: what the worker
// reports and the controller hands to the GUI in its signals. Plain copyable values
// (QImage, QVector, QString; implicitly shared, never modified after sending), no tensors.
//
// Ownership: each value owns its data; a copy may be read in any thread.
// Threads: any. Failure: nothing here fails; an empty field means "not known" as noted.
//
// This header is torch-free so that ui/ can include it.

#include "data/loadoptions.h"
#include "latent/projectionmethod.h"
#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QImage>
#include <QMetaType>
#include <QPair>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>

namespace aes {

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
    // The dataset cache (data/datasetcache.h): where the pixels are mapped from; empty when
    // the images were loaded into memory.
    QString cacheFile;
    qint64 cacheBytes = 0;
    qint64 decoded = -1;                 // files decoded by this open (0: all from the cache)
    QString cacheNote;                   // why the cache was rebuilt or not written
    qint64 pixelBytes = 0;               // N x C x H x W
    QVector<QImage> samples;             // a few images, one per class first
    // The first of them as training with augmentation sees them (one seeded draw each):
    // the preview of what --augment does.
    QVector<QImage> augmentedSamples;
    // For audio datasets: the images are spectrograms made with these options (rows = mels,
    // row 0 the highest; columns = frames), which turn them back into sound
    // (data/spectrogramsound.h); audioDetails says how the clips were cut.
    bool audio = false;
    AudioOptions audioOptions;
    QString audioDetails;
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
    UmapParameters umap;                 // "umap": its parameters
    // An intermediate t-SNE or UMAP layout (more follow, then the final one): only x, y, labels and
    // classNames are filled in; iteration of iterations done.
    bool partial = false;
    int iteration = 0, iterations = 0;
    // The points: one per image, or (a dataset larger than the map's point cap) one per
    // image of a sample, point i showing dataset row sampleRows[i]. Every other field is per
    // dataset row, points or not: searches, clusters and exports reach every image.
    QVector<float> x;
    QVector<float> y;
    QVector<qint64> sampleRows;          // ascending; empty: every image, point i is row i
    qint64 sampledFrom = 0;              // the dataset's images when sampleRows is set
    QVector<int> labels;                 // class of each image, -1 when unlabelled
    QStringList classNames;
    QStringList files;                   // path of each image ("file.idx#123" for IDX entries)
    QVector<float> errors;               // reconstruction MSE of each image (pixels in [0, 1])
    // The codes themselves, latentSize numbers per image, row-major (for "find images like
    // this" and clusters); empty in intermediate t-SNE layouts.
    QVector<float> codes;
    QVector<qint64> worst;               // rows with the largest errors, largest first
    QVector<QImage> worstImages;         // their images, parallel to worst

    // The class name of row's image; empty when unlabelled.
    QString classNameAt(qint64 row) const;
    bool sampled() const { return !sampleRows.isEmpty(); }
    qint64 pointCount() const { return x.size(); }
    // The dataset's images (rows), points or not.
    qint64 rowCount() const { return sampled() ? sampledFrom : x.size(); }
    // The dataset row point shows (-1 out of range), and the point showing row (-1: none).
    qint64 rowOf(qint64 point) const;
    qint64 pointOf(qint64 row) const;
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

// Dataset images asked for by row (TrainingController::requestImages): a selection's strip.
struct ImageSet {
    int purpose = 0;                     // the asker's tag, returned as given
    QVector<qint64> rows;                // the rows served, in the order asked
    QVector<QImage> images;              // parallel to rows
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

// Registers every type above (and the training reports) for queued connections. Any thread;
// called by the controller's constructor.
void registerControllerTypes();

} // namespace aes

Q_DECLARE_METATYPE(aes::DatasetSummary)
Q_DECLARE_METATYPE(aes::ReconstructionSnapshot)
Q_DECLARE_METATYPE(aes::RunInfo)
Q_DECLARE_METATYPE(aes::LatentSnapshot)
Q_DECLARE_METATYPE(aes::UmapParameters)
Q_DECLARE_METATYPE(aes::PointDetails)
Q_DECLARE_METATYPE(aes::Interpolation)
Q_DECLARE_METATYPE(aes::ImageSet)
Q_DECLARE_METATYPE(aes::TraversalGrid)
Q_DECLARE_METATYPE(aes::StepReport)
Q_DECLARE_METATYPE(aes::EpochReport)
Q_DECLARE_METATYPE(aes::TrainOutcome)
Q_DECLARE_METATYPE(aes::OpenedModel)
