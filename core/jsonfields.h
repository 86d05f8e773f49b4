#pragma once
// Reads typed fields out of a QJsonObject, remembering the first problem, so
// option structs can be read from files written by other versions or by hand.
// Missing keys leave the target untouched (its default).

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
    void boolField(const QString &key, bool *out);
    void stringField(const QString &key, QString *out);
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

} // namespace aes
