// Fuzzes the IDX reader (core/idxfile.h) through a temporary file, both the raw array reader
// and the images reader (which also resizes and converts channels). Gzip input is read too:
// zlib reads plain and compressed files alike.

#include "data/idxfile.h"

#include "fuzzutil.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // The name has no "images-idx3" in it: no labels file is looked for beside it.
    static aes::fuzz::TempInput input(QStringLiteral("input.idx"));
    const QString &path = input.write(data, size);

    const aes::IdxArray array = aes::readIdx(path);
    if (array.ok()) {
        // A successful read holds exactly the bytes the header declares.
        if (!array.data.defined() || array.data.dim() < 1 || array.data.dim() > 4) {
            std::fprintf(stderr, "readIdx succeeded without a 1-4 dimensional tensor\n");
            std::abort();
        }
    } else if (array.data.defined()) {
        std::fprintf(stderr, "readIdx failed but returned data\n");
        std::abort();
    }

    aes::LoadOptions options;
    options.threads = 1;
    options.width = 6;
    options.height = 5;
    options.channels = 3;
    (void)aes::readIdxImages(path, options);
    return 0;
}
