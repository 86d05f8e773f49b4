#!/usr/bin/env bash
# Side-by-side loading benchmark (issue 6, P3): image folders into one in-memory tensor.
#   peer: torchvision ImageFolder + PIL (Grayscale for the gray folder) + ToTensor, torch.stack
#         (bench/peer_load.py), plain and with OMP_WAIT_POLICY=PASSIVE; its better run counts.
#   aestudio: `aestudio-cli bench FOLDER --load-only` (the loader the app and CLI use).
# Folders (written once by bench/write_png_folders.py into $CACHE): the 70k Fashion-MNIST images
# as 28x28 gray PNGs, 10k 64x64 RGB and 5k 128x128 RGB PNGs. Each side's peak RSS is read by
# /usr/bin/time -v; the target for ours is 1.5x the raw uint8 size + 300 MB.
# Usage: bench/load_vs_pytorch.sh [CACHE]   (build first: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${1:-${TMPDIR:-/tmp}/aes-bench}"
THREADS="${THREADS:-2}"
CLI="${CLI:-build/app/aestudio-cli}"

bench/install-packages.sh python3-torch python3-torchvision python3-numpy python3-pil time
/usr/bin/python3 bench/write_png_folders.py "$CACHE"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "$THREADS threads, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
rss() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
for folder in fashion-70k rgb64 rgb128; do
    gray=""; [ "$folder" = fashion-70k ] && gray="--gray"
    # Read every file once so that both sides start from the page cache.
    find "$CACHE/$folder" -type f -exec cat {} + > /dev/null
    for policy in plain passive; do
        envs=(-u OMP_WAIT_POLICY); [ "$policy" = passive ] && envs=(OMP_WAIT_POLICY=PASSIVE)
        env "${envs[@]}" /usr/bin/time -v -o "$OUT/peer-$folder-$policy.time" \
            /usr/bin/python3 bench/peer_load.py "$CACHE/$folder" $gray --threads "$THREADS" > "$OUT/peer-$folder-$policy.json"
        echo "$(rss "$OUT/peer-$folder-$policy.time")" > "$OUT/peer-$folder-$policy.rss"
    done
    OMP_WAIT_POLICY=PASSIVE /usr/bin/time -v -o "$OUT/ours-$folder.time" \
        "$CLI" bench "$CACHE/$folder" --load-only --json --threads "$THREADS" > "$OUT/ours-$folder.json"
    echo "$(rss "$OUT/ours-$folder.time")" > "$OUT/ours-$folder.rss"
    echo "$folder done"
done

/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def read(name):
    return json.load(open(f"{out}/{name}.json")), int(open(f"{out}/{name}.rss").read()) / 1024
print()
print(f"{'folder':12}{'images':>8}{'raw MB':>8} | {'PyTorch s':>10}{'RSS MB':>8} | {'aestudio s':>11}{'RSS MB':>8}{'RSS limit':>10} | {'speed-up':>8}")
for folder, (c, h, w) in (("fashion-70k", (1, 28, 28)), ("rgb64", (3, 64, 64)), ("rgb128", (3, 128, 128))):
    peers = [read(f"peer-{folder}-{p}") for p in ("plain", "passive")]
    (peer, peer_rss) = min(peers, key=lambda r: r[0]["seconds"])
    ours, ours_rss = read(f"ours-{folder}")
    row = next(r for r in ours["load"] if r["name"] == "given")
    n = row["images"]
    raw = n * c * h * w / 1e6
    limit = 1.5 * raw + 300
    print(f"{folder:12}{n:>8}{raw:>8.0f} | {peer['seconds']:>10.2f}{peer_rss * 1.048576:>8.0f} | {row['seconds']:>11.2f}"
          f"{ours_rss * 1.048576:>8.0f}{limit:>10.0f} | {peer['seconds'] / row['seconds']:>7.1f}x")
print("\n(P3 targets on fashion-70k: speed-up >= 4x, aestudio RSS <= the limit; MB = 10^6 bytes)")
PY
