#pragma once
// Small helpers shared by the tests: fixtures are made by the tests themselves.

#include <QByteArray>
#include <QDir>
#include <QFile>
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

} // namespace aes::test
