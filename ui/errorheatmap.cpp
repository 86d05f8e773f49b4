#include "errorheatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace errorheatmap {

namespace {

// Matplotlib's "inferno", sampled at 9 even steps: perceptually uniform, dark = small.
constexpr int kStops[9][3] = {
    {0, 0, 4}, {31, 12, 72}, {85, 15, 109}, {136, 34, 106}, {186, 54, 85},
    {227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164},
};

} // namespace

QColor color(double t)
{
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 8.0;
    const int i = std::min(7, int(t));
    const double f = t - i;
    const auto mix = [f](int a, int b) { return int(std::lround(a + (b - a) * f)); };
    return QColor(mix(kStops[i][0], kStops[i + 1][0]), mix(kStops[i][1], kStops[i + 1][1]),
                  mix(kStops[i][2], kStops[i + 1][2]));
}

QImage heatmap(const QImage &input, const QImage &output)
{
    if (input.isNull() || input.size() != output.size())
        return {};
    // One lookup table from the 0..255 mean difference to a colour.
    QRgb table[256];
    for (int d = 0; d < 256; ++d)
        table[d] = color(d / 255.0 / kMaxError).rgb();
    const QImage a = input.convertToFormat(QImage::Format_RGB888);
    const QImage b = output.convertToFormat(QImage::Format_RGB888);
    const bool gray = input.isGrayscale();
    QImage out(input.size(), QImage::Format_RGB32);
    for (int y = 0; y < a.height(); ++y) {
        const uchar *pa = a.constScanLine(y);
        const uchar *pb = b.constScanLine(y);
        auto *po = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < a.width(); ++x) {
            const uchar *ca = pa + 3 * x;
            const uchar *cb = pb + 3 * x;
            const int d = gray ? std::abs(ca[0] - cb[0])
                               : (std::abs(ca[0] - cb[0]) + std::abs(ca[1] - cb[1]) + std::abs(ca[2] - cb[2])) / 3;
            po[x] = table[d];
        }
    }
    return out;
}

QImage legend(int width, int height)
{
    QImage bar(std::max(1, width), std::max(1, height), QImage::Format_RGB32);
    for (int x = 0; x < bar.width(); ++x) {
        const QRgb c = color(double(x) / std::max(1, bar.width() - 1)).rgb();
        for (int y = 0; y < bar.height(); ++y)
            bar.setPixel(x, y, c);
    }
    return bar;
}

} // namespace errorheatmap
