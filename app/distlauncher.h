#pragma once
// `aestudio-cli train --nproc N`: hosts the rendezvous store, starts this program N times with
// torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT) and waits for them. SIGINT and SIGTERM are forwarded to every process (a second
// one kills them); a process that ends badly is named, and the others are ended if they have
// not stopped by themselves within the timeout.
// Threads: the main thread, before any torch work of its own. Failure: the exit code
// (0 when every rank finished; else rank 0's, 130 after an interrupt).

#include <QStringList>

namespace aes::cli {

// childArgs: the command line of each process without the program name and without --nproc.
int launchDataParallel(const QStringList &childArgs, int nproc, int timeoutSeconds);

} // namespace aes::cli
