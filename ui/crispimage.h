#pragma once
// Shows small images (28x28 digits, 64x64 photos) large without blurring them: enlarged by a
// whole-number factor with nearest-neighbour sampling, so each source pixel stays a sharp
// square; an image larger than the room is shrunk smoothly instead.
//
// Ownership: returns a new image; the caller owns it. Threads: any (QImage only); the GUI
// calls it from the GUI thread. Failure: a null image gives a null image.

#include <QImage>

// image fitted into side x side pixels (aspect kept): enlarged by the largest whole factor
// that fits, unchanged when only factor 1 fits, shrunk smoothly when it is larger.
QImage crispScaled(const QImage &image, int side);
