#include "interpolationstrip.h"

#include "crispimage.h"
#include "spectrogramview.h"

#include <QPainter>

#include <algorithm>

InterpolationStrip::InterpolationStrip(QWidget *parent) : QWidget(parent)
{
    setMinimumHeight(60);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void InterpolationStrip::setImages(const QVector<QImage> &images)
{
    m_images = images;
    update();
}

void InterpolationStrip::setHint(const QString &hint)
{
    m_hint = hint;
    update();
}

QSize InterpolationStrip::sizeHint() const
{
    return {600, 110};
}

void InterpolationStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    if (m_images.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(8, 4, -8, -4), Qt::AlignCenter | Qt::TextWordWrap, m_hint);
        return;
    }
    const int n = int(m_images.size());
    const int captionHeight = fontMetrics().height() + 2;
    const int gap = 4;
    const int cell = std::max(8, std::min(height() - captionHeight, (width() - gap * (n - 1)) / n));
    const int total = n * cell + (n - 1) * gap;
    int x = std::max(0, (width() - total) / 2);
    for (int i = 0; i < n; ++i) {
        const QImage shown = crispScaled(m_spectrograms ? SpectrogramView::colorized(m_images.at(i)) : m_images.at(i), cell);
        painter.drawImage(x + (cell - shown.width()) / 2, (cell - shown.height()) / 2, shown);
        const QString caption = i == 0 ? QStringLiteral("A") : i == n - 1 ? QStringLiteral("B")
                                                                           : QString::number(double(i) / (n - 1), 'f', 2);
        painter.setPen(i == 0 || i == n - 1 ? palette().color(QPalette::WindowText) : palette().color(QPalette::PlaceholderText));
        painter.drawText(QRect(x, cell + 1, cell, captionHeight), Qt::AlignHCenter | Qt::AlignTop, caption);
        x += cell + gap;
    }
}
