#include "model/checkpoint.h"

#include "model/autoencoder.h"
#include "model/devicetensors.h"
#include "util/atomicfile.h"

#include <torch/torch.h>

#include <QFile>
#include <QJsonDocument>

#include <algorithm>
#include <sstream>

#include <zlib.h>

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

// LibTorch's zip reader does not verify the archive's CRC-32s, and its TorchScript importer
// crashes (SEGV in torch::jit::ScriptTypeParser) on some damaged code entries: found by
// fuzz/fuzz_checkpoint. Checking every stored entry against its checksum first turns
// truncated and bit-flipped files into a message. Returns what is wrong, or an empty string
// (also for what this check does not cover: zip64 archives, compressed entries).
QString archiveDamage(const QByteArray &raw)
{
    const auto *data = reinterpret_cast<const unsigned char *>(raw.constData());
    const qint64 size = raw.size();
    const auto has = [&](qint64 offset, qint64 count) {
        return offset >= 0 && count >= 0 && offset <= size && count <= size - offset;
    };
    const auto le16 = [&](qint64 o) { return quint32(data[o]) | quint32(data[o + 1]) << 8; };
    const auto le32 = [&](qint64 o) { return le16(o) | le16(o + 2) << 16; };

    // End of central directory: 22 bytes plus a comment of up to 64 KiB, at the end.
    qint64 eocd = -1;
    for (qint64 o = size - 22; o >= 0 && o >= size - 22 - 0xFFFF; --o) {
        if (le32(o) == 0x06054b50) {
            eocd = o;
            break;
        }
    }
    if (eocd < 0)
        return QStringLiteral("not a zip archive (cut short?)");
    const quint32 entries = le16(eocd + 10);
    const qint64 directory = le32(eocd + 16);
    if (entries == 0xFFFF || directory == 0xFFFFFFFF)
        return {};  // zip64: left to LibTorch
    qint64 pos = directory;
    for (quint32 i = 0; i < entries; ++i) {
        if (!has(pos, 46) || le32(pos) != 0x02014b50)
            return QStringLiteral("the archive's directory is damaged");
        const quint32 method = le16(pos + 10);
        const quint32 crc = le32(pos + 16);
        const qint64 stored = le32(pos + 20);
        const qint64 nameLength = le16(pos + 28);
        const qint64 local = le32(pos + 42);
        const qint64 next = pos + 46 + nameLength + le16(pos + 30) + le16(pos + 32);
        if (!has(pos + 46, nameLength))
            return QStringLiteral("the archive's directory is damaged");
        const QString name = QString::fromUtf8(raw.constData() + pos + 46, int(nameLength));
        if (method != 0 || stored == 0xFFFFFFFF || local == 0xFFFFFFFF) {
            pos = next;
            continue;
        }
        if (!has(local, 30) || le32(local) != 0x04034b50)
            return QStringLiteral("the archive entry %1 is damaged").arg(name);
        const qint64 start = local + 30 + le16(local + 26) + le16(local + 28);
        if (!has(start, stored))
            return QStringLiteral("the archive entry %1 is cut short").arg(name);
        uLong actual = crc32(0L, Z_NULL, 0);
        for (qint64 done = 0; done < stored;) {
            const uInt chunk = uInt(std::min<qint64>(stored - done, 1 << 30));
            actual = crc32(actual, data + start + done, chunk);
            done += chunk;
        }
        if (actual != crc)
            return QStringLiteral("the archive entry %1 is damaged (checksum mismatch)").arg(name);
        pos = next;
    }
    return {};
}
} // namespace

QString saveCheckpoint(const QString &path, AutoencoderImpl &model, const QJsonObject &meta,
                       const ArchiveWriter &extra)
{
    std::ostringstream bytes;
    try {
        torch::serialize::OutputArchive archive;
        // Saved from the CPU, so that the file opens on any build (a CUDA-trained model too).
        std::shared_ptr<AutoencoderImpl> hostCopy;
        if (deviceOf(model).is_cuda())
            hostCopy = cloneModel(model);
        (hostCopy ? *hostCopy : model).save(archive);
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
    return writeFileAtomically(path, QByteArray::fromRawData(data.data(), qsizetype(data.size())));
}

namespace {

// The archive of a checkpoint file with its options and metadata, checksums checked; "" or why
// it cannot be used.
QString openCheckpoint(const QString &path, torch::serialize::InputArchive *archive, CheckpointInfo *info)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return file.errorString();
    const QByteArray raw = file.readAll();
    if (const QString damage = archiveDamage(raw); !damage.isEmpty())
        return QStringLiteral("damaged or not a checkpoint (%1)").arg(damage);
    std::istringstream stream(std::string(raw.constData(), size_t(raw.size())));
    archive->load_from(stream, torch::Device(torch::kCPU));  // whatever device saved it
    c10::IValue optionsValue, metaValue;
    if (!archive->try_read(kOptionsKey, optionsValue) || !optionsValue.isString()) {
        // Our TorchScript export carries its options as an extra file: say what it is.
        if (raw.contains("extra/model_options.json"))
            return QStringLiteral("a TorchScript export, not a checkpoint: open the checkpoint.pt of "
                                  "the run it was exported from");
        return QStringLiteral("not an Autoencoder Studio checkpoint (no model options)");
    }
    QJsonParseError parseError;
    const QJsonDocument optionsDoc = QJsonDocument::fromJson(
        QByteArray::fromStdString(optionsValue.toStringRef()), &parseError);
    if (!optionsDoc.isObject())
        return QStringLiteral("the model options are damaged (%1)").arg(parseError.errorString());
    QString why;
    const std::optional<ModelOptions> options = ModelOptions::fromJson(optionsDoc.object(), &why);
    if (!options)
        return why;
    info->options = *options;
    if (archive->try_read(kMetaKey, metaValue) && metaValue.isString())
        info->meta = QJsonDocument::fromJson(QByteArray::fromStdString(metaValue.toStringRef())).object();
    return {};
}

QString torchFailure(const std::exception &e)
{
    if (const auto *c10 = dynamic_cast<const c10::Error *>(&e))
        return QStringLiteral("damaged or not a checkpoint (%1)")
            .arg(QString::fromUtf8(c10->what_without_backtrace()).section(QLatin1Char('\n'), 0, 0));
    return QStringLiteral("damaged or not a checkpoint (%1)").arg(QString::fromUtf8(e.what()));
}

} // namespace

std::optional<CheckpointInfo> readCheckpointInfo(const QString &path, QString *error)
{
    QString why;
    CheckpointInfo info;
    try {
        torch::serialize::InputArchive archive;
        why = openCheckpoint(path, &archive, &info);
    } catch (const std::exception &e) {
        why = torchFailure(e);
    }
    if (why.isEmpty())
        return info;
    if (error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return std::nullopt;
}

std::optional<LoadedCheckpoint> loadCheckpoint(const QString &path, QString *error,
                                               const ArchiveReader &extra)
{
    const auto fail = [&](const QString &why) -> std::optional<LoadedCheckpoint> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return std::nullopt;
    };
    try {
        torch::serialize::InputArchive archive;
        CheckpointInfo info;
        if (const QString why = openCheckpoint(path, &archive, &info); !why.isEmpty())
            return fail(why);
        LoadedCheckpoint result;
        result.options = info.options;
        result.meta = info.meta;

        auto model = std::make_shared<AutoencoderImpl>(info.options);
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
    } catch (const std::exception &e) {
        return fail(torchFailure(e));
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
