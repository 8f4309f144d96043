#!/usr/bin/env bash
# Publishes src/NetViz.Web (Release) to .publish/ at the repo root, only when a
# source is newer than the last successful publish, so a second start is fast.
# Used by run.sh and by the E2E test fixture. Prints the output folder.
# NETVIZ_PUBLISH_DIR overrides the output folder; --force republishes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

out=${NETVIZ_PUBLISH_DIR:-$root/.publish}
stamp=$out/.netviz-publish-stamp
force=false
[[ "${1:-}" == "--force" ]] && force=true

# Inputs of the published app: everything under src/ (C#, Razor, wwwroot,
# front-end sources), the npm manifests and the build settings. Generated and
# ignored files (bin/, obj/, node_modules/, the esbuild bundle) do not count,
# otherwise the Web build that regenerates the bundle would make it stale.
inputs=(src package.json package-lock.json Directory.Build.props NetViz.sln)

list_inputs() {
    if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$root" ls-files -z --cached --others --exclude-standard -- "${inputs[@]}"
    else
        find "${inputs[@]}" -type d \( -name bin -o -name obj -o -name node_modules \) -prune \
            -o -type f ! -name '*.bundle.js' ! -name '*.bundle.js.map' -print0 2>/dev/null
    fi
}

stale() {
    [[ -f "$stamp" && -f "$out/NetViz.Web.dll" ]] || return 0
    local file
    while IFS= read -r -d '' file; do
        # -nt is false for a listed file deleted from the work tree.
        [[ "$file" -nt "$stamp" ]] && return 0
    done < <(list_inputs)
    return 1
}

if ! $force && ! stale; then
    echo "$out"
    exit 0
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "publish: the .NET SDK 10 (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux" >&2
    exit 1
fi

"$root/scripts/ensure-npm.sh" >&2
echo "publish: dotnet publish src/NetViz.Web -> $out" >&2
rm -f "$stamp"
# Start time as the stamp's time: a file edited while publishing stays newer.
started=$(mktemp)
trap 'rm -f "$started"' EXIT
dotnet publish "$root/src/NetViz.Web" -c Release -o "$out" --nologo -v quiet >&2
touch -r "$started" "$stamp"
echo "$out"
