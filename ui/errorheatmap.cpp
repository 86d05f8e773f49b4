#include "errorheatmap.h"

#include "util/colormap.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace errorheatmap {

QColor color(double t)
{
    return QColor(aes::infernoColor(t));
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
