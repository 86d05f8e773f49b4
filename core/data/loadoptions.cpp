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
    QString text = QStringLiteral("loaded %1 %2, skipped %3")
                       .arg(loaded)
                       .arg(loaded == 1 ? QStringLiteral("image") : QStringLiteral("images"))
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
