#include "appicon.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace {

// The SVG's 128 x 128 drawing, scaled to side.
QPixmap draw(int side)
{
    QPixmap pixmap(side, side);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(side / 128.0, side / 128.0);
    QLinearGradient background(0, 4, 0, 124);
    background.setColorAt(0, QColor(0x2f, 0x6f, 0xb3));
    background.setColorAt(1, QColor(0x1d, 0x46, 0x77));
    p.setPen(Qt::NoPen);
    p.setBrush(background);
    p.drawRoundedRect(QRectF(4, 4, 120, 120), 24, 24);
    p.setBrush(QColor(255, 255, 255, 230));
    p.drawPolygon(QPolygonF({QPointF(22, 24), QPointF(56, 52), QPointF(56, 76), QPointF(22, 104)}));
    p.drawPolygon(QPolygonF({QPointF(106, 24), QPointF(72, 52), QPointF(72, 76), QPointF(106, 104)}));
    p.setBrush(QColor(0xff, 0xb5, 0x47));
    p.drawRoundedRect(QRectF(58, 54, 12, 20), 3, 3);
    return pixmap;
}

} // namespace

QIcon appIcon()
{
    QIcon icon;
    for (int side : {16, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(draw(side));
    return icon;
}
