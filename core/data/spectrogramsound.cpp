#include "data/spectrogramsound.h"

#include "data/griffinlim.h"
#include "data/melspectrogram.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace aes {

std::vector<float> spectrogramImageToSound(const QImage &image, const AudioOptions &audio, QString *error,
                                           int iterations)
{
    if (const QString problem = audio.validate(); !problem.isEmpty()) {
        *error = problem;
        return {};
    }
    if (image.isNull() || image.height() != audio.nMels || image.width() < 2) {
        *error = QStringLiteral("the spectrogram has %1 rows, the sound needs %2 mel bands")
                     .arg(image.height()).arg(audio.nMels);
        return {};
    }
    const QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
    torch::Tensor unit = torch::empty({gray.height(), gray.width()}, torch::kFloat);
    auto a = unit.accessor<float, 2>();
    for (int y = 0; y < gray.height(); ++y) {
        const uchar *row = gray.constScanLine(y);
        for (int x = 0; x < gray.width(); ++x)
            a[gray.height() - 1 - y][x] = float(row[x]) / 255.0f;  // lowest band first
    }
    const MelSpectrogram mel(audio);
    GriffinLimOptions g;
    g.iterations = iterations;
    return featuresToWave(mel, unit, g);
}

QByteArray toPcm16(const std::vector<float> &samples)
{
    QByteArray bytes(qsizetype(samples.size() * 2), Qt::Uninitialized);
    for (size_t i = 0; i < samples.size(); ++i) {
        const float s = std::isfinite(samples[i]) ? std::clamp(samples[i], -1.0f, 1.0f) : 0.0f;
        const qint16 v = qint16(std::lround(s * 32767.0f));
        bytes[qsizetype(2 * i)] = char(v & 0xFF);
        bytes[qsizetype(2 * i + 1)] = char((v >> 8) & 0xFF);
    }
    return bytes;
}

} // namespace aes
