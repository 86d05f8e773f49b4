#include "latent/projectionmethod.h"

#include "util/enumnames.h"

namespace aes {

namespace {
constexpr std::pair<ProjectionMethod, const char *> kMethodNames[] = {
    {ProjectionMethod::Direct, "direct"},
    {ProjectionMethod::Dims, "dims"},
    {ProjectionMethod::Pca, "pca"},
    {ProjectionMethod::Tsne, "tsne"},
    {ProjectionMethod::Umap, "umap"},
};
} // namespace

bool isIterative(ProjectionMethod method)
{
    return method == ProjectionMethod::Tsne || method == ProjectionMethod::Umap;
}

QString toString(ProjectionMethod method) { return detail::enumName(kMethodNames, method); }
std::optional<ProjectionMethod> projectionMethodFromString(const QString &name)
{
    return detail::enumFromName(kMethodNames, name);
}
QStringList projectionMethodNames() { return detail::enumNames(kMethodNames); }

} // namespace aes
