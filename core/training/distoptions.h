#pragma once
// Where this process stands in a data-parallel run: its rank, the world's size and the
// rendezvous (torchrun's variables). Plain values, no torch: the CLI parses and launches with it.
// Threads: any. Failure: fromEnvironment() returns nullopt with a message naming the variable.

#include <QString>

#include <optional>

namespace aes {

struct DistributedOptions {
    int rank = 0;                 // RANK
    int worldSize = 1;            // WORLD_SIZE
    int localRank = 0;            // LOCAL_RANK
    int localWorldSize = 1;       // LOCAL_WORLD_SIZE (processes on this machine)
    QString masterAddr = QStringLiteral("127.0.0.1");  // MASTER_ADDR
    int masterPort = 29500;       // MASTER_PORT
    QString backend = QStringLiteral("gloo");          // gloo | nccl
    int timeoutSeconds = 60;      // a collective or the rendezvous waits at most this long
    // The launcher of `--nproc` hosts the rendezvous store (AES_DIST_STORE_HOSTED=1): rank 0
    // then connects to it like every other rank.
    bool storeHostedByLauncher = false;

    bool enabled() const { return worldSize > 1; }
    QString validate() const;
    // Reads RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT and
    // AES_DIST_STORE_HOSTED over the defaults; a world of 1 when WORLD_SIZE is unset.
    static std::optional<DistributedOptions> fromEnvironment(QString *error);
};

} // namespace aes
