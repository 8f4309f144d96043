#!/usr/bin/env bash
# Builds, without any registry, local stand-ins for the three base images of the Dockerfile:
#   netviz-base/node:bookworm      for node:20-bookworm-slim         (this machine's node and npm)
#   netviz-base/sdk:bookworm       for mcr.microsoft.com/dotnet/sdk:10.0    (this machine's .NET SDK)
#   netviz-base/aspnet:bookworm    for mcr.microsoft.com/dotnet/aspnet:10.0 (its ASP.NET Core runtime)
# Each is Debian bookworm from `debootstrap --variant=minbase` (Debian's mirror is the one registry CI
# reaches besides npm and NuGet) plus what the official image brings that NetViz's build or run needs
# (ca-certificates, ICU, OpenSSL, tzdata); the runtime one also has iptables and libcap2-bin, which the
# Dockerfile installs only when its base image lacks them, so its last stage needs no network.
# Then: scripts/build-image.sh (or docker build with --build-arg NODE_IMAGE=... SDK_IMAGE=... ASPNET_IMAGE=...).
#
# The images trust what this machine trusts (/usr/local/share/ca-certificates), as the build reaches npm and NuGet.
# Cached: each image carries the hash of its inputs (this script, the machine's .NET and node versions, its CAs)
# in the label netviz.base-inputs; when all three exist with the same hash nothing is done (debootstrap
# takes ~30 s, the imports ~30 s more). --force rebuilds. Prints the three --build-arg options.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

suite=bookworm
mirror=${NETVIZ_DEBIAN_MIRROR:-http://deb.debian.org/debian}
dotnet_root=${DOTNET_ROOT:-/usr/share/dotnet}
node_image=netviz-base/node:$suite
sdk_image=netviz-base/sdk:$suite
aspnet_image=netviz-base/aspnet:$suite
label=netviz.base-inputs
force=false
[[ "${1:-}" == "--force" ]] && force=true

build_args() {
    echo "--build-arg NODE_IMAGE=$node_image --build-arg SDK_IMAGE=$sdk_image --build-arg ASPNET_IMAGE=$aspnet_image"
}

die() { echo "build-base-images: $*" >&2; exit 1; }

((EUID == 0)) || die "run as root (debootstrap)."
[[ -x "$dotnet_root/dotnet" ]] || die "no .NET at $dotnet_root (set DOTNET_ROOT)."
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required (the frontend stage)."
command -v debootstrap >/dev/null || die "debootstrap is required (scripts/ensure-packages.sh debootstrap)."

npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
[[ -f "$npm_dir/package.json" ]] || die "cannot find npm's package folder (from $(command -v npm))."

# What the images are made of: a change in any of them rebuilds all three.
inputs_hash=$(
    {
        sha256sum "${BASH_SOURCE[0]}"
        echo "$suite $mirror"
        ls "$dotnet_root/sdk" "$dotnet_root"/shared/*
        node --version
        npm --version
        cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true
        echo "${NUGET_CERT_REVOCATION_MODE:-online}"
    } | sha256sum | cut -c1-16
)

current() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null || true; }

if ! $force && [[ "$(current "$node_image")" == "$inputs_hash" && "$(current "$sdk_image")" == "$inputs_hash" &&
    "$(current "$aspnet_image")" == "$inputs_hash" ]]; then
    build_args
    exit 0
fi

work=$(mktemp -d /var/tmp/netviz-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

echo "build-base-images: debootstrap --variant=minbase $suite ($mirror)" >&2
# ca-certificates: npm and NuGet over TLS; libicu72, libssl3, tzdata: what .NET loads (the official images
# carry the same); iptables, libcap2-bin: the runtime stage's own packages.
debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata,iptables,libcap2-bin \
    "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)."; }
# The machine's own certificate authorities (a TLS-inspecting proxy's, a company's): without them the build's
# npm ci and dotnet restore could not reach the registries this machine reaches.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
fi
# No package cache nor lists: apt-get update inside a build fetches fresh ones, as on the official images.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log

# import IMAGE CHANGE... : the rootfs plus whatever the caller added under $work/extra, as IMAGE.
import() {
    local image=$1
    shift
    local changes=(--change "LABEL $label=$inputs_hash" --change 'CMD ["/bin/bash"]')
    local change
    for change in "$@"; do changes+=(--change "$change"); done
    echo "build-base-images: docker import $image" >&2
    local previous
    previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    tar --numeric-owner -C "$rootfs" -c . | docker import "${changes[@]}" - "$image" >/dev/null
    # The image this one replaces, unless something (a build cache layer, a container) still uses it.
    [[ -z "$previous" ]] || docker image rm "$previous" >/dev/null 2>&1 || true
}

# The node image: the machine's node binary and npm package (Debian's nodejs links only libc/libstdc++).
cp "$(readlink -f "$(command -v node)")" "$rootfs/usr/bin/node"
mkdir -p "$rootfs/usr/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/bin/npx"
# node trusts its own built-in list, not the system's: point it at the system's, as on this machine.
import "$node_image" "ENV NODE_VERSION=$(node --version | tr -d v)" \
    "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"
rm -rf "$rootfs/usr/bin/node" "$rootfs/usr/bin/npm" "$rootfs/usr/bin/npx" "$rootfs/usr/lib/node_modules"

# The runtime image: the dotnet host and the shared frameworks (Microsoft.NETCore.App, Microsoft.AspNetCore.App),
# laid out and configured as in mcr.microsoft.com/dotnet/aspnet (/usr/share/dotnet, /usr/bin/dotnet).
mkdir -p "$rootfs/usr/share/dotnet"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$dotnet_root"/LICENSE.txt \
    "$dotnet_root"/ThirdPartyNotices.txt "$rootfs/usr/share/dotnet/"
ln -sf ../share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
aspnet_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)
container_env=(ENV DOTNET_RUNNING_IN_CONTAINER=true)
import "$aspnet_image" "${container_env[*]}" "ENV ASPNETCORE_HTTP_PORTS=8080" "ENV ASPNET_VERSION=$aspnet_version"

# The SDK image: everything of the machine's .NET (sdk, packs with the reference assemblies, templates).
cp -a "$dotnet_root"/. "$rootfs/usr/share/dotnet/"
sdk_version=$(ls "$dotnet_root/sdk" | sort -V | tail -n 1)
# NuGet's certificate revocation checks go online unless told otherwise; follow this machine's choice.
import "$sdk_image" "${container_env[*]}" "ENV DOTNET_NOLOGO=true" "ENV NUGET_XMLDOC_MODE=skip" \
    "ENV DOTNET_SDK_VERSION=$sdk_version" "ENV NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}"

build_args
