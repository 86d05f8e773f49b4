#!/usr/bin/env bash
# Hears the app's playback without a sound card (a developer check, not a CI test): a PulseAudio
# null sink as the default output, the app's SoundPlayer playing a clip into it (aes-playback-check,
# QT_QPA_PLATFORM=offscreen), parec recording the sink's monitor, and bench/playback_compare.py
# comparing the recording with what was played (delay, correlation, signal-to-error, sounding
# length, spectrum). Two plays: the clip's samples as they are, and the clip as a 64-mel
# spectrogram rendered by Griffin-Lim as the app's play buttons do.
# Installs nothing. Needs: pulseaudio, pulseaudio-utils (pactl, parec), python3-numpy,
# python3-soundfile, espeak-ng (for the default clip); e.g.
#   bench/install-packages.sh pulseaudio pulseaudio-utils python3-numpy python3-soundfile espeak-ng
# Starts a user PulseAudio daemon when none answers (and stops it again), loads a null sink
# "aes_check" for each play (unloaded after it).
# Usage: bench/playback_check.sh [CLIP]   (default: espeak-ng saying "seven", 22.05 kHz)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build}"
PY=/usr/bin/python3
missing=()
for c in pulseaudio pactl parec; do command -v "$c" >/dev/null || missing+=("$c"); done
$PY -c 'import numpy, soundfile' 2>/dev/null || missing+=("python3-numpy/python3-soundfile")
[ -x "$BUILD/bench/aes-playback-check" ] || missing+=("$BUILD/bench/aes-playback-check (build it)")
if ((${#missing[@]})); then
    echo "missing: ${missing[*]}" >&2
    echo "install: bench/install-packages.sh pulseaudio pulseaudio-utils python3-numpy python3-soundfile espeak-ng" >&2
    exit 2
fi

WORK="$(mktemp -d)"
STARTED=0
MODULE=""
cleanup() {
    [ -n "$PARPID" ] && kill "$PARPID" 2>/dev/null || true
    [ -n "$MODULE" ] && pactl unload-module "$MODULE" 2>/dev/null || true
    ((STARTED)) && pulseaudio --kill 2>/dev/null || true
    rm -rf "$WORK"
}
PARPID=""
trap cleanup EXIT

CLIP="${1:-}"
if [ -z "$CLIP" ]; then
    command -v espeak-ng >/dev/null || { echo "no CLIP given and espeak-ng is missing" >&2; exit 2; }
    CLIP="$WORK/seven.wav"
    espeak-ng -v en-us -w "$CLIP" "seven"
fi

if ! pactl info >/dev/null 2>&1; then
    pulseaudio -D --exit-idle-time=-1 --system=false --log-target=stderr 2>"$WORK/pulse.log"
    STARTED=1
    for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "PulseAudio: $(pactl info | sed -n 's/^Server Version: //p'), $(pactl info | sed -n 's/^Server String: //p')"

# A mono sink at the sound's own rate: nothing is resampled or mixed, so the monitor should
# hold the played samples up to 16-bit rounding. SINK_RATE=44100 SINK_CHANNELS=2 checks
# the usual sound-card setting instead (PulseAudio resamples twice, and the figures drop).
play() {  # MODE PLAYED RATE
    local mode="$1" played="$2" rate="$3" rec="$WORK/rec-$1.wav"
    MODULE="$(pactl load-module module-null-sink sink_name=aes_check rate="${SINK_RATE:-$rate}" \
        channels="${SINK_CHANNELS:-1}" sink_properties=device.description=aes-check)"
    pactl set-default-sink aes_check
    pactl suspend-sink aes_check 0  # running before the recording starts, not woken by the sound
    parec -d aes_check.monitor --rate="$rate" --channels=1 --format=s16le --latency-msec=20 \
        --file-format=wav "$rec" &
    PARPID=$!
    sleep 1  # the stream is up before the sound starts
    echo "== $mode: $CLIP"
    QT_QPA_PLATFORM=offscreen "$BUILD/bench/aes-playback-check" "$CLIP" "$played" --mode "$mode"
    sleep 0.3
    kill -INT "$PARPID"; wait "$PARPID" 2>/dev/null || true
    PARPID=""
    pactl unload-module "$MODULE"
    MODULE=""
    echo "sink: ${SINK_RATE:-$rate} Hz, ${SINK_CHANNELS:-1} channel(s)"
    $PY bench/playback_compare.py "$played" "$rec" --original "$CLIP"
}
status=0
CLIP_RATE="$($PY -c "import soundfile, sys; print(soundfile.info(sys.argv[1]).samplerate)" "$CLIP")"
play clip "$WORK/played-clip.wav" "$CLIP_RATE" || status=1
play spectrogram "$WORK/played-spectrogram.wav" 16000 || status=1
exit $status
