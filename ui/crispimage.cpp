#include "crispimage.h"

#include <algorithm>

QImage crispScaled(const QImage &image, int side)
{
    if (image.isNull())
        return {};
    const int factor = side / std::max(1, std::max(image.width(), image.height()));
    if (factor == 1)
        return image;
    if (factor > 1)
        return image.scaled(image.size() * factor, Qt::KeepAspectRatio, Qt::FastTransformation);
    return image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}
