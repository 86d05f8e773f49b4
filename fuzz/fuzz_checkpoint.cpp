// Fuzzes the checkpoint loader (core/checkpoint.h) through a temporary file. Damaged files
// must give an error message, never a crash or an exception. LibTorch is not instrumented
// (see CMakeLists.txt): ASan sees its heap but not its stack or globals.

#include "model/checkpoint.h"

#include "fuzzutil.h"

#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    torch::set_num_threads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static aes::fuzz::TempInput input(QStringLiteral("input.ckpt"));
    const QString &path = input.write(data, size);
    QString error;
    const std::optional<aes::LoadedCheckpoint> loaded = aes::loadCheckpoint(path, &error);
    if (!loaded && error.isEmpty()) {
        std::fprintf(stderr, "loadCheckpoint failed without a message\n");
        std::abort();
    }
    if (loaded && !loaded->model) {
        std::fprintf(stderr, "loadCheckpoint succeeded without a model\n");
        std::abort();
    }
    return 0;
}
