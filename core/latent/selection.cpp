#include "latent/selection.h"

#include "util/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <algorithm>

namespace aes {

namespace {

// Even-odd crossing test: a ray to +x crosses the edge (a, b) when y lies in [a.y, b.y) or
// [b.y, a.y) and the crossing is right of the point (the half-open rule counts a vertex once).
bool inside(const QPolygonF &polygon, double px, double py)
{
    bool in = false;
    const qsizetype n = polygon.size();
    for (qsizetype i = 0, j = n - 1; i < n; j = i++) {
        const QPointF &a = polygon[i], &b = polygon[j];
        if ((a.y() > py) != (b.y() > py)) {
            const double cross = (b.x() - a.x()) * (py - a.y()) / (b.y() - a.y()) + a.x();
            if (px < cross)
                in = !in;
        }
    }
    return in;
}

QString safeFolderName(QString name)
{
    name.replace(QLatin1Char('/'), QLatin1Char('_'));
    name.replace(QLatin1Char('\\'), QLatin1Char('_'));
    name = name.trimmed();
    if (name == QLatin1String(".") || name == QLatin1String(".."))
        name = QStringLiteral("_");
    return name;
}

} // namespace

QVector<qint64> pointsInPolygon(const QVector<float> &x, const QVector<float> &y, const QPolygonF &polygon,
                                const std::function<bool(qint64)> &include)
{
    QVector<qint64> rows;
    if (polygon.size() < 3)
        return rows;
    const QRectF box = polygon.boundingRect();
    const qsizetype n = std::min(x.size(), y.size());
    for (qsizetype i = 0; i < n; ++i) {
        const double px = x[i], py = y[i];
        if (px < box.left() || px > box.right() || py < box.top() || py > box.bottom())
            continue;
        if (inside(polygon, px, py) && (!include || include(i)))
            rows.append(i);
    }
    return rows;
}

QVector<qint64> pointsInRect(const QVector<float> &x, const QVector<float> &y, const QRectF &rect,
                             const std::function<bool(qint64)> &include)
{
    QVector<qint64> rows;
    const QRectF r = rect.normalized();
    const qsizetype n = std::min(x.size(), y.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (x[i] >= r.left() && x[i] <= r.right() && y[i] >= r.top() && y[i] <= r.bottom() && (!include || include(i)))
            rows.append(i);
    }
    return rows;
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n'))
        && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString writeFileList(const QString &csvPath, const QVector<qint64> &rows, const QStringList &files,
                      const QStringList &labels, const QVector<float> &distances)
{
    const bool withDistance = !distances.isEmpty();
    QString text = withDistance ? QStringLiteral("path,label,distance\n") : QStringLiteral("path,label\n");
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const int row = int(rows[i]);
        text += csvField(files.value(row)) + QLatin1Char(',') + csvField(labels.value(row));
        if (withDistance)
            text += QLatin1Char(',') + QString::number(double(distances.value(i)), 'g', 7);
        text += QLatin1Char('\n');
    }
    return writeFileAtomically(csvPath, text.toUtf8());
}

QString copyTargetError(const QString &outDir)
{
    const QDir dir(outDir);
    if (dir.exists() && !dir.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System))
        return QStringLiteral("%1 is not empty: choose an empty or new folder").arg(QDir::toNativeSeparators(outDir));
    if (QFileInfo(outDir).exists() && !QFileInfo(outDir).isDir())
        return QStringLiteral("%1 is a file: choose an empty or new folder").arg(QDir::toNativeSeparators(outDir));
    return {};
}

CopyResult copyFiles(const QString &outDir, const QVector<FileCopy> &files, const CopyControl &control)
{
    CopyResult result;
    QDir dir(outDir);
    result.error = copyTargetError(outDir);
    if (!result.error.isEmpty())
        return result;
    if (!dir.mkpath(QStringLiteral("."))) {
        result.error = QStringLiteral("cannot create %1").arg(QDir::toNativeSeparators(outDir));
        return result;
    }
    QSet<QString> taken;  // target paths used so far
    const qint64 total = files.size();
    for (qint64 i = 0; i < total; ++i) {
        if (control.cancelled && control.cancelled()) {
            result.cancelled = true;
            break;
        }
        const FileCopy &f = files[i];
        const QFileInfo source(f.source);
        if (!source.isFile()) {
            // "data.idx#12" names an IDX entry: no file of its own. Anything else has gone.
            const int hash = int(f.source.lastIndexOf(QLatin1Char('#')));
            bool entry = false;
            if (hash > f.source.lastIndexOf(QLatin1Char('/')))
                f.source.mid(hash + 1).toLongLong(&entry);
            if (entry)
                result.skipped << f.source;
            else
                result.failed.append({f.source, source.exists() ? QStringLiteral("not a file") : QStringLiteral("no such file")});
        } else {
            const QString sub = safeFolderName(f.subfolder);
            const QString folder = sub.isEmpty() ? dir.path() : dir.filePath(sub);
            const QString base = source.completeBaseName(), suffix = source.suffix();
            QString target = folder + QLatin1Char('/') + source.fileName();
            for (int n = 2; taken.contains(target); ++n)
                target = folder + QLatin1Char('/') + base + QLatin1Char('-') + QString::number(n)
                         + (suffix.isEmpty() ? QString() : QLatin1Char('.') + suffix);
            taken.insert(target);
            QFile file(f.source);
            if (!sub.isEmpty() && !dir.mkpath(sub))
                result.failed.append({f.source, QStringLiteral("cannot create %1").arg(QDir::toNativeSeparators(folder))});
            else if (!file.copy(target))
                result.failed.append({f.source, file.errorString()});
            else
                ++result.copied;
        }
        if (control.progress)
            control.progress(i + 1, total);
    }
    return result;
}

} // namespace aes
