#pragma once
// How compute runs in this process: how threads wait, for programs that train beside a busy
// thread (the GUI), and which BLAS kernels serve matrix products. Call both first thing in
// main(), before any tensor work; not thread-safe (the first may replace the process). Owns nothing.

namespace aes {

// Makes sure libgomp (LibTorch's OpenMP runtime) runs with OMP_WAIT_POLICY=PASSIVE: when
// the variable is unset, sets it and executes the program again with the same arguments.
// Returns only when the policy is in place, the user chose one, or re-execution failed.
void ensurePassiveOpenMpWait(char **argv);

// OpenBLAS (the BLAS Debian's LibTorch uses) picks its kernels from the CPU model when it
// loads; a model newer than its table (Debian's 0.3.21 on Emerald Rapids, model 207) gets
// the SSE3 "Prescott" kernels, and matrix products run ~4x slower than the CPU allows.
// When OpenBLAS fell back to such a core and the CPU has AVX-512 (or AVX2 and FMA), this
// switches it to the SkylakeX (or Haswell) kernels, and sets OPENBLAS_CORETYPE so that
// processes this one starts get them from the start. A coretype the user set, a BLAS that
// is not OpenBLAS or not built for several CPUs, and a core that suits the CPU are left
// alone. Returns the kernels in use ("SkylakeX"), empty when not OpenBLAS.
const char *selectBlasKernels();

} // namespace aes
