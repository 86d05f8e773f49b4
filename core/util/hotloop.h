#pragma once
// AES_HOT_LOOP marks a function whose loops are worth a second version compiled for AVX2
// and FMA, chosen when the program starts (GCC's function multi-versioning: ifunc); on
// other compilers and machines the baseline version alone. Write such loops over vector
// types (vector_size(32)) or plain arrays: the baseline splits them into SSE halves.
// Results may differ in the last bits between the two versions (FMA contraction), never
// between runs on one machine.

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define AES_HOT_LOOP __attribute__((target_clones("avx2", "default")))
#else
#define AES_HOT_LOOP
#endif
