#pragma once
// Small helpers shared by the tests: fixtures are made by the tests themselves.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

namespace aes::test {

inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    return f.write(bytes) == bytes.size();
}

// A 32-bit big-endian integer, as IDX headers and image formats store them.
inline QByteArray be32(quint32 v)
{
    QByteArray b;
    for (int s = 24; s >= 0; s -= 8)
        b.append(char((v >> s) & 0xFF));
    return b;
}

} // namespace aes::test
