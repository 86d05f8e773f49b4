#include "spectrogramview.h"

#include "util/colormap.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace {

double hzToMel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }

} // namespace

SpectrogramView::SpectrogramView(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

QImage SpectrogramView::colorized(const QImage &spectrogram)
{
    if (spectrogram.isNull())
        return {};
    const QImage gray = spectrogram.convertToFormat(QImage::Format_Grayscale8);
    static const QVector<QRgb> table = [] {
        QVector<QRgb> t(256);
        for (int i = 0; i < 256; ++i)
            t[i] = aes::infernoColor(i / 255.0);
        return t;
    }();
    QImage indexed(gray.constBits(), gray.width(), gray.height(), gray.bytesPerLine(), QImage::Format_Indexed8);
    indexed.setColorTable(table);
    return indexed.convertToFormat(QImage::Format_RGB32);  // a deep copy: gray may go away
}

QImage SpectrogramView::concatenated(const QVector<QImage> &spectrograms)
{
    int width = 0;
    for (const QImage &image : spectrograms) {
        if (image.isNull() || image.height() != spectrograms.first().height())
            return {};
        width += image.width();
    }
    if (spectrograms.isEmpty() || width == 0)
        return {};
    QImage out(width, spectrograms.first().height(), QImage::Format_Grayscale8);
    QPainter p(&out);
    int x = 0;
    for (const QImage &image : spectrograms) {
        p.drawImage(x, 0, image.convertToFormat(QImage::Format_Grayscale8));
        x += image.width();
    }
    return out;
}

void SpectrogramView::setSpectrogram(const QImage &spectrogram, const aes::AudioOptions &audio)
{
    m_image = colorized(spectrogram);
    m_audio = audio;
    update();
}

void SpectrogramView::setWaveform(const std::vector<float> &samples)
{
    m_wave = samples;
    update();
}

void SpectrogramView::setTitle(const QString &title)
{
    m_title = title;
    update();
}

void SpectrogramView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const QFontMetrics fm = fontMetrics();
    const int left = fm.horizontalAdvance(QStringLiteral("8000 Hz")) + 10;
    const int bottom = fm.height() * 2 + 6;
    int top = m_title.isEmpty() ? 4 : fm.height() + 6;
    if (!m_title.isEmpty())
        p.drawText(QRect(left, 2, width() - left, fm.height()), Qt::AlignCenter, m_title);
    const int right = 10;
    const int plotWidth = width() - left - right;
    if (!m_wave.empty()) {
        // The waveform: min/max of the samples under each pixel column.
        const int waveHeight = std::max(30, height() / 5);
        const QRect box(left, top, plotWidth, waveHeight);
        p.fillRect(box, palette().base());
        p.setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1));
        const double perPixel = double(m_wave.size()) / std::max(1, box.width());
        for (int x = 0; x < box.width(); ++x) {
            const size_t from = size_t(x * perPixel), to = std::min(m_wave.size(), size_t((x + 1) * perPixel) + 1);
            float lo = 0.0f, hi = 0.0f;
            for (size_t i = from; i < to; ++i) {
                lo = std::min(lo, m_wave[i]);
                hi = std::max(hi, m_wave[i]);
            }
            const int mid = box.center().y();
            p.drawLine(box.left() + x, mid - int(hi * box.height() / 2), box.left() + x, mid - int(lo * box.height() / 2));
        }
        p.setPen(palette().windowText().color());
        p.drawRect(box.adjusted(0, 0, -1, -1));
        top += waveHeight + 6;
    }
    const QRect plot(left, top, plotWidth, height() - top - bottom);
    if (m_image.isNull() || plot.width() < 10 || plot.height() < 10) {
        p.drawText(rect(), Qt::AlignCenter, tr("No spectrogram"));
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(plot, m_image);
    p.setPen(palette().windowText().color());
    p.drawRect(plot.adjusted(0, 0, -1, -1));

    // Frequency ticks at round frequencies, placed by mel (the rows are evenly spaced in mel).
    const double melLow = hzToMel(m_audio.fMin), melHigh = hzToMel(m_audio.maxFrequency());
    for (double hz : {0.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0}) {
        if (hz < m_audio.fMin || hz > m_audio.maxFrequency())
            continue;
        const double t = (hzToMel(hz) - melLow) / std::max(1e-9, melHigh - melLow);
        const int y = plot.bottom() - int(t * plot.height());
        p.drawLine(plot.left() - 4, y, plot.left(), y);
        const QString label = hz >= 1000.0 ? QStringLiteral("%1k").arg(hz / 1000.0) : QString::number(hz);
        p.drawText(QRect(0, y - fm.height() / 2, left - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                   label + QStringLiteral(" Hz"));
    }
    // Time ticks every 0.1, 0.2, 0.5 or 1 s, whichever gives at most about 8.
    const double seconds = double(m_audio.samplesFor(m_image.width())) / m_audio.sampleRate;
    double step = 0.1;
    for (double s : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0})
        if (seconds / s <= 8.0) {
            step = s;
            break;
        }
    for (double s = 0.0; s <= seconds + 1e-9; s += step) {
        const int x = plot.left() + int(s / std::max(seconds, 1e-9) * (plot.width() - 1));
        p.drawLine(x, plot.bottom(), x, plot.bottom() + 4);
        p.drawText(QRect(x - 30, plot.bottom() + 5, 60, fm.height()), Qt::AlignCenter, QString::number(s, 'g', 3));
    }
    p.drawText(QRect(plot.left(), plot.bottom() + 5 + fm.height(), plot.width(), fm.height()), Qt::AlignCenter,
               tr("time (s) \u00b7 %1 mel bands").arg(m_audio.nMels));
}
