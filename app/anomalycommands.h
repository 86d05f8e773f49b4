#pragma once
// aestudio-cli's anomaly commands: `score` (anomaly scores, their evaluation, heatmaps) and
// `apply` (every image's reconstruction as PNG). Each takes the command's own arguments and
// returns the process exit code (0 done, 1 failed, 2 usage error or refusal).
// Threads: the main thread.

#include <QStringList>

namespace aes::cli {

int score(const QStringList &args);
int apply(const QStringList &args);

} // namespace aes::cli
