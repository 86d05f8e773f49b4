#!/usr/bin/env bash
# The P1 command (docs/PERFORMANCE.md, "Training: aestudio vs a PyTorch user's script") with two
# builds alternately, to compare them under the same load: BEFORE and AFTER are aestudio-cli paths.
# Usage: bench/p1_before_after.sh BEFORE AFTER [DATA] [ROUNDS]
set -euo pipefail
BEFORE="$1"; AFTER="$2"
DATA="${3:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}"
ROUNDS="${4:-2}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for round in $(seq 1 "$ROUNDS"); do
    for side in before after; do
        cli="$BEFORE"; [ "$side" = after ] && cli="$AFTER"
        load="$(cut -d' ' -f1 /proc/loadavg)"
        OMP_WAIT_POLICY=PASSIVE "$cli" train "$DATA" --out "$OUT/$side-$round" --model keras-conv --latent 16 --batch 128 \
            --schedule constant --lr 0.001 --epochs 3 --threads 2 --no-knn 2>/dev/null
        ips="$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['images_per_second']))" "$OUT/$side-$round/summary.json")"
        echo "round $round $side: $ips images/s (load $load)"
    done
done
