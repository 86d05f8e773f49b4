#!/usr/bin/env bash
# Side-by-side training benchmark: the PyTorch peer (bench/peer_pytorch.py) and
# aestudio-cli on the same data, threads and epochs, in one run; prints a table and ratios.
# Usage: bench/train_vs_pytorch.sh [DATA] [EPOCHS]   (build first: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}"
EPOCHS="${2:-3}"
THREADS="${THREADS:-2}"
CLI="${CLI:-build/app/aestudio-cli}"

need=()
for p in python3-torch python3-torchvision python3-numpy; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
# The same thread policy for both: passive OpenMP waiting, THREADS compute threads.
export OMP_WAIT_POLICY=PASSIVE

echo "== peer: PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') keras-conv, batch 128, Adam 1e-3, $THREADS threads"
/usr/bin/python3 bench/peer_pytorch.py "$DATA" --epochs "$EPOCHS" --threads "$THREADS" | tee "$OUT/peer.jsonl"

echo "== aestudio-cli keras-conv, same settings"
"$CLI" train "$DATA" --out "$OUT/keras" --model keras-conv --latent 16 --batch 128 --lr 0.001 \
    --epochs "$EPOCHS" --threads "$THREADS" --no-knn 2>&1 | grep -E "^epoch"

echo "== aestudio-cli conv (default settings), 2 epochs"
"$CLI" train "$DATA" --out "$OUT/conv" --latent 16 --epochs 2 --threads "$THREADS" --no-knn 2>&1 | grep -E "^epoch"

/usr/bin/python3 - "$OUT" <<'PY'
import csv, json, sys
out = sys.argv[1]
peer = [json.loads(l) for l in open(f"{out}/peer.jsonl")]
def hist(name):
    return list(csv.DictReader(open(f"{out}/{name}/history.csv")))
keras, conv = hist("keras"), hist("conv")
peer_ips = sum(p["images_per_second"] for p in peer) / len(peer)
keras_ips = sum(float(r["images_per_second"]) for r in keras) / len(keras)
print()
print(f"{'':24}{'val MSE ep2':>12}{'val MSE last':>14}{'images/s':>10}")
print(f"{'PyTorch keras-conv':24}{peer[min(1, len(peer)-1)]['val_mse']:>12.4f}{peer[-1]['val_mse']:>14.4f}{peer_ips:>10.0f}")
print(f"{'aestudio keras-conv':24}{float(keras[min(1, len(keras)-1)]['val_mse']):>12.4f}{float(keras[-1]['val_mse']):>14.4f}{keras_ips:>10.0f}")
print(f"{'aestudio conv':24}{float(conv[-1]['val_mse']):>12.4f}{float(conv[-1]['val_mse']):>14.4f}{float(conv[-1]['images_per_second']):>10.0f}")
print(f"\nkeras-conv speed, aestudio / PyTorch: {keras_ips / peer_ips:.2f}x")
print(f"conv val MSE after 2 epochs: {float(conv[-1]['val_mse']):.4f} (target <= 0.022; PyTorch keras-conv after 2: {peer[min(1, len(peer)-1)]['val_mse']:.4f})")
PY
