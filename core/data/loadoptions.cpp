#include "data/loadoptions.h"

#include "data/loadoptionsfields.h"
#include "util/enumnames.h"
#include "util/jsonfields.h"

#include <QMap>
#include <QPair>

#include <algorithm>
#include <cmath>

namespace aes {

namespace {

const std::pair<ResizeMode, const char *> kResizeModes[] = {
    {ResizeMode::CenterCrop, "crop"},
    {ResizeMode::Letterbox, "letterbox"},
};

} // namespace

QString toString(ResizeMode mode) { return detail::enumName(kResizeModes, mode); }
std::optional<ResizeMode> resizeModeFromString(const QString &name) { return detail::enumFromName(kResizeModes, name); }

int AudioOptions::framesFor(qint64 samples) const
{
    return int(1 + std::max<qint64>(samples, 0) / std::max(hop, 1));
}

qint64 AudioOptions::samplesFor(int frames) const
{
    return qint64(std::max(frames - 1, 0)) * std::max(hop, 1);
}

QString AudioOptions::validate() const
{
    if (sampleRate < 1000 || sampleRate > 192000)
        return QStringLiteral("the sample rate must be from 1000 to 192000 Hz, not %1").arg(sampleRate);
    if (nFft < 16 || nFft > 16384)
        return QStringLiteral("n_fft must be from 16 to 16384 samples, not %1").arg(nFft);
    // Beyond half the window the inverse STFT cannot overlap-add a Hann window back.
    if (hop < 1 || hop > nFft / 2)
        return QStringLiteral("the hop must be from 1 to n_fft / 2 (%1) samples, not %2").arg(nFft / 2).arg(hop);
    if (nMels < 1 || nMels > nFft / 2 + 1)
        return QStringLiteral("n_mels must be from 1 to n_fft / 2 + 1 (%1), not %2").arg(nFft / 2 + 1).arg(nMels);
    if (!(fMin >= 0.0) || !(fMax >= 0.0) || fMax > sampleRate / 2.0 || fMin >= maxFrequency())
        return QStringLiteral("the mel band %1-%2 Hz must lie within 0-%3 Hz, lowest first")
            .arg(fMin).arg(maxFrequency()).arg(sampleRate / 2.0);
    if (!(seconds >= 0.0 && seconds <= 3600.0) || !(windowSeconds >= 0.0 && windowSeconds <= 3600.0))
        return QStringLiteral("durations must be from 0 to 3600 seconds");
    if (!(dbRange >= 10.0 && dbRange <= 200.0))
        return QStringLiteral("the dB range must be from 10 to 200, not %1").arg(dbRange);
    return {};
}

QString AudioOptions::describe() const
{
    return QStringLiteral("%1 Hz, %2 mels, n_fft %3, hop %4, %5-%6 Hz, %7 dB range")
        .arg(sampleRate).arg(nMels).arg(nFft).arg(hop).arg(fMin).arg(maxFrequency()).arg(dbRange);
}

QJsonObject LoadOptions::toJson() const
{
    return writeFields(*this, [](auto &io, auto &o) { describeLoadOptions(io, o); });
}

std::optional<LoadOptions> LoadOptions::fromJson(const QJsonObject &json, QString *error, const QString &keyPrefix)
{
    LoadOptions options;
    JsonReader reader(json, keyPrefix);
    describeLoadOptions(reader, options);
    if (!reader.error().isEmpty()) {
        if (error)
            *error = reader.error();
        return std::nullopt;
    }
    return options;
}

QString LoadReport::reasonCounts(int maxReasons) const
{
    QMap<QString, int> counts;
    for (const SkippedFile &s : skipped)
        ++counts[s.reason];
    QVector<QPair<int, QString>> sorted;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        sorted.push_back({it.value(), it.key()});
    // Most frequent first; equal counts by name, so the text is stable.
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    QStringList parts;
    for (int i = 0; i < sorted.size() && i < maxReasons; ++i)
        parts << QStringLiteral("%1 %2").arg(sorted[i].first).arg(sorted[i].second);
    if (sorted.size() > maxReasons)
        parts << QStringLiteral("...");
    return parts.join(QStringLiteral(", "));
}

QString LoadReport::summary() const
{
    const QString noun = audio ? (loaded == 1 ? QStringLiteral("clip") : QStringLiteral("clips"))
                               : (loaded == 1 ? QStringLiteral("image") : QStringLiteral("images"));
    QString text = QStringLiteral("loaded %1 %2, skipped %3")
                       .arg(loaded)
                       .arg(noun)
                       .arg(skipped.size());
    if (!skipped.isEmpty())
        text += QStringLiteral(" (%1)").arg(reasonCounts());
    if (!cacheFile.isEmpty())
        text += decoded == 0 ? QStringLiteral("; from the cache") : QStringLiteral("; cached (decoded %1)").arg(decoded);
    return text;
}

qint64 validationCount(qint64 images, double fraction)
{
    if (images <= 0)
        return 0;
    fraction = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.0;
    qint64 count = std::llround(double(images) * fraction);
    if (fraction > 0.0 && images >= 2)
        count = std::max<qint64>(count, 1);  // a requested validation set is never empty
    return std::min(count, images - 1);      // and training keeps at least one image
}

QString classNameOf(const QStringList &classNames, qint64 label)
{
    return label >= 0 && label < classNames.size() ? classNames.at(int(label)) : QString();
}

QString labelText(const QStringList &classNames, qint64 label)
{
    if (label < 0)
        return {};
    return label < classNames.size() ? classNames.at(int(label)) : QString::number(label);
}

} // namespace aes
