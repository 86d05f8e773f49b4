#pragma once
// MNIST-format IDX files (http://yann.lecun.com/exdb/mnist/): a big-endian header (magic
// 0x0000TTDD: type TT, DD dimensions, then DD 32-bit sizes) followed by the raw data.
// Only unsigned bytes (type 0x08) are supported: 0x00000803 images, 0x00000801 labels.
// Gzip-compressed files are read transparently (zlib reads plain files too).
//
// Ownership: results are values. Threads: any thread; one call per file at a time.
// Failure: never throws for bad files; the result carries a message naming the file.

#include "data/dataset.h"

#include <ATen/core/Tensor.h>

#include <QString>

namespace aes {

struct IdxArray {
    at::Tensor data;   // uint8, shaped as the header declares; undefined on failure
    quint32 magic = 0;
    QString error;     // empty on success
    bool ok() const { return error.isEmpty(); }
};

// Reads any uint8 IDX file with 1 to 4 dimensions. Declared sizes are checked against the
// data actually present ("truncated: ..."), and memory grows with the data read, so a forged
// header cannot make it allocate gigabytes. Cancellation via `control` gives "cancelled".
IdxArray readIdx(const QString &path, const LoadControl *control = nullptr);

// The magic number of a (possibly gzipped) file, or 0 when it cannot be read. Reads 4 bytes;
// does not open anything but regular files.
quint32 idxMagic(const QString &path);

// The labels file beside an images file ("...images-idx3..." -> "...labels-idx1...", with or
// without ".gz"), or an empty string when there is none.
QString idxLabelsPathFor(const QString &imagesPath);

// Loads an IDX images file (N x H x W -> N x 1 x H x W) and its labels when found beside it
// with the same count. Fashion-MNIST files (path contains "fashion") get its class names,
// others "0".."K-1". Honours options.channels (3 repeats the gray plane) and width/height
// (resized with options.resize). A labels file that does not fit is noted in the report.
LoadResult readIdxImages(const QString &path, const LoadOptions &options = {},
                         const LoadControl *control = nullptr);

// Writes a uint8 tensor (any 1 to 4 dims; N x H x W for images, N for labels) as IDX,
// gzip-compressed when the path ends in ".gz". Returns false and sets *error on failure.
bool writeIdx(const QString &path, const at::Tensor &data, QString *error = nullptr);

} // namespace aes
