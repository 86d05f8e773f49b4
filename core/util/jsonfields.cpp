#include "util/jsonfields.h"

#include <cmath>
#include <limits>

namespace aes {

void JsonReader::fail(const QString &key, const QString &what)
{
    if (m_error.isEmpty())
        m_error = QStringLiteral("\"%1\": %2").arg(key, what);
}

void JsonReader::int64Field(const QString &key, qint64 *out)
{
    if (!m_object.contains(key))
        return;
    const QJsonValue v = m_object.value(key);
    const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
    if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
        return fail(key, QStringLiteral("expected an integer"));
    *out = qint64(d);
}

void JsonReader::intField(const QString &key, int *out)
{
    qint64 value = *out;
    int64Field(key, &value);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
        return fail(key, QStringLiteral("integer out of range"));
    *out = int(value);
}

void JsonReader::doubleField(const QString &key, double *out)
{
    if (!m_object.contains(key))
        return;
    const QJsonValue v = m_object.value(key);
    if (!v.isDouble())
        return fail(key, QStringLiteral("expected a number"));
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
        return fail(key, QStringLiteral("expected true or false"));
    *out = v.toBool();
}

void JsonReader::stringField(const QString &key, QString *out)
{
    if (!m_object.contains(key))
        return;
    const QJsonValue v = m_object.value(key);
    if (!v.isString())
        return fail(key, QStringLiteral("expected a string"));
    *out = v.toString();
}

void JsonReader::uint64Field(const QString &key, quint64 *out)
{
    qint64 value = qint64(*out);
    int64Field(key, &value);
    if (value < 0)
        return fail(key, QStringLiteral("expected a non-negative integer"));
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
        return fail(key, QStringLiteral("expected a list of integers"));
    QVector<int> values;
    for (const QJsonValue &item : v.toArray()) {
        const double d = item.toDouble(std::numeric_limits<double>::quiet_NaN());
        if (!item.isDouble() || d != std::floor(d) || std::fabs(d) > 1.0e9)
            return fail(key, QStringLiteral("expected a list of integers"));
        values.append(int(d));
    }
    *out = values;
}

} // namespace aes
