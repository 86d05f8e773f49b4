#!/usr/bin/env bash
# Data-parallel training on one machine: 2 processes x 1 thread (`train --nproc 2`, Gloo over
# loopback) against 1 process x 2 threads and 1 process x 1 thread, on the same data, model,
# global batch and epochs. Prints images/s of the training steps (validation excluded), the
# ratios, and the share of the steps' time the 2-process run spent in its collectives.
# Usage: bench/dataparallel.sh [DATA] [ROUNDS]   (build first: scripts/setup.sh)
#   MODEL (keras-conv), BATCH (global batch, 128), EPOCHS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}"
ROUNDS="${2:-1}"
MODEL="${MODEL:-keras-conv}"
BATCH="${BATCH:-128}"
EPOCHS="${EPOCHS:-2}"
CLI="${CLI:-build/app/aestudio-cli}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
COMMON=(--model "$MODEL" --latent 16 --schedule constant --lr 0.001 --epochs "$EPOCHS" --no-knn --device cpu)
echo "$(nproc) cores, $MODEL, global batch $BATCH, $EPOCHS epochs, $(basename "$DATA"); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
    OMP_WAIT_POLICY=PASSIVE "$CLI" train "$DATA" --out "$OUT/p1t2-$round" "${COMMON[@]}" --batch "$BATCH" --threads 2 2>/dev/null
    OMP_WAIT_POLICY=PASSIVE "$CLI" train "$DATA" --out "$OUT/p2t1-$round" "${COMMON[@]}" --batch $((BATCH / 2)) --threads 1 --nproc 2 2>/dev/null
    OMP_WAIT_POLICY=PASSIVE "$CLI" train "$DATA" --out "$OUT/p1t1-$round" "${COMMON[@]}" --batch "$BATCH" --threads 1 2>/dev/null
    echo "round $round done; load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def s(name, r):
    return json.load(open(f"{out}/{name}-{r}/summary.json"))
print(f"{'round':>5} {'1 proc x 2 thr':>15} {'2 proc x 1 thr':>15} {'1 proc x 1 thr':>15} {'2p/1p2t':>8} {'2p/1p1t':>8} {'comm share':>11} {'val mse 1p2t/2p':>18}")
for r in range(1, rounds + 1):
    a, b, c = s("p1t2", r), s("p2t1", r), s("p1t1", r)
    ia, ib, ic = a["images_per_second"], b["images_per_second"], c["images_per_second"]
    share = b["communication_seconds"] / b["step_seconds"] if b["step_seconds"] > 0 else float("nan")
    print(f"{r:>5} {ia:>15.0f} {ib:>15.0f} {ic:>15.0f} {ib/ia:>8.2f} {ib/ic:>8.2f} {100*share:>10.1f}% {a['val_mse']:>9.4f}/{b['val_mse']:.4f}")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
