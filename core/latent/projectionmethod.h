#pragma once
// How codes become the points of a 2-D latent map, with the names users type and see.
// Threads: a value; any thread. Torch-free: ui/ includes it.

#include <QString>
#include <QStringList>

#include <optional>

namespace aes {

// Direct: the code itself (latent size 2). Dims: two chosen latent dimensions. Pca: the
// principal plane (exact inverse). Tsne: t-SNE (approximate inverse).
enum class ProjectionMethod { Direct, Dims, Pca, Tsne };

QString toString(ProjectionMethod method);   // "direct", "dims", "pca", "tsne"
std::optional<ProjectionMethod> projectionMethodFromString(const QString &name);
QStringList projectionMethodNames();

} // namespace aes
