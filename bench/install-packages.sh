#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are missing (the peers of the
# side-by-side benchmarks). Usage: bench/install-packages.sh PACKAGE...
set -euo pipefail
need=()
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi
