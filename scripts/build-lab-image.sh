#!/usr/bin/env bash
# Builds the local image the lab and the tests run (default netviz/busybox:lab)
# from the machine's busybox-static, offline: no registry is needed or used.
# Idempotent: an existing image is kept.
# Usage: scripts/build-lab-image.sh [IMAGE:TAG]
set -euo pipefail

image=${1:-${NETVIZ_LAB_IMAGE:-netviz/busybox:lab}}

if docker image inspect "$image" >/dev/null 2>&1; then
    exit 0
fi

busybox=$(dpkg-query -L busybox-static 2>/dev/null | grep -E '/bin/busybox$' | head -n 1 || true)
if [[ -z "$busybox" || ! -x "$busybox" ]]; then
    echo "build-lab-image: busybox-static is not installed (scripts/ensure-packages.sh busybox-static)." >&2
    exit 1
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"/{bin,etc,www,tmp,proc,sys,dev,root}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# Every applet this busybox has (sh, sleep, ip, ifconfig, route, httpd, nc,
# ls, cat, echo, wget, hostname, ...), as symlinks in /bin, which is on the
# default PATH Docker gives an image without its own ENV.
for applet in $("$rootfs/bin/busybox" --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
printf '<!doctype html><title>netviz lab</title><h1>netviz lab web</h1>\n' >"$rootfs/www/index.html"

tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'WORKDIR /' - "$image" >/dev/null
echo "build-lab-image: built $image"
