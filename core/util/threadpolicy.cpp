#include "util/threadpolicy.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <unistd.h>

namespace aes {

// libgomp reads OMP_WAIT_POLICY once, when the library is loaded, which is before main()
// runs. By default its idle threads spin for a while after every parallel region; with two
// compute threads and a busy GUI thread (plots, repaints) on the same cores, that spinning
// steals the time the next batch needs and training gets 2-25x slower. PASSIVE makes idle
// threads sleep. Setting the variable in main() is too late for this process, so it is set
// and the program executed again, once. A value the user set is respected.
void ensurePassiveOpenMpWait(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY"))
        return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    // The resolved path, not /proc/self/exe itself: the process would be named "exe".
    char self[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
        return;
    self[length] = '\0';
    ::execv(self, argv);
    // execv returns only on failure: run on with the default policy rather than not at all.
}

const char *selectBlasKernels()
{
    // Looked up at run time: the BLAS behind libblas.so.3 is whichever the system chose.
    using NameFn = char *(*)();
    using VoidFn = void (*)();
    const auto coreName = reinterpret_cast<NameFn>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    const auto quit = reinterpret_cast<VoidFn>(::dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
    const auto init = reinterpret_cast<VoidFn>(::dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
    if (!coreName)
        return "";
    if (!quit || !init || std::getenv("OPENBLAS_CORETYPE"))
        return coreName();
#if defined(__x86_64__) && defined(__GNUC__)
    const char *better = nullptr;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512dq"))
        better = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        better = "Haswell";
    // The cores OpenBLAS falls back to for models it does not know, all below AVX2.
    static const char *const fallbacks[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge", "Atom"};
    bool fellBack = false;
    for (const char *name : fallbacks)
        fellBack = fellBack || std::strcmp(coreName(), name) == 0;
    if (better && fellBack) {
        // Before any product has run: the kernel table is swapped, its buffers are made on first use.
        ::setenv("OPENBLAS_CORETYPE", better, 1);
        quit();
        init();
    }
#endif
    return coreName();
}

} // namespace aes
