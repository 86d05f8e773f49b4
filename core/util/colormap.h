#pragma once
// Matplotlib's "inferno" colour map: perceptually uniform, black for 0 to pale yellow for 1.
// The error heatmaps of the GUI and of anomaly scoring draw with it.
// Threads: any; pure function. Failure: none (t is clamped, NaN is 0). Torch-free: ui/ includes it.

#include <QRgb>

namespace aes {

// t in 0..1 (clamped).
QRgb infernoColor(double t);

} // namespace aes
