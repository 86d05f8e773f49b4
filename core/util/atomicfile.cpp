#include "util/atomicfile.h"

#include <QBuffer>
#include <QImage>
#include <QSaveFile>

namespace aes {

QString writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    if (file.write(bytes) != bytes.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return QStringLiteral("cannot write %1: %2").arg(path, reason);
    }
    return commitSaveFile(file);
}

QString writeImageAtomically(const QString &path, const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (image.isNull() || !image.save(&buffer, format))
        return QStringLiteral("cannot write %1: the image cannot be encoded as %2").arg(path, QLatin1String(format));
    return writeFileAtomically(path, bytes);
}

QString verifySaveFile(QSaveFile &file)
{
    const QString path = file.fileName();
    const qint64 written = file.pos();
    const bool flushed = file.flush();
    const qint64 onDisk = file.size();
    if (!flushed || file.error() != QFileDevice::NoError || onDisk != written) {
        const QString why = onDisk != written
            ? QStringLiteral("only %1 of %2 bytes could be written (is the disk full?)").arg(onDisk).arg(written)
            : file.errorString();
        file.cancelWriting();
        return QStringLiteral("cannot write %1: %2").arg(path, why);
    }
    return {};
}

QString commitSaveFile(QSaveFile &file)
{
    if (QString error = verifySaveFile(file); !error.isEmpty())
        return error;
    if (!file.commit())
        return QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
    return {};
}

} // namespace aes
