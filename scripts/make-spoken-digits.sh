#!/usr/bin/env bash
# Makes a spoken-digits dataset with espeak-ng: ten class folders (0 ... 9) of WAV clips, each
# digit said by several voices at several speeds and pitches.
# Usage: scripts/make-spoken-digits.sh [OUT_DIR] [--small]
#   default OUT_DIR: spoken-digits; 10 voices x 4 speeds x 5 pitches = 2000 clips (about a minute)
#   --small: 3 voices x 2 speeds x 2 pitches = 120 clips (a few seconds), for tests
# Needs espeak-ng (scripts/setup.sh installs it). Files already there are kept (reruns are quick).
set -euo pipefail
OUT="spoken-digits"
SMALL=0
for a in "$@"; do
    case "$a" in
        --small) SMALL=1 ;;
        -h|--help) sed -n 2,8p "$0"; exit 0 ;;
        *) OUT="$a" ;;
    esac
done
command -v espeak-ng >/dev/null || { echo "espeak-ng is missing: run scripts/setup.sh (or apt-get install espeak-ng)" >&2; exit 1; }

WORDS=(zero one two three four five six seven eight nine)
if ((SMALL)); then
    VOICES=(en-us en-gb-scotland en-us+f3)
    SPEEDS=(140 190)
    PITCHES=(35 65)
else
    VOICES=(en-us en-gb en-gb-scotland en-gb-x-rp en-029 en-gb-x-gbclan en-us+f2 en-us+f4 en+m3 en-gb-x-gbcwmd+f1)
    SPEEDS=(120 150 180 210)
    PITCHES=(30 40 50 60 70)
fi

jobs_file=$(mktemp)
trap 'rm -f "$jobs_file"' EXIT
for d in "${!WORDS[@]}"; do
    mkdir -p "$OUT/$d"
    for v in "${VOICES[@]}"; do
        for s in "${SPEEDS[@]}"; do
            for p in "${PITCHES[@]}"; do
                f="$OUT/$d/${WORDS[$d]}_${v//+/-}_s${s}_p${p}.wav"
                [ -s "$f" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$v" "$s" "$p" "$f" "${WORDS[$d]}" >> "$jobs_file"
            done
        done
    done
done
# One espeak-ng per clip, as many at once as there are cores; each writes a temporary name first
# so that an interrupted run leaves no half-written clip behind.
tr '\n' '\0' < "$jobs_file" | xargs -0 -r -P "$(nproc)" -n 1 bash -c '
    IFS=$'"'"'\t'"'"' read -r v s p f w <<< "$1"
    espeak-ng -v "$v" -s "$s" -p "$p" -w "$f.tmp" "$w" && mv "$f.tmp" "$f"' _
echo "$(find "$OUT" -name '*.wav' | wc -l) clips in $OUT"
