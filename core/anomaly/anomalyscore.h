#pragma once
// Anomaly scores of a dataset's images under a trained autoencoder, and the heatmap that
// shows where an image is reconstructed badly (the error map, Gaussian-smoothed, overlaid on
// the image). The model is run in evaluation mode without autograd, in batches.
//
// Threads: the calling thread (LibTorch's compute threads inside); stop() is polled between
// batches and may be set from any thread. Failure: torch errors (c10::Error) on misuse only.

#include "anomaly/anomalymetrics.h"

#include <ATen/core/Tensor.h>

#include <QImage>

#include <functional>

namespace aes {

class AutoencoderImpl;
struct Dataset;

struct ScoreOptions {
    ScoreKind kind = ScoreKind::Mse;
    double sigma = 2.0;           // Gaussian blur of the error map in pixels (MaxSmoothed, heatmaps)
};

// Scores (float64, N) of data[indices] — every image when indices is undefined. Returns an
// undefined tensor when stop() says so between two batches. progress(done, total) after
// each batch.
at::Tensor scoreImages(AutoencoderImpl &model, const Dataset &data, const ScoreOptions &options,
                       const at::Tensor &indices = {}, const std::function<bool()> &stop = {},
                       const std::function<void(qint64, qint64)> &progress = {});

// The smoothed per-pixel error maps (float32, N x H x W, mean over channels) of the images
// x (float32 N x C x H x W in [0, 1]) and their reconstructions.
at::Tensor errorMaps(const at::Tensor &x, const at::Tensor &reconstruction, double sigma);

// One batch scored: what scoreImages, imageAnomaly and `score` are made of. maps is defined
// only when asked for (float32, N x H x W, the smoothed squared error at the model's size).
struct BatchScores {
    at::Tensor x;                 // float32 N x C x H x W in [0, 1]
    at::Tensor reconstruction;    // same shape
    at::Tensor scores;            // float64, N
    at::Tensor maps;
};
// The caller holds evaluation mode and no-grad (scoreImages does both).
BatchScores scoreBatch(AutoencoderImpl &model, const Dataset &data, const at::Tensor &indices,
                       const ScoreOptions &options, bool withMaps);

// The image (uint8 C x H x W) in gray with the error map (H x W) overlaid in inferno: the
// overlay grows more opaque with the error; the colour scale runs from 0 to maxError
// (<= 0: the map's own maximum).
QImage heatmapImage(const at::Tensor &image, const at::Tensor &map, double maxError);

struct ImageAnomaly {
    QImage image;                 // the input as loaded
    QImage reconstruction;
    QImage heatmap;               // the image in gray with the error map overlaid (inferno)
    double score = 0.0;
};
// The pictures of one image for the GUI's list and for `score --maps`; the heatmap's colour
// scale runs from 0 to maxError (<= 0: the image's own maximum).
ImageAnomaly imageAnomaly(AutoencoderImpl &model, const Dataset &data, qint64 index,
                          const ScoreOptions &options, double maxError = 0.0);

} // namespace aes
