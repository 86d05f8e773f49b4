#pragma once
// Shared by the libFuzzer harnesses: a per-process temporary file for the readers that take
// a path (the IDX reader, the checkpoint loader). Each call overwrites the same file, so a
// long run leaves one file behind, removed at exit.
//
// Threads: libFuzzer calls the harness from one thread. Failure: aborts (a harness bug).

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>

#include <cstdint>
#include <cstdlib>
#include <unistd.h>

namespace aes::fuzz {

class TempInput {
public:
    explicit TempInput(const QString &name)
        : m_path(QDir::tempPath() + QStringLiteral("/aes-fuzz-%1-%2").arg(getpid()).arg(name))
    {
    }
    ~TempInput() { QFile::remove(m_path); }

    // Replaces the file's contents with `data`; returns its path.
    const QString &write(const uint8_t *data, size_t size)
    {
        QFile file(m_path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(reinterpret_cast<const char *>(data), qint64(size)) != qint64(size))
            std::abort();
        return m_path;
    }

private:
    QString m_path;
};

} // namespace aes::fuzz
