#include "util/jsonfields.h"

#include <QFileInfo>

#include <cmath>
#include <limits>

namespace aes {

void JsonReader::fail(const QString &key, const QString &what)
{
    if (m_error.isEmpty())
        m_error = QStringLiteral("\"%1%2\" %3").arg(m_prefix, key, what);
}

void JsonReader::int64Field(const QString &key, qint64 *out)
{
    if (!m_object.contains(key))
        return;
    const QJsonValue v = m_object.value(key);
    const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
    if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
        return fail(key, QStringLiteral("is not a whole number"));
    *out = qint64(d);
}

void JsonReader::intField(const QString &key, int *out)
{
    qint64 value = *out;
    int64Field(key, &value);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
        return fail(key, QStringLiteral("is out of range"));
    *out = int(value);
}

void JsonReader::doubleField(const QString &key, double *out)
{
    if (!m_object.contains(key))
        return;
    const QJsonValue v = m_object.value(key);
    if (!v.isDouble())
        return fail(key, QStringLiteral("is not a number"));
    *out = v.toDouble();
}

void JsonReader::numberOrNullField(const QString &key, double *out)
{
    if (m_object.value(key).isNull()) {
        if (m_object.contains(key))
            *out = std::numeric_limits<double>::quiet_NaN();
        return;
    }
    doubleField(key, out);
}

void JsonWriter::numberOrNullField(const QString &key, const double *v)
{
    m_object.insert(key, std::isfinite(*v) ? QJsonValue(*v) : QJsonValue(QJsonValue::Null));
}

void JsonReader::boolField(const QString &key, bool *out)
{
    if (!m_object.contains(key))
        return;
    const QJsonValue v = m_object.value(key);
    if (!v.isBool())
        return fail(key, QStringLiteral("is not true or false"));
    *out = v.toBool();
}

void JsonReader::stringField(const QString &key, QString *out, Presence presence)
{
    if (!m_object.contains(key)) {
        if (presence == Presence::Required)
            fail(key, QStringLiteral("is missing"));
        return;
    }
    const QJsonValue v = m_object.value(key);
    if (!v.isString())
        return fail(key, QStringLiteral("is not a string"));
    *out = v.toString();
}

void JsonReader::uint64Field(const QString &key, quint64 *out)
{
    qint64 value = qint64(*out);
    int64Field(key, &value);
    if (value < 0)
        return fail(key, QStringLiteral("is negative"));
    *out = quint64(value);
}

void JsonWriter::intListField(const QString &key, const QVector<int> *v)
{
    QJsonArray array;
    for (int x : *v)
        array.append(x);
    m_object.insert(key, array);
}

void JsonReader::intListField(const QString &key, QVector<int> *out)
{
    if (!m_object.contains(key))
        return;
    const QJsonValue v = m_object.value(key);
    if (!v.isArray())
        return fail(key, QStringLiteral("is not a list of whole numbers"));
    QVector<int> values;
    for (const QJsonValue &item : v.toArray()) {
        const double d = item.toDouble(std::numeric_limits<double>::quiet_NaN());
        if (!item.isDouble() || d != std::floor(d) || std::fabs(d) > 1.0e9)
            return fail(key, QStringLiteral("is not a list of whole numbers"));
        values.append(int(d));
    }
    *out = values;
}

void JsonReader::intField(const QString &key, int *out, int min, int max)
{
    if (!m_object.contains(key))
        return;
    const double d = m_object.value(key).toDouble(std::numeric_limits<double>::quiet_NaN());
    // Range first: converting a huge double to an integer is undefined (found by fuzz_json).
    if (!m_object.value(key).isDouble() || !(d >= min && d <= max) || d != std::floor(d))
        return fail(key, QStringLiteral("must be a whole number from %1 to %2").arg(min).arg(max));
    *out = int(d);
}

bool JsonReader::readObject(const QString &key, QJsonObject *out, Presence presence)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() && presence == Presence::Optional)
        return false;
    if (!v.isObject()) {
        fail(key, v.isUndefined() ? QStringLiteral("is missing") : QStringLiteral("is not an object"));
        return false;
    }
    *out = v.toObject();
    return m_error.isEmpty();
}

void JsonReader::jsonObjectField(const QString &key, QJsonObject *out, Presence presence)
{
    QJsonObject object;
    if (readObject(key, &object, presence))
        *out = object;
}

void JsonReader::require(const QString &key, bool ok, const QString &what)
{
    if (!ok)
        fail(key, what);
}

void JsonReader::pathField(const QString &key, const QString &absoluteKey, QString *out)
{
    QString relative;
    QString absolute;
    stringField(key, &relative, Presence::Required);
    stringField(absoluteKey, &absolute);
    if (!m_error.isEmpty() || (relative.isEmpty() && absolute.isEmpty())) {
        out->clear();
        return;
    }
    // Both cleaned ("//x/../y" -> "/y"), so that a file read and written again is the same
    // (found by fuzz_json).
    const QString fromRelative = relative.isEmpty() ? QString() : QDir::cleanPath(m_base.absoluteFilePath(relative));
    if (!fromRelative.isEmpty() && (QFileInfo::exists(fromRelative) || absolute.isEmpty()))
        *out = fromRelative;
    else
        *out = QDir::cleanPath(m_base.absoluteFilePath(absolute));
}

void JsonWriter::pathField(const QString &key, const QString &absoluteKey, const QString *path)
{
    m_object.insert(key, path->isEmpty() ? QString() : m_base.relativeFilePath(*path));
    m_object.insert(absoluteKey, *path);
}

} // namespace aes
