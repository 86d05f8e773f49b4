#pragma once
// Image folders for the GUI tests (Qt Gui only: no torch, no OpenCV).

#include <QDir>
#include <QImage>
#include <QString>

namespace aes::test {

// count gray side x side PNGs in two classes, "light" and "dark" (alternating), each with a
// diagonal stripe of the other shade: a dataset a tiny model learns in an epoch or two.
inline bool writeTwoClassFolder(const QString &dir, int count, int side)
{
    for (int i = 0; i < count; ++i) {
        QImage image(side, side, QImage::Format_Grayscale8);
        image.fill(i % 2 ? 30 : 200);
        for (int k = 0; k < side; ++k)
            image.setPixelColor(k, (i + k) % side, i % 2 ? Qt::white : Qt::black);
        const QString cls = i % 2 ? QStringLiteral("dark") : QStringLiteral("light");
        if (!QDir().mkpath(dir + QLatin1Char('/') + cls)
            || !image.save(QStringLiteral("%1/%2/%3.png").arg(dir, cls).arg(i)))
            return false;
    }
    return true;
}

} // namespace aes::test
