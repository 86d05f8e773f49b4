#include "training/memoryestimate.h"

#include "model/autoencoder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/torch.h>

#include <QFile>

#include <algorithm>
#include <unordered_set>

namespace aes {

namespace {

// The first number in a small text file (/proc, /sys), or -1 ("max" or missing).
qint64 readNumber(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const qint64 value = file.readAll().trimmed().toLongLong(&ok);
    return ok ? value : -1;
}

qint64 memAvailable()
{
    QFile file(QStringLiteral("/proc/meminfo"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("MemAvailable:")) {
            bool ok = false;
            const qint64 kib = line.mid(13).trimmed().split(' ').value(0).toLongLong(&ok);
            return ok ? kib * 1024 : -1;
        }
    }
    return -1;
}

// A key's value in a cgroup memory.stat file; 0 when missing.
qint64 statValue(const QString &path, const QByteArray &key)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : file.readAll().split('\n'))
        if (line.startsWith(key + ' '))
            return line.mid(key.size() + 1).trimmed().toLongLong();
    return 0;
}

// Room left under the cgroup's limit; -1 when there is no limit (or no cgroup file system).
// The group's usage counts its page cache (a mapped dataset's pages, files read), which the
// kernel reclaims before it kills anything: that is room too.
qint64 cgroupRoom(QString *source)
{
    // cgroup v2: the process's group is named in /proc/self/cgroup as "0::/path".
    QString group;
    QFile self(QStringLiteral("/proc/self/cgroup"));
    if (self.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : self.readAll().split('\n'))
            if (line.startsWith("0::"))
                group = QString::fromUtf8(line.mid(3)).trimmed();
    }
    const QString v2 = QStringLiteral("/sys/fs/cgroup") + (group == QLatin1String("/") ? QString() : group);
    qint64 limit = readNumber(v2 + QStringLiteral("/memory.max"));
    qint64 used = readNumber(v2 + QStringLiteral("/memory.current"));
    if (used > 0)
        used -= statValue(v2 + QStringLiteral("/memory.stat"), "file");
    *source = QStringLiteral("cgroup memory.max");
    if (limit < 0) {
        limit = readNumber(QStringLiteral("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
        used = readNumber(QStringLiteral("/sys/fs/cgroup/memory/memory.usage_in_bytes"))
            - statValue(QStringLiteral("/sys/fs/cgroup/memory/memory.stat"), "total_cache");
        *source = QStringLiteral("cgroup memory.limit_in_bytes");
        // v1: the process's own group ("4:memory:/a/b"), which a container may show below a
        // mount of one of its parents: the longest tail of the path that exists is it.
        if (QFile groups(QStringLiteral("/proc/self/cgroup")); groups.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : groups.readAll().split('\n')) {
                const QList<QByteArray> parts = line.split(':');
                if (parts.size() < 3 || !parts[1].split(',').contains("memory"))
                    continue;
                QStringList path = QString::fromUtf8(parts[2]).split(QLatin1Char('/'), Qt::SkipEmptyParts);
                for (; !path.isEmpty(); path.removeFirst()) {
                    const QString dir = QStringLiteral("/sys/fs/cgroup/memory/") + path.join(QLatin1Char('/'));
                    const qint64 own = readNumber(dir + QStringLiteral("/memory.limit_in_bytes"));
                    if (own >= 0) {
                        if (limit < 0 || own < limit) {
                            limit = own;
                            used = readNumber(dir + QStringLiteral("/memory.usage_in_bytes"))
                                - statValue(dir + QStringLiteral("/memory.stat"), "total_cache");
                        }
                        break;
                    }
                }
            }
        }
    }
    // v1 reports "no limit" as a huge page-rounded number.
    if (limit < 0 || limit >= (qint64(1) << 60))
        return -1;
    return std::max<qint64>(0, limit - std::max<qint64>(0, used));
}

// Bytes of the outputs the autograd graph behind `root` keeps (each operation's output shape,
// read from its backward node), leaf gradients (parameters) excluded.
qint64 graphActivationBytes(const torch::autograd::Node *root)
{
    qint64 bytes = 0;
    std::unordered_set<const torch::autograd::Node *> seen;
    std::vector<const torch::autograd::Node *> stack{root};
    while (!stack.empty()) {
        const torch::autograd::Node *node = stack.back();
        stack.pop_back();
        if (!node || !seen.insert(node).second)
            continue;
        if (!dynamic_cast<const torch::autograd::AccumulateGrad *>(node)) {
            for (uint32_t i = 0; i < node->num_inputs(); ++i) {
                // LibTorch 1.13 keeps the shape private: a zero tensor of it is the public way
                // to read it (one layer's output for two images, freed at once).
                bytes += qint64(node->input_metadata(i).zeros_like().nbytes());
            }
        }
        for (const auto &edge : node->next_edges())
            stack.push_back(edge.function.get());
    }
    return bytes;
}

QString mib(qint64 bytes)
{
    return QStringLiteral("%1 MiB").arg((bytes + (1 << 20) - 1) >> 20);
}

} // namespace

AvailableMemory availableMemory()
{
    AvailableMemory result;
    if (qEnvironmentVariableIsSet("AES_MEMORY_AVAILABLE")) {
        bool ok = false;
        result.bytes = qEnvironmentVariable("AES_MEMORY_AVAILABLE").toLongLong(&ok);
        if (!ok)
            result.bytes = -1;
        result.source = QStringLiteral("AES_MEMORY_AVAILABLE");
        return result;
    }
    result.bytes = memAvailable();
    result.source = QStringLiteral("MemAvailable");
    QString cgroupSource;
    const qint64 room = cgroupRoom(&cgroupSource);
    if (room >= 0 && (result.bytes < 0 || room < result.bytes)) {
        result.bytes = room;
        result.source = cgroupSource;
    }
    return result;
}

MemoryEstimate estimateTrainingMemory(const Dataset &data, const ModelOptions &modelOptions, const TrainOptions &train)
{
    MemoryEstimate e;
    if (!data.images.defined() || data.size() == 0)
        return e;
    const qint64 imageBytes = data.images.numel() * qint64(data.images.element_size());
    // Only what is resident counts: a mapped dataset lives in the page cache, which the system
    // reclaims under pressure (an epoch then reads pixels from disk again instead of failing).
    (data.mapped ? e.mappedBytes : e.datasetBytes) = imageBytes;
    ModelOptions options = modelOptions;
    options.channels = data.channels();
    options.height = data.height();
    options.width = data.width();
    if (!options.validate().isEmpty())
        return e;
    const qint64 batch = std::max<qint64>(1, std::min<qint64>(train.batchSize, data.size()));
    const qint64 pixels = qint64(options.channels) * options.height * options.width;
    // Weights, gradients, the trainer's last-good copy, and the optimizer's moments.
    const int moments = train.optimizer == OptimizerKind::Sgd ? (train.momentum > 0 ? 1 : 0) : 2;
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    at::Tensor savedRng;
    try {
        {
            std::lock_guard<std::mutex> lock(gen.mutex());
            savedRng = gen.get_state();
        }
        AutoencoderImpl model(options);  // the constructor and the forward pass draw random numbers
        model.train();
        const qint64 parameters = model.parameterCount();
        e.modelBytes = parameters * qint64(sizeof(float)) * (3 + moments);
        // Batches of 2 and 4 (batch norm needs more than one value per channel in training
        // mode): the difference is what grows with the batch, without parameter-shaped nodes
        // (transposed weights) that the graph also records.
        const auto graphBytes = [&](int64_t n) {
            const torch::Tensor x = torch::full({n, options.channels, options.height, options.width}, 0.5f);
            const ForwardResult r = model.forwardFull(model.corrupt(x));
            const torch::Tensor loss = (r.logits - x).square().mean() + model.regularization(r);
            return graphActivationBytes(loss.grad_fn().get());
        };
        const qint64 perImage = std::max<qint64>(0, (graphBytes(4) - graphBytes(2)) / 2);
        // Backward holds about as much again in gradients of those outputs at its peak; the
        // float batch and its corrupted copy come on top.
        e.batchBytes = batch * (2 * perImage + 2 * pixels * qint64(sizeof(float)));
    } catch (const std::exception &) {
        e.modelBytes = 0;
        e.batchBytes = 0;
    }
    if (savedRng.defined()) {
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(savedRng);
    }
    return e;
}

QString memoryProblem(const MemoryEstimate &needed, const AvailableMemory &available, bool datasetLoaded)
{
    if (available.bytes < 0)
        return {};
    const qint64 more = needed.total() - (datasetLoaded ? needed.datasetBytes : 0);
    if (more <= available.bytes)
        return {};
    const QString images = needed.mappedBytes > 0
        ? QStringLiteral("images 0: their %1 are mapped from the dataset cache, not resident").arg(mib(needed.mappedBytes))
        : QStringLiteral("images %1").arg(mib(needed.datasetBytes));
    return QStringLiteral("Not enough memory to train: about %1 is needed (%2, model and optimizer %3, "
                          "one batch %4) but only %5 is available (%6). Use a smaller batch size, image size "
                          "or model, or fewer images.")
        .arg(mib(needed.total()), images, mib(needed.modelBytes), mib(needed.batchBytes),
             mib(available.bytes + (datasetLoaded ? needed.datasetBytes : 0)), available.source);
}

QString checkTrainingMemory(const Dataset &data, const ModelOptions &model, const TrainOptions &train)
{
    const AvailableMemory available = availableMemory();
    if (available.bytes < 0)
        return {};
    return memoryProblem(estimateTrainingMemory(data, model, train), available, true);
}

} // namespace aes
