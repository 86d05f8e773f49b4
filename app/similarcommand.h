#pragma once
// `aestudio-cli similar RUN_DIR DATA --query FILE [--k 10] --out neighbours.tsv`: the k images
// of DATA nearest to the query image in the run's latent space (project/similarjob.h), as a
// table rank, path, label, distance; the table is also printed when --out is not given.
// Returns the exit code (0, or 2 for a usage error or a failure). Threads: the main thread.

#include <QStringList>

namespace aes::cli {

int similar(const QStringList &args);

} // namespace aes::cli
