#!/usr/bin/env bash
# Installs the front-end build's npm packages (`npm ci`) when they are missing
# or older than package-lock.json. Without a package.json there is nothing to do.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f package.json ]]; then
    exit 0
fi

# npm writes node_modules/.package-lock.json after every successful install.
installed=node_modules/.package-lock.json
if [[ -f "$installed" && ! package.json -nt "$installed" && ! ( -f package-lock.json && package-lock.json -nt "$installed" ) ]]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "ensure-npm: npm is required to build the front end; installing Debian's nodejs and npm"
    "$(dirname "${BASH_SOURCE[0]}")/ensure-packages.sh" nodejs npm
fi

if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund
else
    npm install --no-audit --no-fund
fi
