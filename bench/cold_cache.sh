#!/usr/bin/env bash
# Training from the dataset cache when its pages are not in memory (docs/PERFORMANCE.md, "Cold page
# cache"): one epoch's training images/s, side by side in one run, alternating, medians of REPEATS:
#   memory  the images loaded into memory (--no-cache)
#   warm    mapped from the cache file, every page already in the page cache
#   cold    mapped from the cache file right after its pages were dropped
# The pages are dropped from this one file only (posix_fadvise(POSIX_FADV_DONTNEED) after an
# fsync; `fincore` shows what stays), not machine-wide with /proc/sys/vm/drop_caches, which would
# disturb whatever else the machine runs. Two models: the default conv model, and a small dense one
# (64 hidden units) whose steps are short, so that reading pixels weighs the most.
# Usage: bench/cold_cache.sh [DATA_DIR]   (build first: scripts/setup.sh)
#   SET=photos64 (a set of bench/make_datasets.py), REPEATS=3, CLI=build/app/aestudio-cli
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${TMPDIR:-/tmp}/xd}"
CLI="$(realpath "${CLI:-build/app/aestudio-cli}")"
REPEATS="${REPEATS:-3}"
SET_NAME="${SET:-photos64}"
bench/install-packages.sh python3-numpy python3-pil python3-scipy python3-sklearn util-linux
/usr/bin/python3 bench/make_datasets.py "$DATA" "$SET_NAME" > /dev/null
SET="$DATA/$SET_NAME"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
CACHE="$WORK/cache"
"$CLI" cache "$SET" --cache-dir "$CACHE" > /dev/null 2>&1
FILE="$(ls "$CACHE"/*.aesdata)"
echo "$(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); $SET_NAME, cache file $(($(stat -c %s "$FILE") >> 20)) MiB"

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ips() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images_per_second"])' "$1/summary.json"; }
drop() {
    /usr/bin/python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$FILE"
}
resident() { fincore --bytes --noheadings --output RES "$FILE" | tr -d ' '; }
train() {
    OMP_WAIT_POLICY=PASSIVE "$CLI" train "$SET" "$@" --out "$WORK/run" --overwrite --epochs 1 --threads 1 --no-knn \
        "${MODEL[@]}" > "$WORK/log" 2>&1 || { cat "$WORK/log"; exit 1; }
    ips "$WORK/run"
}

for model in conv dense; do
    MODEL=(); [ "$model" = dense ] && MODEL=(--model dense --widths 64 --latent 8 --dropout 0)
    mem=(); warm=(); cold=(); left=()
    for i in $(seq "$REPEATS"); do
        mem+=("$(train --no-cache)")
        cat "$FILE" > /dev/null
        warm+=("$(train --cache-dir "$CACHE")")
        drop
        left+=("$(resident)")
        cold+=("$(train --cache-dir "$CACHE")")
    done
    m=$(printf '%s\n' "${mem[@]}" | median); w=$(printf '%s\n' "${warm[@]}" | median)
    c=$(printf '%s\n' "${cold[@]}" | median)
    echo "$model model, one epoch, one thread, images/s (medians of $REPEATS; file bytes resident before the cold runs: ${left[*]}):"
    printf '  memory %.1f   warm %.1f   cold %.1f   warm/memory %.3fx   cold/memory %.3fx   cold/warm %.3fx\n' \
        "$m" "$w" "$c" "$(echo "$w / $m" | bc -l)" "$(echo "$c / $m" | bc -l)" "$(echo "$c / $w" | bc -l)"
    echo "  runs: memory ${mem[*]} | warm ${warm[*]} | cold ${cold[*]}"
done
