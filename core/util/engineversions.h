#pragma once
// The versions of the libraries the engine runs on, for the About box and bug reports.
// Threads: any. Failure: none; the versions are those the engine was built against (Qt's is
// the one loaded at run time).
//
// This header is torch-free so that ui/ can include it.

#include <QString>

namespace aes {

struct EngineVersions {
    QString qt;
    QString torch;
    QString opencv;
};

EngineVersions engineVersions();

} // namespace aes
