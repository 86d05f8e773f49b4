#include "latent/projection.h"

#include "latent/pca.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace aes {

namespace {

ProjectionResult failure(const QString &message)
{
    ProjectionResult r;
    r.error = message;
    return r;
}

// A t-SNE or UMAP layout into the projection, whose inverse is then the mean of the nearest
// codes; the failure to return instead when there is none (an error, or cancelled).
template <typename LayoutResult>
std::optional<ProjectionResult> takeLayout(const LayoutResult &r, const torch::Tensor &codes,
                                           const ProjectionOptions &options, Projection *p)
{
    if (!r.error.isEmpty())
        return failure(r.error);
    if (r.cancelled) {
        ProjectionResult cancelled = failure(QStringLiteral("cancelled"));
        cancelled.cancelled = true;
        return cancelled;
    }
    p->layout = r.layout;
    p->exactInverse = false;
    p->codes = codes;
    p->inverseNeighbours = std::max(1, options.inverseNeighbours);
    return std::nullopt;
}

} // namespace

std::shared_ptr<const PlaneIndex> indexLayout(const at::Tensor &layout)
{
    TORCH_CHECK(layout.dim() == 2 && layout.size(1) == 2, "indexLayout: expected N x 2, got ", layout.sizes());
    const torch::Tensor xy = layout.to(torch::kFloat32).contiguous();
    return std::make_shared<const PlaneIndex>(xy.data_ptr<float>(), xy.size(0));
}

at::Tensor Projection::codeAt(double x, double y) const
{
    return codesAt(torch::tensor({float(x), float(y)}).view({1, 2}));
}

at::Tensor Projection::codesAt(const at::Tensor &points) const
{
    TORCH_CHECK(points.dim() == 2 && points.size(1) == 2, "Projection::codesAt: expected M x 2, got ", points.sizes());
    const torch::Tensor p = points.to(torch::kFloat32);
    if (exactInverse)
        return torch::addmm(origin.unsqueeze(0), p, axes);
    // t-SNE has no inverse map: average the codes of the points shown around (x, y).
    const torch::Tensor pc = p.contiguous();
    const auto a = pc.accessor<float, 2>();
    torch::Tensor out = torch::empty({p.size(0), codes.size(1)}, torch::kFloat32);
    for (int64_t m = 0; m < p.size(0); ++m) {
        const std::vector<qint64> rows = index->nearest(a[m][0], a[m][1], inverseNeighbours);
        const torch::Tensor picked = codes.index_select(0, torch::tensor(std::vector<int64_t>(rows.begin(), rows.end()), torch::kLong));
        out[m] = picked.mean(0);
    }
    return out;
}

at::Tensor Projection::place(const at::Tensor &newCodes) const
{
    TORCH_CHECK(newCodes.dim() == 2, "Projection::place: expected M x D codes, got ", newCodes.sizes());
    const torch::Tensor c = newCodes.to(torch::kFloat32);
    if (!exactInverse)
        return placeByNeighbours(codes, layout, c, placeNeighbours);
    // axes has orthonormal rows for every linear map, so x = (code - origin) . axis.
    return torch::mm(c - origin.unsqueeze(0), axes.t());
}

qint64 Projection::nearestPoint(double x, double y) const
{
    return index ? index->nearest(x, y) : -1;
}

ProjectionResult project(const at::Tensor &codesIn, const ProjectionOptions &options, LayoutControl *control)
{
    TORCH_CHECK(codesIn.dim() == 2, "project: expected N x D codes, got ", codesIn.sizes());
    const int64_t n = codesIn.size(0), d = codesIn.size(1);
    if (n == 0 || d == 0)
        return failure(QStringLiteral("there are no codes to project"));
    torch::NoGradGuard noGrad;
    const torch::Tensor codes = codesIn.to(torch::kFloat32).contiguous();
    if (!torch::isfinite(codes).all().item<bool>())
        return failure(QStringLiteral("the codes contain NaN or infinite values (did the training diverge?)"));

    Projection p;
    p.method = options.method;
    switch (options.method) {
    case ProjectionMethod::Direct:
        if (d != 2)
            return failure(QStringLiteral("the direct map needs a latent size of 2, not %1: choose two dimensions, PCA, t-SNE or UMAP").arg(d));
        p.layout = codes.clone();
        p.origin = torch::zeros({2}, torch::kFloat32);
        p.axes = torch::eye(2, torch::kFloat32);
        break;
    case ProjectionMethod::Dims: {
        const int x = options.dimX, y = options.dimY;
        if (x < 0 || y < 0 || x >= d || y >= d)
            return failure(QStringLiteral("latent dimensions %1 and %2 do not exist: the codes have %3 (0 to %4)")
                               .arg(x).arg(y).arg(d).arg(d - 1));
        if (x == y)
            return failure(QStringLiteral("choose two different latent dimensions, not %1 twice").arg(x));
        p.layout = torch::stack({codes.select(1, x), codes.select(1, y)}, 1);
        // The dimensions not shown sit at their mean; the shown ones come from the point.
        p.origin = codes.mean(0);
        p.origin[x] = 0.0f;
        p.origin[y] = 0.0f;
        p.axes = torch::zeros({2, d}, torch::kFloat32);
        p.axes[0][x] = 1.0f;
        p.axes[1][y] = 1.0f;
        break;
    }
    case ProjectionMethod::Pca: {
        if (d < 2)
            return failure(QStringLiteral("PCA to a plane needs codes of at least 2 dimensions, not %1").arg(d));
        const PcaResult r = pca(codes, 2);
        p.layout = r.projection;
        p.origin = r.mean;
        p.axes = r.components;
        p.explainedVarianceRatio = r.explainedVarianceRatio;
        break;
    }
    case ProjectionMethod::Tsne:
        if (std::optional<ProjectionResult> failed = takeLayout(runTsne(codes, options.tsne, control), codes, options, &p))
            return *failed;
        break;
    case ProjectionMethod::Umap:
        if (std::optional<ProjectionResult> failed = takeLayout(runUmap(codes, options.umap, control), codes, options, &p))
            return *failed;
        p.placeNeighbours = options.umap.neighbours;
        break;
    }
    p.index = indexLayout(p.layout);
    ProjectionResult result;
    result.projection = std::move(p);
    return result;
}

at::Tensor interpolateCodes(const at::Tensor &aIn, const at::Tensor &bIn, int steps, bool spherical)
{
    TORCH_CHECK(steps >= 2, "interpolateCodes: at least 2 steps, not ", steps);
    const torch::Tensor a = aIn.to(torch::kFloat64).flatten(), b = bIn.to(torch::kFloat64).flatten();
    TORCH_CHECK(a.numel() == b.numel(), "interpolateCodes: codes of ", a.numel(), " and ", b.numel(), " numbers");
    const torch::Tensor t = torch::linspace(0.0, 1.0, steps, torch::kFloat64).unsqueeze(1);
    torch::Tensor wa = 1.0 - t, wb = t;
    if (spherical) {
        const double na = a.norm().item<double>(), nb = b.norm().item<double>();
        if (na > 0.0 && nb > 0.0) {
            const double cosine = std::clamp(a.dot(b).item<double>() / (na * nb), -1.0, 1.0);
            const double omega = std::acos(cosine);
            const double sine = std::sin(omega);
            if (sine > 1e-6) {
                wa = torch::sin((1.0 - t) * omega) / sine;
                wb = torch::sin(t * omega) / sine;
            }
        }
    }
    torch::Tensor out = wa * a.unsqueeze(0) + wb * b.unsqueeze(0);
    // The ends exactly: decoding them must give the two images' own reconstructions.
    out[0] = a;
    out[steps - 1] = b;
    return out.to(torch::kFloat32);
}

at::Tensor gridPoints(double left, double bottom, double right, double top, int columns, int rows)
{
    TORCH_CHECK(columns > 0 && rows > 0, "gridPoints: ", columns, " x ", rows, " cells");
    torch::Tensor out = torch::empty({int64_t(rows) * columns, 2}, torch::kFloat32);
    auto p = out.accessor<float, 2>();
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c) {
            p[int64_t(r) * columns + c][0] = float(left + (c + 0.5) * (right - left) / columns);
            p[int64_t(r) * columns + c][1] = float(top - (r + 0.5) * (top - bottom) / rows);
        }
    return out;
}

} // namespace aes
