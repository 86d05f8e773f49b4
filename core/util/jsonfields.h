#pragma once
// Typed JSON fields for option structs. Each struct describes its fields once, in a
// template taking either a JsonReader or a JsonWriter, so reading and writing cannot drift.
// JsonReader remembers the first problem, so files written by other versions or by hand
// give a message; missing keys leave the target untouched (its default).

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <optional>

namespace aes {

class JsonReader {
public:
    explicit JsonReader(const QJsonObject &object) : m_object(object) {}

    void intField(const QString &key, int *out);
    void int64Field(const QString &key, qint64 *out);
    void doubleField(const QString &key, double *out);
    void numberOrNullField(const QString &key, double *out);  // null -> NaN
    void boolField(const QString &key, bool *out);
    void stringField(const QString &key, QString *out);
    void uint64Field(const QString &key, quint64 *out);
    void intListField(const QString &key, QVector<int> *out);

    template <typename E, typename Parse>
    void enumField(const QString &key, E *out, Parse parse)
    {
        QString name;
        stringField(key, &name);
        if (name.isNull() || !m_error.isEmpty())
            return;
        if (const std::optional<E> value = parse(name))
            *out = *value;
        else
            fail(key, QStringLiteral("unknown value \"%1\"").arg(name));
    }

    QString error() const { return m_error; }

private:
    void fail(const QString &key, const QString &what);

    QJsonObject m_object;
    QString m_error;
};

class JsonWriter {
public:
    void intField(const QString &key, const int *v) { m_object.insert(key, *v); }
    void int64Field(const QString &key, const qint64 *v) { m_object.insert(key, double(*v)); }
    void uint64Field(const QString &key, const quint64 *v) { m_object.insert(key, double(*v)); }
    void doubleField(const QString &key, const double *v) { m_object.insert(key, *v); }
    void numberOrNullField(const QString &key, const double *v);  // NaN, inf -> null
    void boolField(const QString &key, const bool *v) { m_object.insert(key, *v); }
    void stringField(const QString &key, const QString *v) { m_object.insert(key, *v); }
    void intListField(const QString &key, const QVector<int> *v);
    // The enum's name comes from the toString() overload of its type.
    template <typename E, typename Parse>
    void enumField(const QString &key, const E *v, Parse) { m_object.insert(key, toString(*v)); }

    QJsonObject object() const { return m_object; }

private:
    QJsonObject m_object;
};

// A struct's JSON from its field description: describe(io, value) names every field once.
template <typename T, typename Describe>
QJsonObject writeFields(const T &value, Describe describe)
{
    JsonWriter w;
    describe(w, value);
    return w.object();
}

// Reads a T (missing keys keep T's defaults). validate(value) returns an empty string or the
// problem; a problem is returned in *error after "what: ".
template <typename T, typename Describe, typename Validate>
std::optional<T> readFields(const QJsonObject &json, Describe describe, Validate validate, const QString &what,
                            QString *error)
{
    T value;
    JsonReader r(json);
    describe(r, value);
    QString problem = r.error();
    if (problem.isEmpty())
        problem = validate(value);
    if (!problem.isEmpty()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(what, problem);
        return std::nullopt;
    }
    return value;
}

} // namespace aes
