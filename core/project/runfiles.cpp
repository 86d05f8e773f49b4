#include "project/runfiles.h"

#include <QFile>
#include <QJsonDocument>

#include <cmath>

namespace aes {

namespace {
QString csvNumber(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', 9) : QString();
}
} // namespace

QJsonValue jsonNumber(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QString writeHistoryCsv(const QString &path, const QVector<EpochReport> &history)
{
    QByteArray out = "epoch,train_loss,val_loss,val_mse,val_psnr,val_ssim,knn_accuracy,images_per_second,seconds\n";
    for (const EpochReport &e : history) {
        const QStringList row{QString::number(e.epoch), csvNumber(e.trainLoss), csvNumber(e.valLoss),
                              csvNumber(e.valMse),      csvNumber(e.valPsnr),   csvNumber(e.valSsim),
                              csvNumber(e.knnAccuracy), csvNumber(e.imagesPerSecond), csvNumber(e.seconds)};
        out += row.join(QLatin1Char(',')).toUtf8() + '\n';
    }
    return writeFileAtomically(path, out);
}

QString writeLoadReport(const QString &path, const LoadReport &report)
{
    QByteArray out;
    for (const SkippedFile &s : report.skipped)
        out += s.path.toUtf8() + '\t' + s.reason.toUtf8() + '\n';
    return writeFileAtomically(path, out);
}

QString writeJsonFile(const QString &path, const QJsonObject &object)
{
    return writeFileAtomically(path, QJsonDocument(object).toJson(QJsonDocument::Indented));
}

QJsonObject readJsonFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        if (error)
            *error = QStringLiteral("%1 is not a JSON object (%2)").arg(path, parseError.errorString());
        return {};
    }
    return doc.object();
}

} // namespace aes
