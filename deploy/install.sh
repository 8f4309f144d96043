#!/usr/bin/env bash
# Installs NetViz as a systemd service: the published app in /opt/netviz, the user "netviz" (systemd-sysusers),
# deploy/systemd/netviz.service in /etc/systemd/system, /etc/netviz/netviz.env (kept if it exists), and enables
# the unit; on a host booted with systemd it also (re)starts it. Idempotent: a second run changes nothing.
#
#   deploy/install.sh                      publish (scripts/publish.sh) and install on this host (as root)
#   deploy/install.sh --root DIR           install into DIR instead of / (an image, a test): nothing is started
#   deploy/install.sh --publish-dir DIR    install an already published output instead of publishing
#   deploy/install.sh --no-start           enable, but do not start or restart
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

root=/
publish_dir=
start=true
while (($#)); do
    case "$1" in
        --root) root=${2:?--root needs a folder}; shift 2 ;;
        --publish-dir) publish_dir=${2:?--publish-dir needs a folder}; shift 2 ;;
        --no-start) start=false; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install: unknown argument: $1" >&2; exit 2 ;;
    esac
done
root=$(cd "$root" && pwd)
prefix=${root%/}   # "" for /, so "$prefix/opt/netviz" is /opt/netviz

if [[ "$root" == / ]] && ((EUID != 0)); then
    echo "install: run as root to install on this host (or give --root DIR)." >&2
    exit 1
fi
for tool in systemd-sysusers systemctl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "install: $tool is required (the systemd package)." >&2
        exit 1
    fi
done

changed=()

# install_file SOURCE DEST MODE: copies only when the content or mode differs.
install_file() {
    local source=$1 dest=$2 mode=$3
    if [[ -f "$dest" ]] && cmp -s "$source" "$dest" && [[ $(stat -c %a "$dest") == "$mode" ]]; then
        return 0
    fi
    install -D -m "$mode" "$source" "$dest"
    changed+=("${dest#"$prefix"}")
}

# --- the application ---------------------------------------------------------------------------
if [[ -z "$publish_dir" ]]; then
    publish_dir=$("$repo/scripts/publish.sh")
fi
if [[ ! -f "$publish_dir/NetViz.Web.dll" ]]; then
    echo "install: $publish_dir/NetViz.Web.dll does not exist: not a published NetViz." >&2
    exit 1
fi
app=$prefix/opt/netviz
# The published output plus the operations guide the unit's Documentation= points at, without publish.sh's stamp.
staging=$(mktemp -d "$prefix/opt/.netviz.XXXXXX" 2>/dev/null || { mkdir -p "$prefix/opt"; mktemp -d "$prefix/opt/.netviz.XXXXXX"; })
trap 'rm -rf "$staging"' EXIT
cp -R --preserve=timestamps "$publish_dir/." "$staging/"
rm -f "$staging/.netviz-publish-stamp"
install -D -m 0644 "$repo/docs/operations.md" "$staging/docs/operations.md"
chmod -R u=rwX,go=rX "$staging"
chmod 0755 "$staging"
if [[ -d "$app" ]] && diff -r -q "$staging" "$app" >/dev/null 2>&1; then
    rm -rf "$staging"
else
    # Swap whole folders so a running service never sees half an update.
    if [[ -d "$app" ]]; then mv "$app" "$app.old.$$"; fi
    mv "$staging" "$app"
    rm -rf "$app.old.$$"
    changed+=(/opt/netviz)
fi
trap - EXIT

# --- the user, the unit, the settings ----------------------------------------------------------
install_file "$repo/deploy/systemd/netviz.sysusers" "$prefix/etc/sysusers.d/netviz.conf" 644
systemd-sysusers --root="$root" "$prefix/etc/sysusers.d/netviz.conf"

install_file "$repo/deploy/systemd/netviz.service" "$prefix/etc/systemd/system/netviz.service" 644

# The unit runs /usr/bin/dotnet; a .NET installed elsewhere gets a drop-in naming it.
dropin=$prefix/etc/systemd/system/netviz.service.d/10-dotnet.conf
dotnet_path=$(command -v dotnet || true)
if [[ -z "$dotnet_path" ]]; then
    echo "install: warning: dotnet is not in PATH; the unit expects the ASP.NET Core 10 runtime at /usr/bin/dotnet." >&2
elif [[ "$dotnet_path" != /usr/bin/dotnet ]]; then
    generated=$(mktemp)
    printf '# Written by deploy/install.sh: dotnet is at %s on this host.\n[Service]\nExecStart=\nExecStart=%s /opt/netviz/NetViz.Web.dll\n' \
        "$dotnet_path" "$dotnet_path" >"$generated"
    install_file "$generated" "$dropin" 644
    rm -f "$generated"
elif [[ -f "$dropin" ]]; then
    rm -f "$dropin"
    rmdir --ignore-fail-on-non-empty "$(dirname "$dropin")"
    changed+=("${dropin#"$prefix"}")
fi

# Settings are the operator's: written once, never overwritten.
settings=$prefix/etc/netviz/netviz.env
if [[ ! -f "$settings" ]]; then
    mkdir -p "$(dirname "$settings")"
    cat >"$settings" <<'SETTINGS'
# NetViz settings as environment variables (docs/operations.md). Uncomment to change.
# Where the dashboard listens (default http://127.0.0.1:5000; anything but loopback exposes it to the network):
#URLS=http://0.0.0.0:5000
# One JSON object per log line instead of journald's text:
#NetViz__LogFormat=json
# A host that may run without Docker: /readyz only Degraded, not Unhealthy, when the engine is unreachable:
#NetViz__Health__DockerRequired=false
# Metrics also pushed over OTLP:
#OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317
SETTINGS
    chmod 0644 "$settings"
    changed+=(/etc/netviz/netviz.env)
fi

if [[ "$(systemctl --root="$root" is-enabled netviz.service 2>/dev/null || true)" != enabled ]]; then
    systemctl --root="$root" --quiet enable netviz.service
    changed+=("enabled netviz.service")
fi

# --- start it where systemd runs this host -----------------------------------------------------
if [[ "$root" == / && -d /run/systemd/system ]] && $start; then
    systemctl daemon-reload
    if ((${#changed[@]})); then systemctl restart netviz.service; else systemctl start netviz.service; fi
    systemctl --no-pager --lines=0 status netviz.service || true
fi

if ((${#changed[@]})); then
    printf 'install: changed %s\n' "${changed[@]}"
else
    echo "install: nothing to change"
fi
