#!/usr/bin/env bash
# Installs what is missing, builds, and opens Autoencoder Studio (on the Fashion-MNIST
# sample when no data is given). Arguments go to the app: scripts/run.sh [DATA] [--train] ...
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build aestudio aestudio-cli
exec build/app/aestudio "$@"
