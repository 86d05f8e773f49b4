#include "pointcard.h"

#include "crispimage.h"
#include "spectrogramview.h"

#include <QPainter>

#include <algorithm>

PointCard::PointCard(QWidget *parent) : QLabel(parent)
{
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setStyleSheet(QStringLiteral(
        "QLabel { background: rgba(255,255,255,235); border: 1px solid #888; border-radius: 3px; padding: 4px; }"));
    setAlignment(Qt::AlignCenter);
    hide();
}

void PointCard::showPoint(const QString &caption, const QImage &imageIn, const QImage &reconstructionIn,
                          const QPointF &cursor)
{
    if (imageIn.isNull()) {
        setText(caption);
    } else {
        // Spectrograms (64 x 75 and so on) would stay at one pixel per pixel in kImageSize: doubled.
        const int side = m_spectrograms ? 2 * kImageSize : kImageSize;
        const QImage image = crispScaled(m_spectrograms ? SpectrogramView::colorized(imageIn) : imageIn, side);
        const QImage reconstruction = crispScaled(
            m_spectrograms ? SpectrogramView::colorized(reconstructionIn) : reconstructionIn, side);
        const QFontMetrics metrics(font());
        QStringList lines = caption.split(QLatin1Char('\n'));
        // The card floats under the mouse and takes no clicks: its play button is the P key.
        if (m_spectrograms)
            lines << tr("\u25b6 press P to play the clip");
        int textWidth = 0;
        for (const QString &line : lines)
            textWidth = std::max(textWidth, metrics.horizontalAdvance(line));
        const int gap = 6;
        const int imagesWidth = image.width() + (reconstruction.isNull() ? 0 : gap + reconstruction.width());
        const int width = std::max(imagesWidth, textWidth);
        const int textTop = image.height() + metrics.height() + 4;
        QPixmap card(width, textTop + int(lines.size()) * metrics.height() + 2);
        card.fill(Qt::transparent);
        QPainter painter(&card);
        int x = (width - imagesWidth) / 2;
        painter.drawImage(x, 0, image);
        painter.setPen(QColor(0x60, 0x60, 0x60));
        painter.drawText(QRect(x, image.height() + 1, image.width(), metrics.height()), Qt::AlignCenter, tr("image"));
        if (!reconstruction.isNull()) {
            x += image.width() + gap;
            painter.drawImage(x, 0, reconstruction);
            painter.drawText(QRect(x, image.height() + 1, reconstruction.width(), metrics.height()), Qt::AlignCenter,
                             tr("reconstructed"));
        }
        painter.setPen(Qt::black);
        for (int i = 0; i < lines.size(); ++i)
            painter.drawText(QRect(0, textTop + i * metrics.height(), width, metrics.height()), Qt::AlignCenter, lines.at(i));
        painter.end();
        setPixmap(card);
    }
    adjustSize();
    show();
    raise();
    placeBeside(cursor);
}

void PointCard::placeBeside(const QPointF &cursor)
{
    const QWidget *area = parentWidget();
    QPoint pos = cursor.toPoint() + QPoint(16, 16);
    if (area && pos.x() + width() > area->width())
        pos.rx() = int(cursor.x()) - 16 - width();
    if (area && pos.y() + height() > area->height())
        pos.ry() = int(cursor.y()) - 16 - height();
    move(std::max(0, pos.x()), std::max(0, pos.y()));
}
