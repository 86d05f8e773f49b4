#pragma once
// How compute threads wait, for programs that train beside a busy thread (the GUI).
// Call first thing in main(); not thread-safe (it may replace the process). Owns nothing.

namespace aes {

// Makes sure libgomp (LibTorch's OpenMP runtime) runs with OMP_WAIT_POLICY=PASSIVE: when
// the variable is unset, sets it and executes the program again with the same arguments.
// Returns only when the policy is in place, the user chose one, or re-execution failed.
void ensurePassiveOpenMpWait(char **argv);

} // namespace aes
