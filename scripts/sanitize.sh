#!/usr/bin/env bash
# Builds the test suite with sanitizers (clang) and runs it.
# Usage: scripts/sanitize.sh [address|thread] [TARGET...]
#   address (default): AES_SANITIZE=address,undefined in build-asan; every target and every test,
#                      or only the given targets (aes_core, tst_idxfile, ...) and their tests.
#   thread:            AES_SANITIZE=thread in build-tsan; the controller/worker tests
#                      (tst_trainer, tst_trainingcontroller) unless targets are given.
#   AES_SANITIZE_BUILD_DIR  build folder (default: build-asan or build-tsan)
#   AES_SANITIZE_JOBS       parallel compile jobs (default: 2; torch files need ~1.5 GB each)
#
# LibTorch, libgomp, OpenCV and Qt are not instrumented. ASan still checks their heap use
# (malloc is intercepted); leak checking is off because LibTorch, libgomp and Qt keep
# process-lifetime allocations that LeakSanitizer reports at exit. ThreadSanitizer cannot see
# the synchronisation inside uninstrumented libgomp (OpenMP barriers), LibTorch's kernels and Qt
# (event queue, QWaitCondition): fuzz/tsan.supp lists what is suppressed and why.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-address}"
shift || true
TARGETS=("$@")
case "$MODE" in
    address)
        SANITIZERS="address,undefined"
        BUILD_DIR="${AES_SANITIZE_BUILD_DIR:-build-asan}"
        ;;
    thread)
        SANITIZERS="thread"
        BUILD_DIR="${AES_SANITIZE_BUILD_DIR:-build-tsan}"
        ((${#TARGETS[@]})) || TARGETS=(tst_trainer tst_trainingcontroller)
        ;;
    *)
        echo "usage: $0 [address|thread] [TARGET...]" >&2
        exit 2
        ;;
esac
JOBS="${AES_SANITIZE_JOBS:-2}"

if ! command -v clang++ >/dev/null; then
    echo "clang++ not found: apt-get install clang" >&2
    exit 2
fi
# The sanitizer runtimes come with libclang-rt-14-dev on bookworm.
if [ ! -e "$(clang++ -print-resource-dir)/lib/linux/libclang_rt.asan-x86_64.a" ] \
    || [ ! -e "$(clang++ -print-resource-dir)/lib/linux/libclang_rt.tsan-x86_64.a" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libclang-rt-14-dev
fi

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
    -DAES_SANITIZE="$SANITIZERS" >/dev/null
if ((${#TARGETS[@]})); then
    cmake --build "$BUILD_DIR" -j"$JOBS" --target "${TARGETS[@]}"
else
    cmake --build "$BUILD_DIR" -j"$JOBS"
fi

# The tests among the targets (all of them when none were given).
ctest_args=(--output-on-failure --timeout 1800)
tests=()
for t in "${TARGETS[@]}"; do
    [[ "$t" == tst_* ]] && tests+=("$t")
done
if ((${#TARGETS[@]})); then
    if ((${#tests[@]} == 0)); then
        echo "built ${TARGETS[*]}; no tests among them"
        exit 0
    fi
    ctest_args+=(-R "^($(IFS='|'; echo "${tests[*]}"))\$")
fi

SUPP="$PWD/fuzz/tsan.supp"
export QT_QPA_PLATFORM=offscreen OMP_WAIT_POLICY=PASSIVE
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# ignore_noninstrumented_modules: calls made from inside Qt, LibTorch and libgomp are not checked.
export TSAN_OPTIONS="suppressions=$SUPP:halt_on_error=1:second_deadlock_stack=1:history_size=4:ignore_noninstrumented_modules=1"
cd "$BUILD_DIR"
# clang 14's TSan cannot map its shadow memory with 30+ bits of mmap randomisation
# ("unexpected memory mapping"): run without address randomisation when that happens.
if [ "$MODE" = thread ] && command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then
    exec setarch "$(uname -m)" -R ctest "${ctest_args[@]}"
fi
exec ctest "${ctest_args[@]}"
