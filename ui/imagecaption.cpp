#include "imagecaption.h"

#include <QCoreApplication>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ImageCaption", text);
}

// "#123" when file is an IDX entry ("data.idx#123"), else empty.
QString idxEntry(const QString &file)
{
    const int slash = int(file.lastIndexOf(QLatin1Char('/')));
    const int hash = int(file.lastIndexOf(QLatin1Char('#')));
    bool idx = false;
    if (hash > slash)
        file.mid(hash + 1).toLongLong(&idx);
    return idx ? file.mid(hash) : QString();
}

} // namespace

QString fileNameOf(const aes::LatentSnapshot &map, qint64 index)
{
    const QString file = map.files.value(int(index));
    if (file.isEmpty() || !idxEntry(file).isEmpty())
        return QString();
    return file.mid(file.lastIndexOf(QLatin1Char('/')) + 1);
}

QString imageName(const aes::LatentSnapshot &map, qint64 index)
{
    const QString name = map.classNameAt(index);
    const QString file = fileNameOf(map, index);
    if (!file.isEmpty())
        return name.isEmpty() ? file : name + QLatin1Char('/') + file;
    return name.isEmpty() ? tr("image %1").arg(index) : tr("%1 (image %2)").arg(name).arg(index);
}

QString pointCaption(const aes::LatentSnapshot &map, qint64 index, const aes::PointDetails &details)
{
    QString caption = imageName(map, index);
    QString file = map.files.value(int(index));
    if (file.isEmpty() && details.index == index)
        file = details.file;
    if (fileNameOf(map, index).isEmpty() && !file.isEmpty()) {
        const QString entry = idxEntry(file);
        caption += QLatin1Char('\n') + (entry.isEmpty() ? file.mid(file.lastIndexOf(QLatin1Char('/')) + 1) : entry);
    }
    const double error = index < map.errors.size() ? double(map.errors[index])
                       : details.index == index      ? details.error
                                                     : -1.0;
    if (error >= 0.0)
        caption += QLatin1Char('\n') + tr("MSE %1").arg(error, 0, 'g', 3);
    return caption;
}
