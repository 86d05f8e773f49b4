#include "training/metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace aes {

at::Tensor perImageMse(const at::Tensor &reconstruction, const at::Tensor &target)
{
    return (reconstruction - target).pow(2).flatten(1).mean(1);
}

at::Tensor psnrFromMse(const at::Tensor &mse)
{
    return (10.0 * torch::log10(1.0 / mse.clamp_min(1e-10))).clamp_max(100.0);
}

namespace {

// The five window sums SSIM needs: x, y, x^2, y^2, xy.
struct WindowSums {
    double x = 0, y = 0, xx = 0, yy = 0, xy = 0;
    void add(double a, double b, double sign)
    {
        x += sign * a;
        y += sign * b;
        xx += sign * a * a;
        yy += sign * b * b;
        xy += sign * a * b;
    }
    void add(const WindowSums &o, double sign)
    {
        x += sign * o.x;
        y += sign * o.y;
        xx += sign * o.xx;
        yy += sign * o.yy;
        xy += sign * o.xy;
    }
};

struct SsimConstants {
    int64_t win;
    double c1, c2, count, covNorm;
};

// Mean SSIM of one h x w map pair over every position where the win x win window fits. Window
// sums slide along each row, then down the columns, so a pixel costs the same whatever the
// window; sums in double, as scikit-image filters in float64. rowSums is scratch space.
double mapSsim(const float *a, const float *b, int64_t h, int64_t w, const SsimConstants &k,
               std::vector<WindowSums> &rowSums)
{
    const int64_t win = k.win, oh = h - win + 1, ow = w - win + 1;
    rowSums.assign(size_t(h * ow), WindowSums{});
    for (int64_t r = 0; r < h; ++r) {
        const float *ar = a + r * w, *br = b + r * w;
        WindowSums s;
        for (int64_t c = 0; c < win; ++c)
            s.add(ar[c], br[c], 1.0);
        WindowSums *out = rowSums.data() + r * ow;
        out[0] = s;
        for (int64_t c = 1; c < ow; ++c) {
            s.add(ar[c - 1], br[c - 1], -1.0);
            s.add(ar[c + win - 1], br[c + win - 1], 1.0);
            out[c] = s;
        }
    }
    std::vector<WindowSums> column(rowSums.begin(), rowSums.begin() + ow);
    for (int64_t r = 1; r < win; ++r)
        for (int64_t c = 0; c < ow; ++c)
            column[size_t(c)].add(rowSums[size_t(r * ow + c)], 1.0);
    double total = 0.0;
    for (int64_t r = 0; r < oh; ++r) {
        if (r > 0)
            for (int64_t c = 0; c < ow; ++c) {
                column[size_t(c)].add(rowSums[size_t((r - 1) * ow + c)], -1.0);
                column[size_t(c)].add(rowSums[size_t((r + win - 1) * ow + c)], 1.0);
            }
        for (int64_t c = 0; c < ow; ++c) {
            const WindowSums &s = column[size_t(c)];
            const double ux = s.x / k.count, uy = s.y / k.count;
            const double vx = k.covNorm * (s.xx / k.count - ux * ux);
            const double vy = k.covNorm * (s.yy / k.count - uy * uy);
            const double vxy = k.covNorm * (s.xy / k.count - ux * uy);
            total += ((2 * ux * uy + k.c1) * (2 * vxy + k.c2)) / ((ux * ux + uy * uy + k.c1) * (vx + vy + k.c2));
        }
    }
    return total / double(oh * ow);
}

} // namespace

at::Tensor perImageSsim(const at::Tensor &x, const at::Tensor &y)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    int64_t win = std::min<int64_t>({7, h, w});
    if (win % 2 == 0)
        --win;
    const double count = double(win * win);
    const SsimConstants k{win, 0.01 * 0.01, 0.03 * 0.03, count, count > 1 ? count / (count - 1.0) : 1.0};
    // Five 7x7 average pools in float64 over the validation set took most of an epoch's
    // validation time on 64x64 colour images; this is the same sum, one pass per map.
    const torch::Tensor xs = x.to(torch::kCPU, torch::kFloat32).contiguous();
    const torch::Tensor ys = y.to(torch::kCPU, torch::kFloat32).contiguous();
    const float *xp = xs.data_ptr<float>(), *yp = ys.data_ptr<float>();
    std::vector<double> perMap(size_t(n * c));
    at::parallel_for(0, n * c, 1, [&](int64_t begin, int64_t end) {
        std::vector<WindowSums> scratch;
        for (int64_t m = begin; m < end; ++m)
            perMap[size_t(m)] = mapSsim(xp + m * h * w, yp + m * h * w, h, w, k, scratch);
    });
    torch::Tensor out = torch::empty({n}, torch::kFloat32);
    auto values = out.accessor<float, 1>();
    for (int64_t i = 0; i < n; ++i) {
        double sum = 0.0;
        for (int64_t ch = 0; ch < c; ++ch)
            sum += perMap[size_t(i * c + ch)];
        values[i] = float(sum / double(c));
    }
    return out.to(x.device());
}

double knnAccuracy(const at::Tensor &refCodes, const at::Tensor &refLabels,
                   const at::Tensor &queryCodes, const at::Tensor &queryLabels, int k)
{
    const int64_t nq = queryCodes.size(0);
    const int64_t nr = refCodes.size(0);
    if (nq == 0 || nr == 0)
        return std::numeric_limits<double>::quiet_NaN();
    k = int(std::min<int64_t>(k, nr));
    const torch::Tensor ref = refCodes.to(torch::kFloat32).contiguous();
    const torch::Tensor refSq = ref.pow(2).sum(1);
    const torch::Tensor refLab = refLabels.to(torch::kLong).contiguous();
    int64_t correct = 0;
    // Chunks keep the distance matrix small for 70k-image datasets: 2^22 distances (16 MB, and a
    // few temporaries that size) per block. Blocks of 2^24 took ~270 MB with 63k reference
    // codes, half of a 70k-image run's peak memory; the result does not depend on the size.
    const int64_t chunk = std::max<int64_t>(1, (int64_t(1) << 22) / std::max<int64_t>(nr, 1));
    for (int64_t start = 0; start < nq; start += chunk) {
        const int64_t end = std::min(nq, start + chunk);
        const torch::Tensor q = queryCodes.slice(0, start, end).to(torch::kFloat32);
        const torch::Tensor d = q.pow(2).sum(1, true) - 2.0 * q.matmul(ref.t()) + refSq.unsqueeze(0);
        const torch::Tensor nearest = std::get<1>(d.topk(k, 1, /*largest=*/false, /*sorted=*/true));
        const torch::Tensor votes = refLab.index_select(0, nearest.flatten()).view({end - start, k});
        const auto v = votes.accessor<int64_t, 2>();
        const torch::Tensor truth = queryLabels.slice(0, start, end).to(torch::kLong).contiguous();
        const auto t = truth.accessor<int64_t, 1>();
        for (int64_t i = 0; i < end - start; ++i) {
            std::map<int64_t, int> count;
            int best = 0;
            for (int j = 0; j < k; ++j)
                best = std::max(best, ++count[v[i][j]]);
            // Neighbours are sorted by distance: the first label reaching the top count wins.
            int64_t winner = v[i][0];
            for (int j = 0; j < k; ++j)
                if (count[v[i][j]] == best) {
                    winner = v[i][j];
                    break;
                }
            correct += winner == t[i];
        }
    }
    return double(correct) / double(nq);
}

} // namespace aes
