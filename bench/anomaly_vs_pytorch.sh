#!/usr/bin/env bash
# The one-class protocol on Fashion-MNIST, aestudio against a plain PyTorch autoencoder: for
# each class k, train on the training images of class k only, score the 10 000 test images,
# and measure the AUROC of class k (normal) against the other nine. Prints one line per class
# (AUROC, training seconds) and the means, for aestudio and for the peer (bench/peer_anomaly.py).
# Usage: bench/anomaly_vs_pytorch.sh [DATA_DIR]   (build first: scripts/setup.sh)
#   EPOCHS=10     epochs per class (both sides)
#   TRAIN="..."   aestudio-cli train options (default: its defaults)
#   SCORE=mse     aestudio-cli score --score (mse, ssim, max-smoothed); SIGMA=2 its blur
#   PEER=0        skip the peer; OURS=0 skip aestudio
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-/usr/share/datasets/fashion-mnist}"
EPOCHS="${EPOCHS:-10}"
TRAIN="${TRAIN:-}"
SCORE="${SCORE:-mse}"
SIGMA="${SIGMA:-2}"
THREADS="${THREADS:-1}"
CLI="${CLI:-build/app/aestudio-cli}"
export OMP_WAIT_POLICY=PASSIVE

if [ "${PEER:-1}" = 1 ]; then
    bench/install-packages.sh python3-torch python3-numpy
fi

OUT="${KEEP:-$(mktemp -d)}"
mkdir -p "$OUT"
[ -z "${KEEP:-}" ] && trap 'rm -rf "$OUT"' EXIT
CLASSES=("T-shirt/top" "Trouser" "Pullover" "Dress" "Coat" "Sandal" "Shirt" "Sneaker" "Bag" "Ankle boot")
echo "$EPOCHS epochs per class, $THREADS thread(s), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${OURS:-1}" = 1 ]; then
    echo "== aestudio-cli train --classes K --epochs $EPOCHS $TRAIN; score --score $SCORE --sigma $SIGMA"
    sum=0
    for k in "${!CLASSES[@]}"; do
        name="${CLASSES[$k]}"
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        "$CLI" train "$DIR/train-images-idx3-ubyte.gz" --classes "$name" --out "$OUT/run-$k" --epochs "$EPOCHS" \
            --threads "$THREADS" --no-knn $TRAIN > "$OUT/train-$k.log" 2>&1
        trained=$(date +%s.%N)
        "$CLI" score "$OUT/run-$k" "$DIR/t10k-images-idx3-ubyte.gz" --out "$OUT/scores-$k.csv" --score "$SCORE" \
            --sigma "$SIGMA" --threads "$THREADS" > "$OUT/score-$k.log" 2>&1
        auroc=$(/usr/bin/python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['auroc'])" "$OUT/scores-$k.json")
        printf '%-12s AUROC %s  train %5.1f s  score %4.1f s\n' "$name" "$auroc" \
            "$(echo "$trained - $start" | bc)" "$(echo "$(date +%s.%N) - $trained" | bc)"
    done | tee "$OUT/ours.txt"
    /usr/bin/python3 -c '
import re, sys
rows = [re.search(r"AUROC ([0-9.]+)  train +([0-9.]+) s", l) for l in open(sys.argv[1])]
a = [float(r.group(1)) for r in rows if r]; t = [float(r.group(2)) for r in rows if r]
print("mean         AUROC %.4f  train %5.1f s per class" % (sum(a) / len(a), sum(t) / len(t)))' "$OUT/ours.txt"
fi

if [ "${PEER:-1}" = 1 ]; then
    echo "== peer: PyTorch conv autoencoder (bench/peer_anomaly.py), MSE score"
    /usr/bin/python3 bench/peer_anomaly.py "$DIR" --epochs "$EPOCHS" --threads "$THREADS"
fi
