#pragma once
// Files written so that a reader never sees a half-written one: a temporary file beside the
// target, flushed, fsynced and renamed over it (QSaveFile), and every byte checked first.
// Any thread. Each function returns an empty string or "cannot write <file>: <reason>";
// on failure the temporary file is removed and any previous file is left as it was.
// Torch-free: ui/ includes it.

#include <QByteArray>
#include <QString>

class QImage;
class QSaveFile;

namespace aes {

// Makes what was written to file the file, or discards it: Qt 6.4's QSaveFile::commit()
// reports success after a buffered write failed (a full disk), which would replace the
// previous file with a truncated one, so every byte written is checked to be in the file
// first. Returns an empty string or "cannot write <file>: <reason>"; on failure the
// temporary file is removed and any previous file is left as it was.
QString commitSaveFile(QSaveFile &file);
// The check of commitSaveFile without the commit, for sets of files renamed only when all
// are complete: flushes and checks every byte is in the temporary file; on failure the
// temporary file is removed and the message returned.
QString verifySaveFile(QSaveFile &file);
// Writes bytes atomically (temporary file, flush, fsync, rename).
QString writeFileAtomically(const QString &path, const QByteArray &bytes);
// An image encoded as format ("PNG", ...) and written atomically.
QString writeImageAtomically(const QString &path, const QImage &image, const char *format = "PNG");

} // namespace aes
