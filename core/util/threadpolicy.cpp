#include "util/threadpolicy.h"

#include <climits>
#include <cstdlib>
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

} // namespace aes
