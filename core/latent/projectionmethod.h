#pragma once
// How codes become the points of a 2-D latent map, with the names users type and see.
// Threads: a value; any thread. Torch-free: ui/ includes it.

#include <QString>
#include <QStringList>

#include <optional>

namespace aes {

// Direct: the code itself (latent size 2). Dims: two chosen latent dimensions. Pca: the
// principal plane (exact inverse). Tsne: t-SNE, Umap: UMAP (both iterative, seeded, with an
// approximate inverse).
enum class ProjectionMethod { Direct, Dims, Pca, Tsne, Umap };

// The UMAP parameters a user sets on the map (umap.h's UmapOptions holds the rest).
struct UmapParameters {
    int neighbours = 15;               // n_neighbors, the point itself included
    double minDist = 0.1;
    bool operator==(const UmapParameters &o) const { return neighbours == o.neighbours && minDist == o.minDist; }
};

// Whether the method lays the map out by an optimisation (t-SNE, UMAP): seconds to minutes,
// intermediate layouts, an approximate inverse.
bool isIterative(ProjectionMethod method);

QString toString(ProjectionMethod method);   // "direct", "dims", "pca", "tsne", "umap"
std::optional<ProjectionMethod> projectionMethodFromString(const QString &name);
QStringList projectionMethodNames();

} // namespace aes
