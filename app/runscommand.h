#pragma once
// `aestudio-cli runs [DIR] [--json]`: the table of the runs in DIR (or DIR itself when it is a
// run): options, epochs, final validation metrics, training time and status; damaged runs are
// named with the reason on standard error. `runs compare RUN_A RUN_B --out DIR`: both runs
// reconstruct A's validation images (project/runcompare.h); DIR gets comparison.csv and
// comparison.png. Returns the exit code (0, or 2 for a usage error or a failed comparison).
// Threads: the main thread.

#include <QStringList>

namespace aes::cli {

int runs(const QStringList &args);

} // namespace aes::cli
