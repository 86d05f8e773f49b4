#pragma once
// The reconstruction grid: images above their reconstructions, as one image. Written by
// File > Export in the desktop app (from the window's newest snapshot) and by the export job
// (reconstructions.png beside the per-image files), so both look the same.
//
// Torch-free and OpenCV-free: ui/ includes it. Threads: any thread; reads only what is
// passed in. Failure: a null QImage when there is nothing to draw.

#include <QImage>
#include <QVector>

namespace aes {

struct ImageGridOptions {
    int columns = 8;        // pairs per row (at least 1, at most the number of images)
    int gap = 1;            // white pixels between cells and, when border, around them
    bool border = false;    // the gap around the grid too
    int minCellSide = 0;    // cells are enlarged by a whole-number factor (nearest neighbour)
                            // towards this many pixels on their longer side
};

// Rows of `columns` inputs, each row above a row of their reconstructions, on white. The
// cell size is the first input's; other sizes are scaled to it. Grayscale when every image
// is Grayscale8, else RGB888. A missing reconstruction leaves its cell white.
QImage reconstructionGrid(const QVector<QImage> &inputs, const QVector<QImage> &reconstructions,
                          const ImageGridOptions &options = {});

} // namespace aes
