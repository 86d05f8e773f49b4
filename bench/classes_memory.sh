#!/usr/bin/env bash
# Peak memory of `train --classes` (one class of three) from the dataset cache against the same
# run on the whole mapped set and on the class loaded into memory (docs/PERFORMANCE.md, "A class
# subset"). photos192x4k: 4000 RGB 192x192 crops, 442 MB of pixels, one class per source photo.
# A small dense model and one epoch keep the run short; what differs is where the class's pixels
# live. Peak RSS counts the mapped file's pages once touched; RssAnon (sampled) does not.
# Usage: bench/classes_memory.sh [DATA_DIR]   (build first: scripts/setup.sh; CLI=... to compare binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${TMPDIR:-/tmp}/xd}"
CLI="$(realpath "${CLI:-build/app/aestudio-cli}")"
bench/install-packages.sh time python3-numpy python3-pil python3-scipy python3-sklearn
/usr/bin/python3 bench/make_datasets.py "$DATA" photos192x4k > /dev/null
SET="$DATA/photos192x4k"
CLASS="$(ls "$SET" | head -1)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$CLI" cache "$SET" --cache-dir "$WORK/cache" > /dev/null 2>&1
echo "$(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); class $CLASS of $(ls "$SET" | wc -l)"
run() {
    local name="$1"; shift
    OMP_WAIT_POLICY=PASSIVE /usr/bin/time -f '%M' -o "$WORK/peak" "$CLI" train "$SET" "$@" --out "$WORK/run" --overwrite \
        --epochs 1 --threads 1 --no-knn --model dense --widths 16 --latent 4 --dropout 0 > "$WORK/log" 2>&1 &
    local pid=$! anon=0 now
    while kill -0 "$pid" 2>/dev/null; do
        child=$(pgrep -P "$pid" || true)
        now=$(sed -n 's/^RssAnon:\s*\([0-9]*\) kB/\1/p' "/proc/${child:-$pid}/status" 2>/dev/null || echo 0)
        [ -n "$now" ] && [ "$now" -gt "$anon" ] && anon=$now
        sleep 0.2
    done
    wait "$pid" || { cat "$WORK/log"; exit 1; }
    printf '  %-34s peak RSS %5d MiB   peak RssAnon %5d MiB   training images %s\n' "$name" $(($(cat "$WORK/peak") / 1024)) \
        $((anon / 1024)) "$(/usr/bin/python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["train_images"]))' "$WORK/run/summary.json")"
}
run "--classes $CLASS, mapped" --classes "$CLASS" --cache-dir "$WORK/cache"
run "--classes $CLASS, --no-cache" --classes "$CLASS" --no-cache
run "every class, mapped" --cache-dir "$WORK/cache"
