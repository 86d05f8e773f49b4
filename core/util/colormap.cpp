#include "util/colormap.h"

#include <algorithm>
#include <cmath>

namespace aes {

namespace {

// Inferno sampled at 9 even steps, interpolated linearly between them.
constexpr int kStops[9][3] = {
    {0, 0, 4}, {31, 12, 72}, {85, 15, 109}, {136, 34, 106}, {186, 54, 85},
    {227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164},
};

} // namespace

QRgb infernoColor(double t)
{
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 8.0;
    const int i = std::min(7, int(t));
    const double f = t - i;
    const auto mix = [f](int a, int b) { return int(std::lround(a + (b - a) * f)); };
    return qRgb(mix(kStops[i][0], kStops[i + 1][0]), mix(kStops[i][1], kStops[i + 1][1]),
                mix(kStops[i][2], kStops[i + 1][2]));
}

} // namespace aes
