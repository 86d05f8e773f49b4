#!/usr/bin/env bash
# The dataset cache, side by side in one run (docs/PERFORMANCE.md, "The dataset cache"):
#   1. the 70k Fashion-MNIST PNG folder: first load into memory (--no-cache), first open through
#      the cache (decode + write), reopen (a stat per file, then mapped), and a plain walk that
#      stats every file (find -printf '%s %T@'), the floor of any check that looks at each file;
#   2. 10 of its files rewritten, then reopened: how many are decoded, and the time;
#   3. training images/s of one epoch from the mapped cache against the in-memory tensor
#      (RGB 64x64 photo crops, one thread, alternating runs; medians).
# A private copy of the folder is used (files are modified). Times are the programs' own
# (report seconds, summary.json), the median of 5 runs; the walk's is a process's wall time.
# Usage: bench/cache_bench.sh [WORK_DIR]   (build first: scripts/setup.sh)
#   PNG=DIR (the folders of bench/write_png_folders.py) and SETS=DIR (of bench/make_datasets.py)
#   reuse folders written before.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-${TMPDIR:-/tmp}/aes-cache-bench}"
CLI="${CLI:-build/app/aestudio-cli}"
REPEATS="${REPEATS:-5}"
bench/install-packages.sh python3-numpy python3-pil python3-scipy python3-sklearn bc
PNG="${PNG:-$WORK/png}"
SETS="${SETS:-$WORK/sets}"
/usr/bin/python3 bench/write_png_folders.py "$PNG" > /dev/null
/usr/bin/python3 bench/make_datasets.py "$SETS" photos64 > /dev/null
mkdir -p "$WORK"
FOLDER="$WORK/fashion-70k"
[ -d "$FOLDER" ] || cp -r "$PNG/fashion-70k" "$FOLDER"
CACHE="$WORK/cache"
echo "$(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
seconds() { sed -n 's/.* in \([0-9.]*\) s$/\1/p'; }
find "$FOLDER" -type f -exec cat {} + > /dev/null  # every side starts from the page cache

memory=(); first=(); reopen=(); walk=()
for i in $(seq "$REPEATS"); do
    memory+=("$("$CLI" bench "$FOLDER" --load-only --json --threads 2 --no-cache \
        | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["load"][0]["seconds"])')")
    rm -rf "$CACHE"
    first+=("$("$CLI" cache "$FOLDER" --cache-dir "$CACHE" 2>&1 >/dev/null | seconds)")
    reopen+=("$("$CLI" cache "$FOLDER" --cache-dir "$CACHE" 2>&1 >/dev/null | seconds)")
    start=$(date +%s.%N); find "$FOLDER" -type f -printf '%s %T@\n' > /dev/null; end=$(date +%s.%N)
    walk+=("$(echo "$end - $start" | bc -l)")
done
m=$(printf '%s\n' "${memory[@]}" | median); f=$(printf '%s\n' "${first[@]}" | median)
r=$(printf '%s\n' "${reopen[@]}" | median); w=$(printf '%s\n' "${walk[@]}" | median)
echo "70k PNG folder, medians of $REPEATS:"
echo "  first load into memory (--no-cache)  $m s"
echo "  first open through the cache         $f s"
echo "  reopen from the cache                $r s   (first load / reopen: $(echo "$m / $r" | bc -l | cut -c1-5)x)"
echo "  walk with a stat per file (find)     $w s   (reopen / walk: $(echo "$r / $w" | bc -l | cut -c1-5)x)"

# 2. Ten files rewritten (other pixels, same names), then reopened.
/usr/bin/python3 - "$FOLDER" <<'PY'
import os, sys
from PIL import Image
root = sys.argv[1]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)[::7000][:10]
for path in files:
    im = Image.open(path).convert("L")
    im.putpixel((0, 0), (im.getpixel((0, 0)) + 128) % 256)
    im.save(path)
PY
out=$("$CLI" cache "$FOLDER" --cache-dir "$CACHE" 2>&1 >/dev/null)
echo "  after rewriting 10 files: $(echo "$out" | sed -n 's/.*\(decoded [0-9]* file(s) in [0-9.]* s\)$/\1/p')"

# 3. Training speed, mapped against in memory.
SET="$SETS/photos64"
"$CLI" cache "$SET" --cache-dir "$CACHE" > /dev/null 2>&1
ips() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images_per_second"])' "$1/summary.json"; }
mem=(); map=()
for i in $(seq "$REPEATS"); do
    OMP_WAIT_POLICY=PASSIVE "$CLI" train "$SET" --no-cache --out "$WORK/run" --overwrite --epochs 1 --threads 1 --no-knn > /dev/null 2>&1
    mem+=("$(ips "$WORK/run")")
    OMP_WAIT_POLICY=PASSIVE "$CLI" train "$SET" --cache-dir "$CACHE" --out "$WORK/run" --overwrite --epochs 1 --threads 1 --no-knn > /dev/null 2>&1
    map+=("$(ips "$WORK/run")")
done
a=$(printf '%s\n' "${mem[@]}" | median); b=$(printf '%s\n' "${map[@]}" | median)
echo "photos64 (4000 RGB 64x64), one epoch, one thread, medians of $REPEATS:"
echo "  in memory $a images/s, mapped $b images/s: mapped / memory $(echo "$b / $a" | bc -l | cut -c1-5)x"
