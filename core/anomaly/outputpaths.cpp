#include "anomaly/outputpaths.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

namespace aes {

namespace {

// The canonical path when the file exists (links resolved), else the cleaned absolute one.
QString comparablePath(const QString &path)
{
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath();
    return canonical.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : canonical;
}

} // namespace

QString outputRelativePath(const QString &dataRoot, const QString &imagePath, const QString &suffix)
{
    const qsizetype hash = imagePath.lastIndexOf(QLatin1Char('#'));
    if (QFileInfo(dataRoot).isFile() && hash >= 0)
        return imagePath.mid(hash + 1) + QLatin1Char('.') + suffix;
    // A window of a clip: "clip.wav#2" is not a file of its own.
    const bool window = hash >= 0 && !QFileInfo::exists(imagePath);
    QString relative = QDir(dataRoot).relativeFilePath(window ? imagePath.left(hash) : imagePath);
    const QFileInfo info(relative);
    const QString dir = info.path();
    const QString name = info.completeBaseName() + (window ? QLatin1Char('-') + imagePath.mid(hash + 1) : QString())
        + QLatin1Char('.') + suffix;
    return dir == QLatin1String(".") ? name : dir + QLatin1Char('/') + name;
}

QString checkOutputFolder(const QString &outDir, const QString &data)
{
    if (!QFileInfo(data).isDir())
        return {};
    const QString out = comparablePath(outDir);
    const QString root = comparablePath(data);
    if (out == root || out.startsWith(root + QLatin1Char('/')))
        return QStringLiteral("the output folder %1 is %2 or inside it: choose a folder outside the data")
            .arg(QDir::toNativeSeparators(outDir), QDir::toNativeSeparators(data));
    return {};
}

QString checkTargetsAreNotInputs(const QStringList &targets, const QStringList &inputs)
{
    QSet<QString> in;
    for (const QString &path : inputs) {
        const qsizetype hash = path.lastIndexOf(QLatin1Char('#'));
        in.insert(comparablePath(hash >= 0 && !QFileInfo::exists(path) ? path.left(hash) : path));
    }
    for (const QString &target : targets)
        if (in.contains(comparablePath(target)))
            return QStringLiteral("%1 is an input image: refusing to overwrite it").arg(QDir::toNativeSeparators(target));
    return {};
}

} // namespace aes
