#pragma once
// Small helpers shared by the tests: fixtures are made by the tests themselves.

#include "data/cachesettings.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QProcess>
#include <QStringList>

#include <csignal>
#include <sys/resource.h>

namespace aes::test {

// GUI tests: a MainWindow opens folders through the dataset cache (its panel turns it on), whose
// files go to the cache-dir setting or else under $XDG_CACHE_HOME (~/.qttest/cache in Qt's test
// mode); this keeps them in the test's own temporary folder. Call before the first window.
inline void keepCacheIn(const QString &dir)
{
    qputenv("XDG_CACHE_HOME", QFile::encodeName(dir));
    DatasetCacheSettings settings = datasetCacheSettings();
    settings.dir = QDir(dir).filePath(QStringLiteral("autoencoder-studio/datasets"));
    setDatasetCacheSettings(settings);
}

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

// A full disk for this process while it lives: files cannot grow past `bytes`
// (RLIMIT_FSIZE; writes beyond fail with EFBIG, SIGXFSZ ignored), as when a disk fills up.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        getrlimit(RLIMIT_FSIZE, &m_saved);
        m_oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = m_saved;
        limit.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit()
    {
        setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_oldHandler);
    }
    FileSizeLimit(const FileSizeLimit &) = delete;
    FileSizeLimit &operator=(const FileSizeLimit &) = delete;

private:
    rlimit m_saved{};
    void (*m_oldHandler)(int) = nullptr;
};

// Every file under dir (hidden ones too), relative and sorted: compare before and after a
// failed write to see that no partial or temporary file was left behind.
inline QStringList filesUnder(const QString &dir, const QString &prefix = QString())
{
    QStringList found;
    const QFileInfoList entries =
        QDir(dir).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
    for (const QFileInfo &e : entries) {
        if (e.isDir())
            found << filesUnder(e.absoluteFilePath(), prefix + e.fileName() + QLatin1Char('/'));
        else
            found << prefix + e.fileName();
    }
    return found;
}

// A run of a program to its end (5 minutes at most): exit code (-1 when it crashed), stdout
// and stderr.
struct ProgramResult {
    int exitCode;
    QString out;
    QString err;
};
inline ProgramResult runProgram(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(300000))
        qFatal("%s did not finish", qPrintable(program));
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace aes::test
