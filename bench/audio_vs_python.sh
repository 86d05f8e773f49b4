#!/usr/bin/env bash
# Audio figures side by side (docs/PERFORMANCE.md, "Audio"): the spoken digits (made once by
# scripts/make-spoken-digits.sh into $DATA) loaded into uint8 log-mel spectrograms
#   peer: bench/peer_audio_load.py (soundfile + scipy's resample_poly + numpy STFT/mel), 1 and 2 processes
#   aestudio: aes-bench-audio (the loader the app and CLI use, 1 and 2 threads), which also times
#             decode-to-audio (features -> Griffin-Lim -> samples) per 1 s clip and measures Griffin-Lim's
#             spectral convergence against the original clips
# then trains the default model on them (aestudio-cli train, the defaults the data chooses): kNN(10)
# accuracy of the validation codes and training images/s from summary.json.
# Ends with the loading figures side by side: clips/s of each and their ratio, per worker count.
# Usage: bench/audio_vs_python.sh [DATA] [EPOCHS]   (build first: scripts/setup.sh)
#   SMALL=1: the 120-clip set (make-spoken-digits.sh --small) when DATA does not exist yet
#   NICE=N: both sides run under nice -n N (default 19: a shared machine's builds come first)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-${TMPDIR:-/tmp}/aes-spoken-digits}"
EPOCHS="${2:-}"
BUILD="${BUILD:-build}"
RUNNICE=(nice -n "${NICE:-19}")

bench/install-packages.sh python3-soundfile python3-numpy python3-scipy espeak-ng
scripts/make-spoken-digits.sh "$DATA" ${SMALL:+--small}
find "$DATA" -type f -exec cat {} + > /dev/null  # both sides start from the page cache
echo "$(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for procs in 1 2; do
    "${RUNNICE[@]}" /usr/bin/python3 bench/peer_audio_load.py "$DATA" --procs "$procs" | tee "$OUT/peer$procs.json" \
        | sed "s/^/peer, $procs process(es): /"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
OMP_WAIT_POLICY=PASSIVE "${RUNNICE[@]}" "$BUILD/bench/aes-bench-audio" "$DATA" | tee "$OUT/ours.txt"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
ours = {int(m[0]): float(m[1]) for m in re.findall(r"load  threads (\d+): .* = (\d+) clips/s", open(f"{out}/ours.txt").read())}
for n in (1, 2):
    p = json.load(open(f"{out}/peer{n}.json"))
    peer = p["clips"] / p["seconds"]
    print(f"loading, {n} worker(s): aestudio {ours[n]:.0f} clips/s, peer {peer:.0f} clips/s: {ours[n] / peer:.1f}x")
PY
RUN="$OUT/train"
OMP_WAIT_POLICY=PASSIVE "${RUNNICE[@]}" "$BUILD/app/aestudio-cli" train "$DATA" --out "$RUN/run" --overwrite \
    ${EPOCHS:+--epochs "$EPOCHS"} 2>&1 | grep -v '^\s*$' | tail -n 25
/usr/bin/python3 -c "
import json, sys
s = json.load(open('$RUN/run/summary.json'))
print('kNN(10) accuracy of the codes: %.3f; training %.0f images/s' % (s['knn_accuracy'], s['images_per_second']))
"
