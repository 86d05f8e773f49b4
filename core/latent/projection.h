#pragma once
// The latent explorer's projections: every code (N x D) to a point of a 2-D map, the
// map's inverse (a point of the map -> a full code, ready for AutoencoderImpl::decode),
// and the nearest point of the map under the mouse.
//
// Methods: Direct (latent size 2), Dims (two chosen latent dimensions; the others at
// their mean when inverting), Pca (exact inverse through the principal plane), Tsne and Umap
// (approximate inverse: the mean code of the k nearest points of the map; codes the map has
// not seen are placed by UMAP's transform, the weighted mean of their neighbours' points).
//
// Ownership: a Projection is a value; its tensors and index are shared, never modified.
// Threads: project() runs on the calling thread (t-SNE and UMAP use the compute threads and
// may be cancelled from any thread through LayoutControl). A finished Projection is read-only:
// any thread may call its const functions.
// Failure: options the codes cannot satisfy (Direct on a latent size other than 2, a
// dimension out of range, non-finite codes) come back as a message.

#include "latent/planeindex.h"
#include "latent/projectionmethod.h"
#include "latent/tsne.h"
#include "latent/umap.h"

#include <ATen/core/Tensor.h>

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace aes {

struct ProjectionOptions {
    ProjectionMethod method = ProjectionMethod::Pca;
    int dimX = 0;                      // Dims: the latent dimension on the horizontal axis
    int dimY = 1;                      // ... and on the vertical one
    TsneOptions tsne;
    UmapOptions umap;
    int inverseNeighbours = 10;        // Tsne, Umap: how many codes the approximate inverse averages
};

// The nearest-point index of a layout (N x 2, copied).
std::shared_ptr<const PlaneIndex> indexLayout(const at::Tensor &layout);

struct Projection {
    ProjectionMethod method = ProjectionMethod::Pca;
    at::Tensor layout;                 // float32, N x 2: the map
    bool exactInverse = true;          // false for Tsne and Umap
    at::Tensor origin;                 // float32, D: exact inverse = origin + x * axes[0] + y * axes[1]
    at::Tensor axes;                   // float32, 2 x D
    at::Tensor explainedVarianceRatio; // float64, 2 (Pca only)
    at::Tensor codes;                  // float32, N x D (Tsne, Umap: what the inverse averages)
    int inverseNeighbours = 10;
    int placeNeighbours = 15;          // Tsne, Umap: neighbours that place new codes (place())
    std::shared_ptr<const PlaneIndex> index;   // over layout

    // The code of a point of the map (1 x D float32), ready to decode.
    at::Tensor codeAt(double x, double y) const;
    // The codes of M points of the map (M x 2) -> M x D float32, e.g. for a traversal grid.
    at::Tensor codesAt(const at::Tensor &points) const;
    // Where codes the map has not seen (M x D) belong on it, M x 2 float32: exact for the
    // linear maps, UMAP's transform (placeByNeighbours, umap.h) for t-SNE and UMAP.
    at::Tensor place(const at::Tensor &newCodes) const;
    // The row of the input closest to (x, y) on the map.
    qint64 nearestPoint(double x, double y) const;
};

struct ProjectionResult {
    std::optional<Projection> projection;  // empty on error or when cancelled
    QString error;
    bool cancelled = false;
    bool ok() const { return projection.has_value(); }
};

// Projects codes (N x D, any floating type) with options.method. control is used by Tsne
// and Umap only.
ProjectionResult project(const at::Tensor &codes, const ProjectionOptions &options,
                         LayoutControl *control = nullptr);

// steps codes (steps >= 2, a first, b last) on the way from code a to code b (D each):
// a straight line, or spherical (slerp: the angle between them in equal steps, the norm
// moving from |a| to |b|; a straight line when they are (anti)parallel). steps x D float32.
at::Tensor interpolateCodes(const at::Tensor &a, const at::Tensor &b, int steps, bool spherical);

// The centres of a columns x rows grid of cells over the rectangle [left, right] x
// [bottom, top] of a map, row-major from the top row (largest y), each row left to right:
// (rows * columns) x 2 float32, ready for Projection::codesAt (a traversal grid).
at::Tensor gridPoints(double left, double bottom, double right, double top, int columns, int rows);

} // namespace aes
