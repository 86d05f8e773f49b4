#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang, ASan + UBSan) and runs each for SECONDS.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]      (default: 60 s each, every harness)
#   AES_FUZZ_BUILD_DIR   build folder (default: build-fuzz)
#   AES_FUZZ_JOBS        parallel compile jobs (default: 2)
# First replays fuzz/regressions/<harness>/ (inputs that once crashed: they must pass), then
# fuzzes from fuzz/corpus/<harness>/ into a working copy under the build folder (the committed
# seeds stay small). Crashes, leaks and timeouts land in BUILD/findings/<harness>/; the script
# exits 1 when there is any. To keep one: fix it, then copy the file to fuzz/regressions/<harness>/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
shift || true
HARNESSES=("$@")
((${#HARNESSES[@]})) || HARNESSES=(fuzz_image fuzz_idx fuzz_json fuzz_checkpoint)
BUILD_DIR="${AES_FUZZ_BUILD_DIR:-build-fuzz}"
JOBS="${AES_FUZZ_JOBS:-2}"

# libFuzzer and the sanitizer runtimes come with libclang-rt-14-dev on bookworm.
if ! command -v clang++ >/dev/null; then
    echo "clang++ not found: apt-get install clang" >&2
    exit 2
fi
if [ ! -e "$(clang++ -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libclang-rt-14-dev
fi

# Debug keeps assertions; the harness libraries set -O1 themselves.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DAES_FUZZ=ON -DAES_BUILD_TESTS=OFF -DAES_BUILD_GUI=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target "${HARNESSES[@]}"

# One thread per fuzzer: LibTorch/OpenMP thread pools only slow the loop down.
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE QT_QPA_PLATFORM=offscreen
# Huge allocations asked for by forged headers fail (and must be handled) instead of aborting.
BASE_ASAN="allocator_may_return_null=1:handle_abort=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

status=0
for h in "${HARNESSES[@]}"; do
    exe="$BUILD_DIR/fuzz/$h"
    findings="$BUILD_DIR/findings/$h"
    work="$BUILD_DIR/corpus/$h"
    mkdir -p "$findings" "$work"
    asan="$BASE_ASAN"
    # LibTorch keeps per-process caches that LeakSanitizer would report as leaks.
    [ "$h" = fuzz_checkpoint ] && asan="$asan:detect_leaks=0"
    export ASAN_OPTIONS="$asan"
    # -rss_limit_mb: a forged size that is accepted and really allocated is a finding too.
    flags=(-timeout=20 -rss_limit_mb=3072 -artifact_prefix="$findings/")
    [ "$h" = fuzz_checkpoint ] && flags+=(-max_len=262144)

    if compgen -G "fuzz/regressions/$h/*" >/dev/null; then
        echo "== $h: replaying fuzz/regressions/$h"
        if ! "$exe" "${flags[@]}" fuzz/regressions/$h/* >"$findings/regressions.log" 2>&1; then
            echo "   REGRESSION: see $findings/regressions.log"
            status=1
        fi
    fi
    echo "== $h: fuzzing for ${SECONDS_EACH}s"
    "$exe" "${flags[@]}" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
        "$work" "fuzz/corpus/$h" >"$findings/fuzz.log" 2>&1 || true
    grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$findings/fuzz.log" | sed 's/^/   /' || true
    found=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    if [ "$found" -gt 0 ]; then
        echo "   FINDINGS: $found in $findings (log: $findings/fuzz.log)"
        grep -m3 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|ALARM' "$findings/fuzz.log" | sed 's/^/   /' || true
        status=1
    else
        echo "   no findings"
    fi
done
exit $status
