#!/usr/bin/env bash
# Makes sure a Docker engine answers on the socket the docker CLI uses.
# Idempotent: an engine that already answers is left alone.
#
# Why we start dockerd ourselves: Debian's `policy-rc.d` (containers, CI
# images) stops apt from starting services, and such machines often have no
# systemd. dockerd starts its own containerd when none is running.
set -euo pipefail

log=/var/log/dockerd.log
timeout_seconds=${NETVIZ_DOCKER_TIMEOUT:-30}

engine_answers() {
    timeout 10 docker version >/dev/null 2>&1
}

if ! command -v docker >/dev/null 2>&1; then
    echo "ensure-docker: no docker CLI; install docker.io (scripts/ensure-packages.sh docker.io)." >&2
    exit 1
fi

if engine_answers; then
    exit 0
fi

if pidof dockerd >/dev/null 2>&1; then
    # Already starting (or stuck): wait for it rather than starting a second one.
    echo "ensure-docker: dockerd is running (pid $(pidof dockerd)) but not answering yet; waiting"
elif [[ -d /run/systemd/system ]] && systemctl start docker 2>/dev/null; then
    echo "ensure-docker: started docker.service"
else
    if ((EUID != 0)); then
        echo "ensure-docker: the Docker engine is not running; run as root to start it." >&2
        exit 1
    fi
    echo "ensure-docker: starting dockerd (log: $log)"
    # setsid: the engine must outlive this script's session and its Ctrl-C.
    setsid dockerd --host unix:///var/run/docker.sock >"$log" 2>&1 </dev/null &
fi

for ((i = 0; i < timeout_seconds * 2; i++)); do
    if engine_answers; then
        echo "ensure-docker: engine answers ($(docker version --format '{{.Server.Version}}'))"
        exit 0
    fi
    sleep 0.5
done

echo "ensure-docker: the engine did not answer within ${timeout_seconds}s." >&2
if [[ -f "$log" ]]; then
    echo "--- last lines of $log ---" >&2
    tail -n 30 "$log" >&2
fi
exit 1
