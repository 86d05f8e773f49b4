#include "model/device.h"
#include "model/devicetensors.h"

#include "data/dataset.h"
#include "model/autoencoder.h"

#include <torch/cuda.h>

#include <QRegularExpression>

namespace aes {

namespace {
// Parses "cuda" / "cuda:N"; -1 for "cuda" alone, -2 when spec is not a CUDA spec.
int cudaIndex(const QString &spec)
{
    static const QRegularExpression re(QStringLiteral("^cuda(?::(\\d{1,3}))?$"));
    const auto m = re.match(spec.trimmed().toLower());
    if (!m.hasMatch())
        return -2;
    return m.captured(1).isEmpty() ? -1 : m.captured(1).toInt();
}
} // namespace

bool cudaAvailable()
{
    // Both exist in a CPU-only LibTorch too (they report false / 0).
    return torch::cuda::is_available() && torch::cuda::device_count() > 0;
}

QStringList availableDevices()
{
    QStringList devices{QStringLiteral("cpu")};
    if (cudaAvailable())
        for (size_t i = 0; i < torch::cuda::device_count(); ++i)
            devices << QStringLiteral("cuda:%1").arg(i);
    return devices;
}

bool isDeviceSpec(const QString &spec)
{
    const QString s = spec.trimmed().toLower();
    return s == QLatin1String("auto") || s == QLatin1String("cpu") || cudaIndex(s) >= -1;
}

QString deviceProblem(const QString &spec)
{
    if (!isDeviceSpec(spec))
        return QStringLiteral("device must be auto, cpu, cuda or cuda:N, not \"%1\"").arg(spec);
    const int index = cudaIndex(spec);
    if (index == -2)
        return {};
    if (!cudaAvailable())
        return torch::cuda::is_available()
            ? QStringLiteral("cuda requested but no CUDA device is visible")
            : QStringLiteral("cuda requested but this LibTorch has no CUDA (or no CUDA device is visible)");
    const int count = int(torch::cuda::device_count());
    if (index >= count)
        return QStringLiteral("%1 requested but this machine has %2 CUDA device(s) (cuda:0 to cuda:%3)")
            .arg(spec.trimmed().toLower()).arg(count).arg(count - 1);
    return {};
}

QString resolvedDeviceName(const QString &spec)
{
    const QString s = spec.trimmed().toLower();
    if (s == QLatin1String("auto") || s.isEmpty())
        return cudaAvailable() ? QStringLiteral("cuda:0") : QStringLiteral("cpu");
    if (s == QLatin1String("cuda"))
        return QStringLiteral("cuda:0");
    return s;
}

std::optional<c10::Device> resolveDevice(const QString &spec, QString *error)
{
    if (const QString problem = deviceProblem(spec.isEmpty() ? QStringLiteral("auto") : spec); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    const QString name = resolvedDeviceName(spec);
    if (name == QLatin1String("cpu"))
        return c10::Device(c10::kCPU);
    return c10::Device(c10::kCUDA, c10::DeviceIndex(cudaIndex(name)));
}

c10::Device deviceOf(AutoencoderImpl &model)
{
    const auto params = model.parameters();
    return params.empty() ? c10::Device(c10::kCPU) : params.front().device();
}

at::Tensor toDevice(const at::Tensor &host, const c10::Device &device)
{
    if (!device.is_cuda() || host.device() == device)
        return host;
    // Pinned (page-locked) host memory lets the copy run asynchronously to the host.
    return host.pin_memory().to(device, /*non_blocking=*/true);
}

at::Tensor floatBatchOn(const Dataset &data, const at::Tensor &indices, const c10::Device &device)
{
    if (!device.is_cuda())
        return data.floatBatch(indices);
    const at::Tensor bytes = data.images.index_select(0, indices.to(torch::kLong));
    return toDevice(bytes, device).to(torch::kFloat).div_(255.0);
}

void synchronize(const c10::Device &device)
{
    if (device.is_cuda())
        torch::cuda::synchronize(device.index());
}

} // namespace aes
