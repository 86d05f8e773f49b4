#pragma once
// Loads every image under a folder into one uint8 tensor.
//
// Layout: when top-level subfolders hold images, each is a class (sorted by name, like
// torchvision's ImageFolder) and images directly in the root are skipped ("not in a class
// folder"); otherwise the folder is unlabelled (labels -1, no class names). Subfolders are
// searched recursively; symbolic links to folders are not followed (no loops), hidden files
// and files without an image extension (png, jpg, jpeg, bmp, tif, tiff, webp) are ignored.
//
// Ownership: the result is a value (the tensor is allocated here, once).
// Threads: call from any thread; it decodes on options.threads worker threads and returns
// when they are done. Progress and cancellation go through `control`.
// Failure: never throws. Bad files are skipped and named in the report with a reason;
// a folder with no usable image gives a LoadResult without dataset and a message.

#include "data/dataset.h"

#include <QString>

namespace aes {

LoadResult loadFolder(const QString &folder, const LoadOptions &options = {},
                      const LoadControl *control = nullptr);

} // namespace aes
