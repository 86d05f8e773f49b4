#!/usr/bin/env bash
# Audio figures side by side (docs/PERFORMANCE.md, "Audio"): the spoken digits (made once by
# scripts/make-spoken-digits.sh into $DATA) loaded into uint8 log-mel spectrograms
#   peer: bench/peer_audio_load.py (soundfile + scipy's resample_poly + numpy STFT/mel), 1 and 2 processes
#   aestudio: aes-bench-audio (the loader the app and CLI use, 1 and 2 threads), which also times
#             decode-to-audio (features -> Griffin-Lim -> samples) per 1 s clip and measures Griffin-Lim's
#             spectral convergence against the original clips
# then trains the default model on them (aestudio-cli train, the defaults the data chooses): kNN(10)
# accuracy of the validation codes and training images/s from summary.json.
# Usage: bench/audio_vs_python.sh [DATA] [EPOCHS]   (build first: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${TMPDIR:-/tmp}/aes-spoken-digits}"
EPOCHS="${2:-}"
BUILD="${BUILD:-build}"

bench/install-packages.sh python3-soundfile python3-numpy python3-scipy espeak-ng
scripts/make-spoken-digits.sh "$DATA"
find "$DATA" -type f -exec cat {} + > /dev/null  # both sides start from the page cache
echo "$(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for procs in 1 2; do
    echo "peer, $procs process(es): $(/usr/bin/python3 bench/peer_audio_load.py "$DATA" --procs "$procs")"
done
OMP_WAIT_POLICY=PASSIVE "$BUILD/bench/aes-bench-audio" "$DATA"
RUN="$(mktemp -d)"
trap 'rm -rf "$RUN"' EXIT
OMP_WAIT_POLICY=PASSIVE "$BUILD/app/aestudio-cli" train "$DATA" --out "$RUN/run" --overwrite \
    ${EPOCHS:+--epochs "$EPOCHS"} 2>&1 | grep -v '^\s*$' | tail -n 25
/usr/bin/python3 -c "
import json, sys
s = json.load(open('$RUN/run/summary.json'))
print('kNN(10) accuracy of the codes: %.3f; training %.0f images/s' % (s['knn_accuracy'], s['images_per_second']))
"
