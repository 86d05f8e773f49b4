#pragma once
// Typed JSON fields for option structs and files. Each struct describes its fields once, in a
// template taking either a JsonReader or a JsonWriter, so reading and writing cannot drift.
// JsonReader remembers the first problem and names its key ("dataset.width" is not a whole
// number), so files written by other versions or by hand give a message a user can act on;
// missing optional keys leave the target untouched (its default).
//
// Threads: any; a reader or writer is used by one thread. Torch-free.

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <optional>

namespace aes {

enum class Presence { Optional, Required };

class JsonReader {
public:
    // keyPrefix is put before every key in messages ("dataset."); paths are resolved against base.
    explicit JsonReader(const QJsonObject &object, const QString &keyPrefix = {}, const QDir &base = QDir())
        : m_object(object), m_prefix(keyPrefix), m_base(base) {}

    void intField(const QString &key, int *out);
    // A whole number from min to max.
    void intField(const QString &key, int *out, int min, int max);
    void int64Field(const QString &key, qint64 *out);
    void doubleField(const QString &key, double *out);
    void numberOrNullField(const QString &key, double *out);  // null -> NaN
    void boolField(const QString &key, bool *out);
    void stringField(const QString &key, QString *out, Presence presence = Presence::Optional);
    void uint64Field(const QString &key, quint64 *out);
    void intListField(const QString &key, QVector<int> *out);
    // Any JSON object, kept as it is.
    void jsonObjectField(const QString &key, QJsonObject *out, Presence presence = Presence::Optional);
    // A path stored relative to the base folder under key and absolute under absoluteKey; the
    // relative one wins when it exists (the files moved together), else the absolute one.
    void pathField(const QString &key, const QString &absoluteKey, QString *out);
    // A value check: fails with what unless ok (the writer ignores it).
    void require(const QString &key, bool ok, const QString &what);

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
            fail(key, QStringLiteral("has an unknown value \"%1\"").arg(name));
    }
    // A nested object described by describe(io, *out); its keys are named "key.inner".
    template <typename T, typename Describe>
    void objectField(const QString &key, T *out, Describe describe, Presence presence = Presence::Required)
    {
        QJsonObject object;
        if (!readObject(key, &object, presence))
            return;
        JsonReader inner(object, m_prefix + key + QLatin1Char('.'), m_base);
        describe(inner, *out);
        if (m_error.isEmpty())
            m_error = inner.error();
    }
    // A nested options struct with its own T::fromJson (which validates it).
    template <typename T>
    void optionsField(const QString &key, T *out, Presence presence = Presence::Required)
    {
        QJsonObject object;
        if (!readObject(key, &object, presence))
            return;
        QString problem;
        if (const std::optional<T> value = T::fromJson(object, &problem))
            *out = *value;
        else if (m_error.isEmpty())
            m_error = QStringLiteral("\"%1%2\": %3").arg(m_prefix, key, problem);
    }

    QString error() const { return m_error; }

private:
    void fail(const QString &key, const QString &what);
    // False (after a message for a required or mistyped key) when there is no object to read.
    bool readObject(const QString &key, QJsonObject *out, Presence presence);

    QJsonObject m_object;
    QString m_prefix;
    QDir m_base;
    QString m_error;
};

class JsonWriter {
public:
    explicit JsonWriter(const QDir &base = QDir()) : m_base(base) {}

    void intField(const QString &key, const int *v) { m_object.insert(key, *v); }
    void intField(const QString &key, const int *v, int, int) { m_object.insert(key, *v); }
    void int64Field(const QString &key, const qint64 *v) { m_object.insert(key, double(*v)); }
    void uint64Field(const QString &key, const quint64 *v) { m_object.insert(key, double(*v)); }
    void doubleField(const QString &key, const double *v) { m_object.insert(key, *v); }
    void numberOrNullField(const QString &key, const double *v);  // NaN, inf -> null
    void boolField(const QString &key, const bool *v) { m_object.insert(key, *v); }
    void stringField(const QString &key, const QString *v, Presence = Presence::Optional) { m_object.insert(key, *v); }
    void intListField(const QString &key, const QVector<int> *v);
    void jsonObjectField(const QString &key, const QJsonObject *v, Presence = Presence::Optional)
    {
        m_object.insert(key, *v);
    }
    void pathField(const QString &key, const QString &absoluteKey, const QString *path);
    void require(const QString &, bool, const QString &) {}
    // The enum's name comes from the toString() overload of its type.
    template <typename E, typename Parse>
    void enumField(const QString &key, const E *v, Parse) { m_object.insert(key, toString(*v)); }
    template <typename T, typename Describe>
    void objectField(const QString &key, const T *v, Describe describe, Presence = Presence::Required)
    {
        JsonWriter inner(m_base);
        describe(inner, *v);
        m_object.insert(key, inner.object());
    }
    template <typename T>
    void optionsField(const QString &key, const T *v, Presence = Presence::Required) { m_object.insert(key, v->toJson()); }

    QJsonObject object() const { return m_object; }

private:
    QDir m_base;
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
