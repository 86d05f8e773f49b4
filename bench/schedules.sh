#!/usr/bin/env bash
# Learning-rate schedules and early stopping, measured on one dataset in one run:
#  - each schedule (constant, cosine, onecycle, plateau) trains the default model for EPOCHS epochs
#    (the same steps, so about equal time); the table gives the final validation MSE, PSNR and time;
#  - early stopping (--epochs auto) against a fixed run of LONG epochs: epochs trained, final MSE, time.
# Usage: bench/schedules.sh [DATA] [EPOCHS] [LONG]   (build first: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}"
EPOCHS="${2:-10}"
LONG="${3:-30}"
CLI="${CLI:-build/app/aestudio-cli}"
THREADS="${THREADS:-2}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "data $DATA, $THREADS threads, load: $(cut -d' ' -f1-3 /proc/loadavg)"

final() {  # run dir -> "epochs val_mse val_psnr seconds" of its last epoch, from history.csv
    awk -F, 'NR > 1 { e = $1; m = $4; p = $5; s = $9 } END { printf "%d %.5f %.2f %.1f\n", e, m, p, s }' "$1/history.csv"
}
best() {  # the same, with the MSE and PSNR of the epoch of the lowest validation loss (the weights kept)
    awk -F, 'NR > 1 { e = $1; s = $9; if (b == "" || $3 < b) { b = $3; m = $4; p = $5 } } END { printf "%d %.5f %.2f %.1f\n", e, m, p, s }' "$1/history.csv"
}

printf "%-22s %7s %9s %8s %8s\n" "run" "epochs" "val mse" "psnr" "seconds"
for schedule in constant cosine onecycle plateau; do
    "$CLI" train "$DATA" --out "$OUT/$schedule" --epochs "$EPOCHS" --schedule "$schedule" --threads "$THREADS" \
        --no-knn 2> "$OUT/$schedule.log"
    read -r e m p s <<< "$(final "$OUT/$schedule")"
    printf "%-22s %7s %9s %8s %8s\n" "schedule $schedule" "$e" "$m" "$p" "$s"
done
"$CLI" train "$DATA" --out "$OUT/fixed" --epochs "$LONG" --threads "$THREADS" --no-knn 2> "$OUT/fixed.log"
read -r e m p s <<< "$(final "$OUT/fixed")"
printf "%-22s %7s %9s %8s %8s\n" "fixed $LONG epochs" "$e" "$m" "$p" "$s"
"$CLI" train "$DATA" --out "$OUT/auto" --epochs auto --threads "$THREADS" --no-knn 2> "$OUT/auto.log"
read -r e m p s <<< "$(best "$OUT/auto")"
printf "%-22s %7s %9s %8s %8s\n" "early stopping (auto)" "$e" "$m" "$p" "$s"
grep -h "stopped early" "$OUT/auto.log" || true
