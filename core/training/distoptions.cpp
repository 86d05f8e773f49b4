#include "training/distoptions.h"

#include <QtGlobal>

namespace aes {

QString DistributedOptions::validate() const
{
    if (worldSize < 1 || worldSize > 4096)
        return QStringLiteral("WORLD_SIZE must be between 1 and 4096");
    if (rank < 0 || rank >= worldSize)
        return QStringLiteral("RANK must be between 0 and WORLD_SIZE - 1 (%1), not %2").arg(worldSize - 1).arg(rank);
    if (localRank < 0 || localWorldSize < 1 || localRank >= localWorldSize)
        return QStringLiteral("LOCAL_RANK must be between 0 and LOCAL_WORLD_SIZE - 1");
    if (masterPort < 0 || masterPort > 65535)
        return QStringLiteral("MASTER_PORT must be a port number (0 to 65535)");
    if (backend != QLatin1String("gloo") && backend != QLatin1String("nccl"))
        return QStringLiteral("--dist-backend must be gloo or nccl, not \"%1\"").arg(backend);
    if (timeoutSeconds < 1 || timeoutSeconds > 86400)
        return QStringLiteral("--dist-timeout must be between 1 and 86400 seconds");
    return {};
}

std::optional<DistributedOptions> DistributedOptions::fromEnvironment(QString *error)
{
    DistributedOptions o;
    const auto readInt = [&](const char *name, int *out) {
        if (!qEnvironmentVariableIsSet(name))
            return true;
        bool ok = false;
        const int v = qEnvironmentVariable(name).trimmed().toInt(&ok);
        if (!ok) {
            if (error)
                *error = QStringLiteral("%1 must be an integer, not \"%2\"").arg(QLatin1String(name), qEnvironmentVariable(name));
            return false;
        }
        *out = v;
        return true;
    };
    if (!readInt("WORLD_SIZE", &o.worldSize) || !readInt("RANK", &o.rank) || !readInt("LOCAL_RANK", &o.localRank)
        || !readInt("MASTER_PORT", &o.masterPort))
        return std::nullopt;
    // torchrun sets LOCAL_WORLD_SIZE; without it every process is taken to be on its own machine
    // unless LOCAL_RANK says otherwise.
    o.localWorldSize = std::max(1, o.localRank + 1);
    if (!readInt("LOCAL_WORLD_SIZE", &o.localWorldSize))
        return std::nullopt;
    if (qEnvironmentVariableIsSet("MASTER_ADDR"))
        o.masterAddr = qEnvironmentVariable("MASTER_ADDR").trimmed();
    o.storeHostedByLauncher = qEnvironmentVariable("AES_DIST_STORE_HOSTED") == QLatin1String("1");
    if (const QString problem = o.validate(); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return o;
}

} // namespace aes
