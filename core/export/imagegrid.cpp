#include "export/imagegrid.h"

#include <algorithm>
#include <cstring>

namespace aes {

namespace {

bool allGray(const QVector<QImage> &images)
{
    return std::all_of(images.cbegin(), images.cend(),
                       [](const QImage &image) { return image.format() == QImage::Format_Grayscale8; });
}

// Copies image, scaled to cell, into grid at (x, y); both in the grid's format. Rows are
// copied byte for byte: QPainter cannot draw into a Grayscale8 image without converting.
void place(QImage &grid, const QImage &image, const QSize &cell, int x, int y)
{
    if (image.isNull())
        return;
    QImage fitted = image.size() == cell ? image : image.scaled(cell, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    fitted = fitted.convertToFormat(grid.format());
    const int bytesPerPixel = grid.depth() / 8;
    for (int row = 0; row < cell.height(); ++row)
        std::memcpy(grid.scanLine(y + row) + qsizetype(x) * bytesPerPixel, fitted.constScanLine(row),
                    size_t(cell.width()) * size_t(bytesPerPixel));
}

} // namespace

QImage reconstructionGrid(const QVector<QImage> &inputs, const QVector<QImage> &reconstructions,
                          const ImageGridOptions &options)
{
    if (inputs.isEmpty() || inputs.first().isNull())
        return {};
    const qsizetype n = inputs.size();
    const int columns = int(std::clamp<qsizetype>(options.columns, 1, n));
    const int rows = int((n + columns - 1) / columns);
    const QSize source = inputs.first().size();
    const int scale = std::max(1, options.minCellSide / std::max(source.width(), source.height()));
    const QSize cell = source * scale;
    const int gap = std::max(0, options.gap);
    const int outer = options.border ? gap : 0;
    const QImage::Format format =
        allGray(inputs) && allGray(reconstructions) ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    QImage grid(2 * outer + columns * (cell.width() + gap) - gap,
                2 * outer + rows * 2 * (cell.height() + gap) - gap, format);
    if (grid.isNull())
        return {};
    grid.fill(Qt::white);
    for (qsizetype i = 0; i < n; ++i) {
        const int x = outer + int(i % columns) * (cell.width() + gap);
        const int y = outer + int(i / columns) * 2 * (cell.height() + gap);
        place(grid, inputs[i], cell, x, y);
        place(grid, reconstructions.value(i), cell, x, y + cell.height() + gap);
    }
    return grid;
}

} // namespace aes
