#!/usr/bin/env bash
# Installs the given Debian/Ubuntu packages that are not installed yet.
# Idempotent: when everything is there it touches nothing, not even `apt-get update`.
# Usage: scripts/ensure-packages.sh PACKAGE...
set -euo pipefail

missing=()
for package in "$@"; do
    # dpkg's own view, not `command -v`: a binary elsewhere in PATH (e.g. a
    # docker CLI in /usr/local/bin) does not bring the engine with it.
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

if ((EUID != 0)); then
    echo "ensure-packages: missing packages: ${missing[*]}; run as root to install them." >&2
    exit 1
fi

echo "ensure-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
