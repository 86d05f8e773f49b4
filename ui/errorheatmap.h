#pragma once
// Absolute reconstruction error as a picture: |input - output| per pixel (mean over
// channels), mapped through the "inferno" colour map from black (no error) to pale yellow
// (kMaxError or more). One fixed scale for every image and every snapshot, so errors can
// be compared between images and watched shrinking as the model learns.
//
// Free functions on value types: the caller owns what they return.
// Threads: any (QImage only, no QPixmap); the GUI calls them from the GUI thread.

#include <QColor>
#include <QImage>

namespace errorheatmap {

constexpr double kMaxError = 0.5;  // absolute error (pixels in 0..1) drawn at the top colour

// Same size and channels expected; a null image when they do not match.
QImage heatmap(const QImage &input, const QImage &output);
// t in 0..1 (clamped).
QColor color(double t);
// A horizontal colour bar, left = 0, right = kMaxError.
QImage legend(int width, int height);

} // namespace errorheatmap
