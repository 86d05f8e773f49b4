#!/usr/bin/env bash
# Defaults across data: on each benchmark set (bench/make_datasets.py: RGB photo crops at 64 and
# 128 px, RGBA icons, 25x25 faces, 8x8 digits), aestudio's defaults against the peer, side by side
# in one run per set. The peer (bench/peer_pytorch.py) is the Keras-tutorial convolutional
# autoencoder a PyTorch user writes (Adam 1e-3, batch 128, MSE, latent 16), 10 epochs, reading the
# same pixels (alpha composited over white as aestudio does). aestudio runs as a new user runs it:
# `aestudio-cli train SET --out DIR`, every default (kNN included).
# Prints, per set: the peer's 10-epoch validation MSE and PSNR and its training time; the wall time
# aestudio took to reach that MSE (validation included) and the ratio; both sides' MSE and PSNR at
# equal wall time (aestudio's last epoch within the peer's time, or its final one when it ends sooner).
# The peer's latent is 16 (the size the issue measured it with); SAME_LATENT=1 adds a row with
# the peer given aestudio's chosen latent size.
# Usage: [SAME_LATENT=1] bench/crossdata.sh [SETS_DIR] [SET...]   (build first: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
SETS_DIR="${1:-$HOME/.cache/aestudio-bench}"
shift || true
SETS=("$@")
[ ${#SETS[@]} -eq 0 ] && SETS=(photos64 photos128 icons48 faces25 digits8)
CLI="${CLI:-build/app/aestudio-cli}"
PEER_EPOCHS="${PEER_EPOCHS:-10}"
OURS_ARGS="${OURS_ARGS:-}"
bench/install-packages.sh python3-torch python3-numpy python3-pil python3-scipy python3-sklearn adwaita-icon-theme
/usr/bin/python3 bench/make_datasets.py "$SETS_DIR" "${SETS[@]}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for set in "${SETS[@]}"; do
    data="$SETS_DIR/$set"
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peer_pytorch.py "$data" --epochs "$PEER_EPOCHS" --threads 2 \
        > "$OUT/$set.peer.jsonl"
    # shellcheck disable=SC2086
    "$CLI" train "$data" --out "$OUT/$set.ours" $OURS_ARGS 2> "$OUT/$set.ours.log" || { cat "$OUT/$set.ours.log"; exit 1; }
    /usr/bin/python3 bench/crossdata_table.py "$set" "$OUT/$set.peer.jsonl" "$OUT/$set.ours"
    # SAME_LATENT=1: the peer again with the latent size aestudio's defaults chose, when not 16,
    # so that both sides have the same bottleneck.
    latent="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["latent"])' "$OUT/$set.ours/summary.json")"
    if [ "${SAME_LATENT:-0}" = 1 ] && [ "$latent" != 16 ]; then
        OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peer_pytorch.py "$data" --epochs "$PEER_EPOCHS" --threads 2 \
            --latent "$latent" > "$OUT/$set.peer$latent.jsonl"
        /usr/bin/python3 bench/crossdata_table.py "$set (peer latent $latent)" "$OUT/$set.peer$latent.jsonl" "$OUT/$set.ours"
    fi
done
