#pragma once
// One table per enum maps values to the names users type and see; the helpers
// below serve every option enum so parsing and printing cannot drift apart.
// Threads: pure functions; any thread.

#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace aes::detail {

template <typename E, std::size_t N>
QString enumName(const std::pair<E, const char *> (&table)[N], E value)
{
    for (const auto &entry : table)
        if (entry.first == value)
            return QString::fromLatin1(entry.second);
    return {};
}

template <typename E, std::size_t N>
std::optional<E> enumFromName(const std::pair<E, const char *> (&table)[N], const QString &name)
{
    const QString wanted = name.trimmed().toLower();
    for (const auto &entry : table)
        if (wanted == QLatin1String(entry.second))
            return entry.first;
    return std::nullopt;
}

template <typename E, std::size_t N>
QStringList enumNames(const std::pair<E, const char *> (&table)[N])
{
    QStringList names;
    for (const auto &entry : table)
        names << QString::fromLatin1(entry.second);
    return names;
}

} // namespace aes::detail
