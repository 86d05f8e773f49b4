#include "training/memoryestimate.h"

#include "model/autoencoder.h"
#include "model/devicetensors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/torch.h>

#include <QFile>

#include <algorithm>
#include <unordered_set>

#include <dlfcn.h>
#include <mutex>

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

// The few CUDA driver API entry points that read a device's free memory, looked up in
// libcuda.so.1 at run time: the same code builds against a CPU-only LibTorch, and a machine
// without the driver says so instead of failing to start.
class CudaDriver {
public:
    CudaDriver()
    {
        m_lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!m_lib) {
            m_error = QStringLiteral("libcuda.so.1 cannot be loaded: %1").arg(QString::fromLocal8Bit(dlerror()));
            return;
        }
        const bool found = find(&m_init, "cuInit") && find(&m_deviceGet, "cuDeviceGet")
            && find(&m_retain, "cuDevicePrimaryCtxRetain") && find(&m_release, "cuDevicePrimaryCtxRelease_v2")
            && find(&m_push, "cuCtxPushCurrent_v2") && find(&m_pop, "cuCtxPopCurrent_v2")
            && find(&m_memGetInfo, "cuMemGetInfo_v2");
        find(&m_errorString, "cuGetErrorString");  // optional: only for the message
        if (!found)
            m_error = QStringLiteral("libcuda.so.1 lacks %1").arg(m_missing);
    }
    ~CudaDriver()
    {
        if (m_lib)
            dlclose(m_lib);
    }
    CudaDriver(const CudaDriver &) = delete;
    CudaDriver &operator=(const CudaDriver &) = delete;

    // Free bytes of device ordinal `index` in its primary context (the one LibTorch's runtime
    // uses), or -1 with *error.
    qint64 freeBytes(int index, QString *error)
    {
        if (!m_error.isEmpty()) {
            *error = m_error;
            return -1;
        }
        int device = 0;
        void *context = nullptr;
        if (!ok(m_init(0), "cuInit", error) || !ok(m_deviceGet(&device, index), "cuDeviceGet", error)
            || !ok(m_retain(&context, device), "cuDevicePrimaryCtxRetain", error))
            return -1;
        size_t free = 0, total = 0;
        const bool pushed = ok(m_push(context), "cuCtxPushCurrent", error);
        const bool read = pushed && ok(m_memGetInfo(&free, &total), "cuMemGetInfo", error);
        if (pushed) {
            void *popped = nullptr;
            m_pop(&popped);
        }
        m_release(device);
        return read ? qint64(free) : -1;
    }

private:
    template <typename F> bool find(F **fn, const char *name)
    {
        *fn = reinterpret_cast<F *>(dlsym(m_lib, name));
        if (!*fn && m_missing.isEmpty())
            m_missing = QString::fromLatin1(name);
        return *fn != nullptr;
    }
    bool ok(int result, const char *call, QString *error) const
    {
        if (result == 0)
            return true;
        const char *text = nullptr;
        if (m_errorString)
            m_errorString(result, &text);
        *error = QStringLiteral("%1 failed: %2").arg(QLatin1String(call), text ? QString::fromLatin1(text) : QString::number(result));
        return false;
    }

    void *m_lib = nullptr;
    QString m_error, m_missing;
    int (*m_init)(unsigned) = nullptr;
    int (*m_deviceGet)(int *, int) = nullptr;
    int (*m_retain)(void **, int) = nullptr;
    int (*m_release)(int) = nullptr;
    int (*m_push)(void *) = nullptr;
    int (*m_pop)(void **) = nullptr;
    int (*m_memGetInfo)(size_t *, size_t *) = nullptr;
    int (*m_errorString)(int, const char **) = nullptr;
};

// LibTorch keeps freed device blocks cached for reuse; the driver counts them as used. They
// are this process's to reuse (a second training in the GUI after the first), so they are
// handed back before the driver is asked. LibTorch 1.13 exports the call; where a version
// does not, the cached blocks count as used (a refusal then errs on the safe side).
void releaseCachedDeviceMemory()
{
    using EmptyCache = void (*)();
    if (auto fn = reinterpret_cast<EmptyCache>(dlsym(RTLD_DEFAULT, "_ZN3c104cuda20CUDACachingAllocator10emptyCacheEv")))
        fn();
}

QString mib(qint64 bytes)
{
    return QStringLiteral("%1 MiB").arg((bytes + (1 << 20) - 1) >> 20);
}

} // namespace

namespace {

// A figure set by hand in the environment variable name (tests, or a user who knows better):
// true and *result filled when it is set; bytes -1 when it is not a number.
bool memoryOverride(const char *name, AvailableMemory *result)
{
    if (!qEnvironmentVariableIsSet(name))
        return false;
    bool ok = false;
    result->bytes = qEnvironmentVariable(name).toLongLong(&ok);
    if (!ok)
        result->bytes = -1;
    result->source = QString::fromLatin1(name);
    return true;
}

} // namespace

AvailableMemory availableMemory()
{
    AvailableMemory result;
    if (memoryOverride("AES_MEMORY_AVAILABLE", &result))
        return result;
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

AvailableMemory deviceAvailableMemory(int index)
{
    AvailableMemory result;
    if (memoryOverride("AES_DEVICE_MEMORY_AVAILABLE", &result))
        return result;
    releaseCachedDeviceMemory();
    static std::mutex mutex;  // one driver handle at a time; cuInit is process-wide anyway
    std::lock_guard<std::mutex> lock(mutex);
    CudaDriver driver;
    QString error;
    result.bytes = driver.freeBytes(index, &error);
    result.source = result.bytes >= 0 ? QStringLiteral("free device memory, cuMemGetInfo") : error;
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

QString deviceMemoryProblem(const MemoryEstimate &needed, const AvailableMemory &free, const QString &device)
{
    const qint64 onDevice = needed.modelBytes + needed.batchBytes;
    if (free.bytes < 0 || onDevice <= free.bytes)
        return {};
    return QStringLiteral("Not enough memory on %1 to train: about %2 is needed there (model and optimizer %3, "
                          "one batch %4; the images stay in host memory) but only %5 is free (%6). Use a smaller "
                          "batch size, image size or model, or free the device.")
        .arg(device, mib(onDevice), mib(needed.modelBytes), mib(needed.batchBytes), mib(free.bytes), free.source);
}

QString checkTrainingMemory(const Dataset &data, const ModelOptions &model, const TrainOptions &train)
{
    // An unusable device is the trainer's to report.
    const std::optional<c10::Device> device = resolveDevice(train.device, nullptr);
    if (device && device->is_cuda()) {
        // On the host only the images stay, and they are loaded already.
        const AvailableMemory free = deviceAvailableMemory(device->index());
        const QString name = QString::fromStdString(device->str());
        if (free.bytes < 0) {
            qWarning("The free memory of %s cannot be read (%s): training starts without the memory check.",
                     qPrintable(name), qPrintable(free.source));
            return {};
        }
        return deviceMemoryProblem(estimateTrainingMemory(data, model, train), free, name);
    }
    const AvailableMemory available = availableMemory();
    if (available.bytes < 0)
        return {};
    return memoryProblem(estimateTrainingMemory(data, model, train), available, true);
}

} // namespace aes
