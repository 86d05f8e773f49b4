#include "pointlayer.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

PointLayer::PointLayer(QCustomPlot *plot) : QCPLayerable(plot, QStringLiteral("main"))
{
}

void PointLayer::setPoints(const QVector<float> &x, const QVector<float> &y, const QVector<int> &labels,
                           QVector<QColor> colors)
{
    const int classes = std::max(0, int(colors.size()) - 1);
    m_xs.assign(size_t(classes) + 1, {});
    m_ys.assign(size_t(classes) + 1, {});
    m_rows.assign(size_t(classes) + 1, {});
    m_x = x;
    m_y = y;
    m_group.resize(x.size());
    for (qsizetype i = 0; i < x.size(); ++i) {
        const int label = labels.value(i, -1);
        const size_t c = size_t(label >= 0 && label < classes ? label : classes);
        m_group[i] = int(c);
        m_xs[c].push_back(x[i]);
        m_ys[c].push_back(y[i]);
        m_rows[c].push_back(i);
    }
    if (m_hidden.size() != x.size())
        m_hidden.clear();
    if (colors != m_colors)
        m_stamps.clear();
    m_colors = std::move(colors);
    m_visible.resize(int(m_xs.size()));
    std::fill(m_visible.begin(), m_visible.end(), true);
}

qsizetype PointLayer::classSize(int classIndex) const
{
    return classIndex >= 0 && size_t(classIndex) < m_xs.size() ? qsizetype(m_xs[size_t(classIndex)].size()) : 0;
}

void PointLayer::setClassVisible(int classIndex, bool visible)
{
    if (classIndex >= 0 && classIndex < m_visible.size())
        m_visible[classIndex] = visible;
}

void PointLayer::setHiddenPoints(const QVector<bool> &hidden)
{
    m_hidden = hidden;
}

void PointLayer::setSelectedPoints(const QVector<qint64> &rows)
{
    m_selected = rows;
}

QRect PointLayer::clipRect() const
{
    return mParentPlot->axisRect()->rect();
}

QVector<QColor> classColors(int count)
{
    static const QRgb kTableau[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                    0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    // Sasha Trubetskoy's 20 distinct colours, the palest (beige, mint, apricot, lavender) swapped
    // for darker ones that show on white, and no gray (the unlabelled points' colour).
    static const QRgb kDistinct[kDistinctColors] = {
        0xe6194b, 0x3cb44b, 0x4363d8, 0xf58231, 0x911eb4, 0x42d4f4, 0xf032e6, 0xbfef45, 0x469990, 0x9a6324,
        0x800000, 0x808000, 0x000075, 0xffe119, 0xfabed4, 0x000000, 0xb8860b, 0x6b8e23, 0x8a2be2, 0x20b2aa};
    QVector<QColor> colors;
    for (int c = 0; c < count; ++c)
        colors.append(count <= 10                ? QColor(kTableau[c])
                      : count <= kDistinctColors ? QColor(kDistinct[c])
                                                 : QColor::fromHsvF(double(c) / count, 0.75, 0.85));
    colors.append(QColor(0xb0, 0xb0, 0xb0));
    return colors;
}

QImage markerDisc(const QColor &color, int side)
{
    QImage disc(side, side, QImage::Format_ARGB32_Premultiplied);
    disc.fill(Qt::transparent);
    QPainter painter(&disc);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    QColor fill = color;
    fill.setAlpha(190);
    painter.setBrush(fill);
    painter.drawEllipse(QRectF(0.5, 0.5, side - 1.0, side - 1.0));
    return disc;
}

const std::vector<quint32> &PointLayer::stamp(int classIndex, int side)
{
    if (side != m_stampSide) {
        m_stamps.clear();
        m_selectedStamp.clear();
    }
    m_stampSide = side;
    if (m_stamps.empty()) {
        for (const QColor &c : m_colors) {
            const QImage disc = markerDisc(c, side);
            std::vector<quint32> pixels(size_t(side) * side);
            for (int y = 0; y < side; ++y)
                std::copy_n(reinterpret_cast<const quint32 *>(disc.constScanLine(y)), side, pixels.begin() + ptrdiff_t(y) * side);
            m_stamps.push_back(std::move(pixels));
        }
    }
    return m_stamps[size_t(classIndex)];
}

// Stamps a side x side premultiplied disc centred at (cx, cy) device pixels into the image.
void PointLayer::blend(const quint32 *disc, int side, double cx, double cy, quint32 *bits, qsizetype stride, int w, int h)
{
    const double half = side / 2.0;
    const int left = int(std::floor(cx - half + 0.5));
    const int top = int(std::floor(cy - half + 0.5));
    if (left >= w || top >= h || left + side <= 0 || top + side <= 0)
        return;
    const int x0 = std::max(0, -left), x1 = std::min(side, w - left);
    const int y0 = std::max(0, -top), y1 = std::min(side, h - top);
    for (int y = y0; y < y1; ++y) {
        quint32 *row = bits + (top + y) * stride + left;
        const quint32 *src = disc + size_t(y) * side;
        for (int x = x0; x < x1; ++x) {
            const quint32 s = src[x];
            const quint32 inv = 255 - (s >> 24);
            if (inv == 255)
                continue;
            const quint32 d = row[x];
            // Source over destination, premultiplied: d * (1 - alpha_s) + s per channel.
            const quint32 rb = (((d & 0x00ff00ff) * inv + 0x00800080) >> 8) & 0x00ff00ff;
            const quint32 ag = ((((d >> 8) & 0x00ff00ff) * inv + 0x00800080)) & 0xff00ff00;
            row[x] = s + rb + ag;
        }
    }
}

void PointLayer::draw(QCPPainter *painter)
{
    const QRect area = clipRect();
    if (area.isEmpty() || m_xs.empty())
        return;
    const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    const QSize size(qRound(area.width() * dpr), qRound(area.height() * dpr));
    if (m_image.size() != size)
        m_image = QImage(size, QImage::Format_ARGB32_Premultiplied);
    m_image.fill(Qt::transparent);
    m_image.setDevicePixelRatio(dpr);
    // Linear axes: pixel = a * coordinate + b, in device pixels of the image.
    QCPAxis *xAxis = mParentPlot->xAxis, *yAxis = mParentPlot->yAxis;
    const double ax = (xAxis->coordToPixel(1.0) - xAxis->coordToPixel(0.0)) * dpr;
    const double bx = (xAxis->coordToPixel(0.0) - area.left()) * dpr;
    const double ay = (yAxis->coordToPixel(1.0) - yAxis->coordToPixel(0.0)) * dpr;
    const double by = (yAxis->coordToPixel(0.0) - area.top()) * dpr;
    const int side = std::max(1, qRound(kMarkerSize * dpr));
    const int w = size.width(), h = size.height();
    quint32 *bits = reinterpret_cast<quint32 *>(m_image.bits());
    const qsizetype stride = m_image.bytesPerLine() / 4;
    for (size_t c = 0; c < m_xs.size(); ++c) {
        if (!m_visible.value(int(c), true) || int(c) >= m_colors.size())
            continue;
        const std::vector<quint32> &disc = stamp(int(c), side);
        const std::vector<float> &xs = m_xs[c], &ys = m_ys[c];
        const std::vector<qint64> &rows = m_rows[c];
        const bool anyHidden = !m_hidden.isEmpty();
        for (size_t i = 0; i < xs.size(); ++i) {
            if (anyHidden && m_hidden[rows[i]])
                continue;
            blend(disc.data(), side, ax * xs[i] + bx, ay * ys[i] + by, bits, stride, w, h);
        }
    }
    if (!m_selected.isEmpty()) {
        // The selection above every group: a black ring around a disc of the point's colour.
        const int ringSide = side + qRound(4 * dpr);
        if (m_selectedStamp.size() != size_t(ringSide) * ringSide) {
            QImage ring(ringSide, ringSide, QImage::Format_ARGB32_Premultiplied);
            ring.fill(Qt::transparent);
            QPainter p(&ring);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(QPen(QColor(0, 0, 0, 230), 1.6 * dpr));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(QRectF(1.0, 1.0, ringSide - 2.0, ringSide - 2.0));
            p.end();
            m_selectedStamp.assign(size_t(ringSide) * ringSide, 0);
            for (int y = 0; y < ringSide; ++y)
                std::copy_n(reinterpret_cast<const quint32 *>(ring.constScanLine(y)), ringSide,
                            m_selectedStamp.begin() + ptrdiff_t(y) * ringSide);
        }
        for (qint64 row : m_selected) {
            if (row < 0 || row >= m_x.size() || (!m_hidden.isEmpty() && m_hidden[row])
                || !m_visible.value(m_group.value(row), true))
                continue;
            const double px = ax * m_x[row] + bx, py = ay * m_y[row] + by;
            blend(stamp(m_group[row], side).data(), side, px, py, bits, stride, w, h);
            blend(m_selectedStamp.data(), ringSide, px, py, bits, stride, w, h);
        }
    }
    painter->drawImage(area.topLeft(), m_image);
}
