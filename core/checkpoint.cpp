#include "checkpoint.h"

#include "autoencoder.h"

#include <torch/torch.h>

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

#include <sstream>

namespace aes {

namespace {
const char kMetaKey[] = "aestudio_meta";
const char kOptionsKey[] = "aestudio_model_options";
const int kFormatVersion = 1;

std::map<std::string, std::vector<int64_t>> shapesOf(AutoencoderImpl &model)
{
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto &p : model.named_parameters())
        shapes[p.key()] = p.value().sizes().vec();
    for (const auto &b : model.named_buffers())
        shapes[b.key()] = b.value().sizes().vec();
    return shapes;
}

QString shapeText(const std::vector<int64_t> &shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QLatin1Char('x')) + QLatin1Char(']');
}
} // namespace

QString saveCheckpoint(const QString &path, AutoencoderImpl &model, const QJsonObject &meta,
                       const ArchiveWriter &extra)
{
    std::ostringstream bytes;
    try {
        torch::serialize::OutputArchive archive;
        model.save(archive);
        QJsonObject m = meta;
        m.insert(QStringLiteral("format_version"), kFormatVersion);
        archive.write(kOptionsKey, c10::IValue(QJsonDocument(model.options().toJson())
                                                   .toJson(QJsonDocument::Compact).toStdString()));
        archive.write(kMetaKey, c10::IValue(QJsonDocument(m).toJson(QJsonDocument::Compact).toStdString()));
        if (extra)
            extra(archive);
        archive.save_to(bytes);
    } catch (const std::exception &e) {
        return QStringLiteral("cannot serialise the model for %1: %2").arg(path, QString::fromUtf8(e.what()));
    }
    const std::string data = bytes.str();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    if (file.write(data.data(), qint64(data.size())) != qint64(data.size())) {
        file.cancelWriting();
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    }
    if (!file.commit())
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    return {};
}

std::optional<LoadedCheckpoint> loadCheckpoint(const QString &path, QString *error,
                                               const ArchiveReader &extra)
{
    const auto fail = [&](const QString &why) -> std::optional<LoadedCheckpoint> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(file.errorString());
    const QByteArray raw = file.readAll();
    try {
        std::istringstream stream(std::string(raw.constData(), size_t(raw.size())));
        torch::serialize::InputArchive archive;
        archive.load_from(stream);
        c10::IValue optionsValue, metaValue;
        if (!archive.try_read(kOptionsKey, optionsValue) || !optionsValue.isString())
            return fail(QStringLiteral("not an Autoencoder Studio checkpoint (no model options)"));
        QJsonParseError parseError;
        const QJsonDocument optionsDoc = QJsonDocument::fromJson(
            QByteArray::fromStdString(optionsValue.toStringRef()), &parseError);
        if (!optionsDoc.isObject())
            return fail(QStringLiteral("the model options are damaged (%1)").arg(parseError.errorString()));
        QString why;
        const std::optional<ModelOptions> options = ModelOptions::fromJson(optionsDoc.object(), &why);
        if (!options)
            return fail(why);
        LoadedCheckpoint result;
        result.options = *options;
        if (archive.try_read(kMetaKey, metaValue) && metaValue.isString())
            result.meta = QJsonDocument::fromJson(QByteArray::fromStdString(metaValue.toStringRef())).object();

        auto model = std::make_shared<AutoencoderImpl>(*options);
        const auto expected = shapesOf(*model);
        model->load(archive);
        // LibTorch's load replaces tensors whatever their shape: compare with the architecture.
        for (const auto &[name, shape] : shapesOf(*model)) {
            const auto it = expected.find(name);
            if (it != expected.end() && it->second != shape)
                return fail(QStringLiteral("weights do not match the model options: %1 is %2, the "
                                           "architecture needs %3")
                                .arg(QString::fromStdString(name), shapeText(shape), shapeText(it->second)));
        }
        if (extra) {
            if (const QString why = extra(archive); !why.isEmpty())
                return fail(why);
        }
        model->eval();
        result.model = model;
        return result;
    } catch (const c10::Error &e) {
        return fail(QStringLiteral("damaged or not a checkpoint (%1)")
                        .arg(QString::fromUtf8(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0)));
    } catch (const std::exception &e) {
        return fail(QStringLiteral("damaged or not a checkpoint (%1)").arg(QString::fromUtf8(e.what())));
    }
}

void copyWeights(AutoencoderImpl &from, AutoencoderImpl &to)
{
    torch::NoGradGuard noGrad;
    const auto src = from.named_parameters();
    for (auto &p : to.named_parameters())
        p.value().copy_(src[p.key()]);
    const auto srcBuffers = from.named_buffers();
    for (auto &b : to.named_buffers())
        b.value().copy_(srcBuffers[b.key()]);
}

std::shared_ptr<AutoencoderImpl> cloneModel(AutoencoderImpl &model)
{
    auto copy = std::make_shared<AutoencoderImpl>(model.options());
    copyWeights(model, *copy);
    copy->train(model.is_training());
    return copy;
}

} // namespace aes
