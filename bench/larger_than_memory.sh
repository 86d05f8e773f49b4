#!/usr/bin/env bash
# A dataset larger than the memory the process may use trains an epoch (docs/PERFORMANCE.md).
# The 4000 photo crops of photos192x4k are brought to 288x288 RGB: 995 MB of pixels. Inside a
# memory cgroup limited to LIMIT_MB the cache is built, then one epoch trains; the page cache
# the group may hold counts against the same limit, so most of an epoch's reads page in again
# (default 600 MiB: the pixels are 1.58x of it). The kernel kills a process whose resident
# memory cannot fit, so finishing is the test. The same run with --no-cache (everything in
# memory) is tried too, to show that it cannot. Needs root and cgroup v1 or v2 mounted at
# /sys/fs/cgroup (systemd-run --scope -p MemoryMax= does the same where systemd runs).
# Usage: bench/larger_than_memory.sh [DATA_DIR]   (build first: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${TMPDIR:-/tmp}/xd}"
CLI="$(realpath "${CLI:-build/app/aestudio-cli}")"
LIMIT_MB="${LIMIT_MB:-600}"
SIZE="${SIZE:-288}"
bench/install-packages.sh time bc python3-numpy python3-pil python3-scipy python3-sklearn
/usr/bin/python3 bench/make_datasets.py "$DATA" photos192x4k > /dev/null
SET="$DATA/photos192x4k"
OUT="$(mktemp -d)"
if [ -d /sys/fs/cgroup/memory ]; then       # cgroup v1
    CG=/sys/fs/cgroup/memory/aes-larger-than-memory-$$
    mkdir "$CG"; echo $((LIMIT_MB << 20)) > "$CG/memory.limit_in_bytes"; echo 0 > "$CG/memory.swappiness" || true
else                                         # cgroup v2
    CG=/sys/fs/cgroup/aes-larger-than-memory-$$
    mkdir "$CG"; echo $((LIMIT_MB << 20)) > "$CG/memory.max"; echo 0 > "$CG/memory.swap.max" || true
fi
trap 'rmdir "$CG" 2>/dev/null; rm -rf "$OUT"' EXIT
inlimit() { sh -c 'echo $$ > "$0/cgroup.procs"; shift; exec "$@"' "$CG" -- "$@"; }
inlimit /usr/bin/time -f "cache built in %e s, peak RSS %M kB" "$CLI" cache "$SET" --size "${SIZE}x${SIZE}" --channels 3 \
    --cache-dir "$OUT/cache"
pixels=$((4000 * 3 * SIZE * SIZE))
echo "pixels $((pixels / 1000000)) MB, limit ${LIMIT_MB} MiB: $(echo "$pixels / ($LIMIT_MB * 1048576)" | bc -l | cut -c1-4)x"
for storage in mapped memory; do
    opt=(--cache-dir "$OUT/cache"); [ "$storage" = memory ] && opt=(--no-cache)
    set +e
    inlimit /usr/bin/time -v -o "$OUT/time" env OMP_WAIT_POLICY=PASSIVE "$CLI" train "$SET" "${opt[@]}" --size "${SIZE}x${SIZE}" \
        --channels 3 --out "$OUT/run-$storage" --overwrite --epochs 1 --batch 8 --threads 2 --no-knn --val-split 0.05 > "$OUT/log" 2>&1
    rc=$?
    set -e
    peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time")
    if [ "$rc" = 0 ]; then
        ips=$(/usr/bin/python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["images_per_second"], 1))' "$OUT/run-$storage/summary.json")
        echo "$storage: finished, $ips images/s, peak RSS $((peak / 1024)) MiB (file pages included)"
    else
        echo "$storage: did not finish (exit $rc): $(grep -v '^\s' "$OUT/log" | tail -1)"
    fi
done
