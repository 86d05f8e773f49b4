#include "anomalyexport.h"

#include "anomaly/outputpaths.h"
#include "util/atomicfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AnomalyExport", text);
}

QByteArray csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text.toUtf8();
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return (QLatin1Char('"') + quoted + QLatin1Char('"')).toUtf8();
}

} // namespace

QString anomalyRelativeName(const aes::AnomalyScores &scores, qint64 image)
{
    const QString path = scores.paths.value(int(image));
    if (!QFileInfo(scores.source).isDir())
        return QFileInfo(path).fileName();  // IDX entries: "file.idx#123"
    return QDir(scores.source).relativeFilePath(path);
}

QString writeAnomalyCsv(const QString &path, const aes::AnomalyScores &scores, const QVector<qint64> &order,
                        double threshold)
{
    QByteArray out = "path,label,score,flagged\n";
    for (const qint64 image : order) {
        const int i = int(image);
        const double score = scores.scores.value(i);
        out += csvField(scores.paths.value(i)) + ',' + csvField(aes::labelText(scores.classNames, scores.labels.value(i, -1)))
            + ',' + QByteArray::number(score, 'g', 10) + ',' + (score >= threshold ? "1" : "0") + '\n';
    }
    return aes::writeFileAtomically(path, out);
}

QString copyFlaggedImages(const QString &folder, const aes::AnomalyScores &scores, double threshold, int *copied)
{
    if (copied)
        *copied = 0;
    if (!QFileInfo(scores.source).isDir())
        return tr("only the images of a folder can be copied (%1 is not one)").arg(scores.source);
    if (const QString error = aes::checkOutputFolder(folder, scores.source); !error.isEmpty())
        return error;
    const QDir target(folder);
    for (int i = 0; i < scores.scores.size(); ++i) {
        if (scores.scores[i] < threshold)
            continue;
        const QString destination = target.filePath(anomalyRelativeName(scores, i));
        if (!QDir().mkpath(QFileInfo(destination).absolutePath()))
            return tr("cannot create the folder %1").arg(QFileInfo(destination).absolutePath());
        QFile::remove(destination);
        if (!QFile::copy(scores.paths[i], destination))
            return tr("cannot copy %1 to %2").arg(scores.paths[i], destination);
        if (copied)
            ++*copied;
    }
    return {};
}
