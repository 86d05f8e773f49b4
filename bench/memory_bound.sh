#!/usr/bin/env bash
# Peak memory of one CLI training epoch against the bound of docs/PERFORMANCE.md ("Memory that
# does not grow with the validation set"): 4000 RGB photo crops at 64, 128 and 192 px, 10% and
# 30% held out for validation, the images in memory (--no-cache) and mapped from the dataset
# cache. Peak RSS by /usr/bin/time -v; the bound checked is the issue's: the raw pixel bytes
# + 600 MB. A mapped run's RSS also counts the file pages it touched (at most the pixel bytes;
# page cache the system may reclaim), so it is held to the same bound.
# Usage: bench/memory_bound.sh [DATA_DIR]   (build first: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${TMPDIR:-/tmp}/xd}"
CLI="${CLI:-build/app/aestudio-cli}"
bench/install-packages.sh time python3-numpy python3-pil python3-scipy python3-sklearn
/usr/bin/python3 bench/make_datasets.py "$DATA" photos64x4k photos128x4k photos192x4k > /dev/null

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "$(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-6s %-5s %-7s %10s %10s %10s %6s\n" size val storage "pixels MB" "peak MB" "bound MB" ok
for size in 64 128 192; do
    set="$DATA/photos${size}x4k"
    "$CLI" cache "$set" --cache-dir "$OUT/cache" > /dev/null 2>&1
    pixels=$((4000 * 3 * size * size))
    for val in 0.1 0.3; do
        for storage in memory mapped; do
            opt=(--no-cache); [ "$storage" = mapped ] && opt=(--cache-dir "$OUT/cache")
            OMP_WAIT_POLICY=PASSIVE /usr/bin/time -v -o "$OUT/time" "$CLI" train "$set" "${opt[@]}" --out "$OUT/run" \
                --overwrite --epochs 1 --val-split "$val" --threads 1 > /dev/null 2>&1
            peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time")
            /usr/bin/python3 -c "
p=$pixels/1e6; peak=$peak*1024/1e6; bound=p+600
print(f'%-6s %-5s %-7s %10.0f %10.0f %10.0f %6s' % ('$size', '$val', '$storage', p, peak, bound, 'yes' if peak <= bound else 'NO'))"
        done
    done
done
