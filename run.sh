#!/usr/bin/env bash
# Starts the NetViz dashboard: http://127.0.0.1:5000 (see appsettings.json).
#   ./run.sh                              the dashboard on this machine's loopback
#   ./run.sh --urls http://0.0.0.0:5000   a team screen other machines can open
#   ./run.sh snapshot                     one topology snapshot as JSON, no server
#   ./run.sh agent --urls http://0.0.0.0:5001   API only, for a hub (needs NetViz__AuthToken; docs/operations.md)
# Builds only what is missing or out of date (npm packages, the published app),
# then runs the published output in Production mode. Why not `dotnet run`:
# outside Development it serves 500 for _content/* and _framework/* files,
# which exist as real files only in the published output.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v dotnet >/dev/null 2>&1; then
    echo "run.sh: the .NET SDK 10 (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux" >&2
    exit 1
fi

"$root/scripts/ensure-npm.sh" >&2
publish_dir=$("$root/scripts/publish.sh")

export ASPNETCORE_ENVIRONMENT=Production
# The content root (appsettings.json, wwwroot) is the published folder, while
# the working directory stays the caller's so relative paths in arguments work.
export ASPNETCORE_CONTENTROOT="$publish_dir"
exec dotnet "$publish_dir/NetViz.Web.dll" "$@"
