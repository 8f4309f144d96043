#!/usr/bin/env bash
# Builds the NetViz image from the repository's Dockerfile on a machine that cannot pull its base images:
# scripts/build-base-images.sh makes local ones (cached), passed as the Dockerfile's build arguments.
#   scripts/build-image.sh            -> netviz:test (NETVIZ_IMAGE overrides the tag)
# The build itself still reaches npm (npm ci) and NuGet (dotnet restore), like ./test.sh's own build;
# Docker's layer cache makes a rebuild with unchanged sources a matter of seconds. Prints the tag.
# With registry access, `docker build -t netviz .` builds the same Dockerfile on the official images.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

image=${NETVIZ_IMAGE:-netviz:test}
[[ "$image" == *:* ]] || image=$image:latest

# shellcheck disable=SC2207 # the script prints plain words
base_args=($(scripts/build-base-images.sh))

# The classic builder unless BuildKit is actually there: Docker 20.10's docker.io has no buildx, and a
# CLI told to use BuildKit without it refuses to build.
if ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# build TAG [--target STAGE]: one docker build, tagged; the image the tag named before is removed when unused.
build() {
    local tag=$1
    shift
    local previous current
    previous=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
    if ! docker build --force-rm "${base_args[@]}" --label netviz.image=test -t "$tag" "$@" . >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "build-image: docker build -t $tag failed (last lines above)." >&2
        exit 1
    fi
    current=$(docker image inspect -f '{{.Id}}' "$tag")
    # A rebuild leaves the previous image untagged: remove it and its own layers (kept when a container uses it).
    if [[ -n "$previous" && "$previous" != "$current" ]]; then
        docker image rm "$previous" >/dev/null 2>&1 || true
    fi
}

echo "build-image: docker build -t $image ($(basename "$root"))" >&2
# The build stages are tagged too (netviz:test-frontend, netviz:test-build): they are the layer cache of the next
# build, and a tagged stage is replaced, not left behind untagged, when the sources change.
build "$image-frontend" --target frontend
build "$image-build" --target build
build "$image"
echo "$image"
