#!/usr/bin/env bash
# Installs what is missing (Debian bookworm), then configures and builds Autoencoder Studio.
# Usage: scripts/setup.sh [BUILD_DIR [TARGET...]]   (default: build, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
shift || true
TARGETS=()
for t in "$@"; do TARGETS+=(--target "$t"); done

PACKAGES=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-base-dev-tools libgl-dev libqcustomplot-dev
    libtorch-dev libopenblas0-openmp      # without OpenBLAS, matrix products use the reference BLAS: 10-17x slower
    libgloo-dev                           # the headers of LibTorch's Gloo process group (data-parallel training)
    libopencv-dev zlib1g-dev libnanoflann-dev libonnx-dev
    libsndfile1-dev libsoxr-dev qt6-multimedia-dev espeak-ng   # audio datasets, playback, the spoken-digits sample
    dataset-fashion-mnist fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
# Two jobs per core would swap on big torch translation units; one per core is safe.
cmake --build "$BUILD_DIR" -j"$(nproc)" "${TARGETS[@]}"
