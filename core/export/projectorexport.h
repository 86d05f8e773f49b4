#pragma once
// Data export: embeddings for TensorBoard's projector, and images beside their
// reconstructions as PNG files.
//
// Projector folder (open it with TensorBoard's projector, or load the files by hand):
//   vectors.tsv             one row of codes per image, tab-separated, no header
//   metadata.tsv            header "label<TAB>file" (then "<TAB>cluster" and "<TAB>anomaly_score"
//                           when given), one row per image
//   sprite.png              the images in a square grid, row-major, at most 8192 px a side
//                           (thumbnails are scaled down when the images would not fit)
//   projector_config.pbtxt  ties them together (single_image_dim = thumbnail width, height)
//
// Threads: any thread; reads only what is passed in.
// Failure: returns a message naming the file and the reason. Every file is complete in a
// temporary file before any is renamed into place: a failure leaves no partial file and
// the previous files intact.

#include <ATen/core/Tensor.h>

#include <QString>
#include <QStringList>
#include <QVector>

namespace aes {

inline constexpr char kProjectorVectors[] = "vectors.tsv";
inline constexpr char kProjectorMetadata[] = "metadata.tsv";
inline constexpr char kProjectorSprite[] = "sprite.png";
inline constexpr char kProjectorConfig[] = "projector_config.pbtxt";
inline constexpr char kReconstructionGrid[] = "reconstructions.png";
inline constexpr int kMaxSpriteSide = 8192;

struct ProjectorData {
    at::Tensor codes;       // float, N x D
    at::Tensor images;      // uint8, N x C x H x W, C = 1 (gray) or 3 (RGB)
    QStringList labels;     // N entries ("" when unlabelled)
    QStringList files;      // N entries
    QVector<int> clusters;  // N entries (0-based, written 1-based), or empty: no cluster column
    QVector<double> anomalyScores;  // N entries, or empty: no anomaly_score column
};

struct SpriteLayout {
    int columns = 0;        // = rows: the grid is square
    int thumbWidth = 0;     // single_image_dim
    int thumbHeight = 0;
    bool fits() const { return columns > 0 && thumbWidth > 0 && thumbHeight > 0; }
};
// The grid for count images of width x height within maxSide pixels a side.
SpriteLayout spriteLayout(qint64 count, int width, int height, int maxSide = kMaxSpriteSide);

// Writes the four projector files into dir (created when missing). Empty on success.
QString exportProjector(const QString &dir, const ProjectorData &data);

// Writes reconstructions.png (rows of `columns` inputs, each above a row of their
// reconstructions) and, per image i, NNNNN-input.png and NNNNN-reconstruction.png.
// inputs, reconstructions: uint8 N x C x H x W. Empty on success.
QString exportReconstructionImages(const QString &dir, const at::Tensor &inputs,
                                   const at::Tensor &reconstructions, int columns = 8);

} // namespace aes
