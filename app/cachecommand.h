#pragma once
// `aestudio-cli cache DATA [--size WxH --channels C --resize MODE]`: builds or refreshes the
// dataset cache of a folder (data/datasetcache.h) and prints its path and size;
// `aestudio-cli cache --clear` deletes every cache file; `aestudio-cli cache --info` shows
// where they are and how much they take. Returns the exit code (0, 1 when the folder has no
// usable image, 2 for a usage error). Threads: the main thread.
//
// takeCacheOptions: the cache options every command accepts (--no-cache, --cache-dir DIR or
// --cache-dir=DIR), taken out of args and applied process-wide before the command parses the
// rest. The cache is on unless --no-cache is given.

#include <QStringList>

namespace aes::cli {

int cache(const QStringList &args);
bool takeCacheOptions(QStringList *args, QString *error);

} // namespace aes::cli
