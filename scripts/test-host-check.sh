#!/usr/bin/env bash
# Proves a test run left the machine as it found it (./test.sh runs it around the test projects).
#
#   scripts/test-host-check.sh record DIR   before the tests: start the sentinel container on the host's
#                                           engine, then note every running container and the host's
#                                           engine/network configuration in DIR
#   scripts/test-host-check.sh verify DIR   after the tests: one "OUTCOME<TAB>CHECK" line per check
#                                           (Passed/Failed, the format test.sh counts), exit 1 on a failure
#   scripts/test-host-check.sh leftovers    list what carries a test prefix or label ("KIND NAME" lines)
#   scripts/test-host-check.sh remove-sentinel
#
# A leftover is anything named with a test prefix or labelled netviz.test=* (tests/README.md lists the
# prefixes): containers and networks on the host's engine, network namespaces, links in this namespace,
# iptables/ip6tables rules or chains naming one, private engine folders, processes and mounts under
# /var/tmp/nvpe-*, and namespaces nvpe-*. The sentinel is a container the tests must leave running.
set -euo pipefail

# Every test suite's name prefix (tests/README.md): keep the two lists in step.
test_prefixes=(nvnl nvlive nvnd nvsn nve2e nvcls nvdet nvimg nvrender nvpe nvbrd nvhost nvpath nvidle nvcnt nvtest)
prefix_re="^($(IFS='|'; echo "${test_prefixes[*]}"))"
sentinel=nvtest-sentinel
sentinel_label=netviz.test=nvtest
image=${NETVIZ_LAB_IMAGE:-netviz/busybox:lab}

usage() {
    echo "usage: $0 record DIR | verify DIR | leftovers | remove-sentinel" >&2
    exit 2
}

# State of the running containers, one "ID<TAB>NAME<TAB>STARTED_AT" line each.
running_containers() {
    local ids
    ids=$(docker ps -q --no-trunc)
    [[ -z "$ids" ]] && return 0
    # shellcheck disable=SC2086 # ids are hex words
    docker inspect -f '{{.Id}}{{"\t"}}{{slice .Name 1}}{{"\t"}}{{.State.StartedAt}}' $ids 2>/dev/null || true
}

# What the tests must not change in the host's configuration, one "WHAT: VALUE" line each.
host_configuration() {
    echo "engine pid: $(cat /var/run/docker.pid 2>/dev/null || echo none)"
    echo "engine id: $(docker info -f '{{.ID}}' 2>/dev/null || echo unreachable)"
    echo "swarm: $(docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)"
    echo "daemon.json: $( (sha256sum /etc/docker/daemon.json 2>/dev/null || echo absent) | cut -d' ' -f1)"
    local key
    for key in net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.ipv6.conf.all.forwarding \
        net.ipv6.conf.all.disable_ipv6 net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables; do
        echo "sysctl $key: $(sysctl -n "$key" 2>/dev/null || echo absent)"
    done
    # Every bridge of the host's engine (docker0 included) and its IPv4 address: a test engine once deleted
    # docker0. (Not IPv6: a bridge's link-local address comes and goes with its carrier.) Networks the tests
    # create come and go; verify compares only what was there before.
    local network bridge
    for network in $(docker network ls -q --filter driver=bridge 2>/dev/null); do
        bridge=$(docker network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' "$network")
        [[ -n "$bridge" ]] || bridge=br-${network:0:12}
        echo "bridge $bridge: $(ip -4 -o addr show dev "$bridge" 2>/dev/null | awk '{print $4}' | sort | tr '\n' ' ' || true)"
    done
}

leftovers() {
    local name
    docker ps -a --format '{{.Names}}\t{{.Label "netviz.test"}}' | while IFS=$'\t' read -r name label; do
        [[ "$name" == "$sentinel" ]] && continue
        if [[ -n "$label" || "$name" =~ $prefix_re ]]; then echo "container $name${label:+ (netviz.test=$label)}"; fi
    done
    docker network ls --format '{{.Name}}\t{{.Label "netviz.test"}}' | while IFS=$'\t' read -r name label; do
        if [[ -n "$label" || "$name" =~ $prefix_re ]]; then echo "network $name${label:+ (netviz.test=$label)}"; fi
    done
    ip netns list 2>/dev/null | awk '{print $1}' | while read -r name; do
        [[ "$name" =~ $prefix_re ]] && echo "netns $name"
    done
    ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | while read -r name; do
        [[ "$name" =~ $prefix_re ]] && echo "link $name"
    done
    local save table
    for save in iptables-save ip6tables-save; do
        command -v "$save" >/dev/null 2>&1 || continue
        for table in nat filter mangle raw; do
            "$save" -t "$table" 2>/dev/null | grep -E "(^:| )($(IFS='|'; echo "${test_prefixes[*]}"))[[:alnum:]_.-]*( |$)" |
                sed "s/^/${save%-save} -t $table: /" || true
        done
    done
    local dir
    for dir in /var/tmp/nvpe-*; do
        [[ -e "$dir" ]] && echo "private engine folder $dir"
    done
    awk '$5 ~ "^/var/tmp/nvpe-" {print "mount " $5}' /proc/self/mountinfo
    pgrep -a -f '/var/tmp/nvpe-' | grep -v -e "pgrep" -e "test-host-check" | sed 's/^/process /' || true
}

case "${1:-}" in
record)
    dir=${2:?$(usage)}
    mkdir -p "$dir"
    docker rm -f "$sentinel" >/dev/null 2>&1 || true
    # On the default bridge like most people's containers: a test that broke docker0 or the engine shows here.
    docker run -d --name "$sentinel" --label "$sentinel_label" "$image" sleep 86400 >/dev/null
    # Test containers left by an interrupted run are not the machine's: the suites' sweeps remove them.
    running_containers | awk -F'\t' -v re="$prefix_re" -v keep="$sentinel" '$2 == keep || $2 !~ re' >"$dir/containers"
    host_configuration >"$dir/configuration"
    echo "test-host-check: sentinel $sentinel started; $(wc -l <"$dir/containers") containers running before the tests"
    ;;
verify)
    dir=${2:?$(usage)}
    status=0
    running_now=$(running_containers)
    while IFS=$'\t' read -r id name started; do
        check="container $name (${id:0:12}), running before the tests, is still running and was not restarted"
        now=$(grep -F "$id" <<<"$running_now" || true)
        if [[ -z "$now" ]]; then
            state=$(docker inspect -f '{{.State.Status}} (exit code {{.State.ExitCode}})' "$id" 2>/dev/null || echo removed)
            printf 'Failed\t%s: it is %s\n' "$check" "$state"
            status=1
        elif [[ "$(cut -f3 <<<"$now")" != "$started" ]]; then
            printf 'Failed\t%s: restarted at %s\n' "$check" "$(cut -f3 <<<"$now")"
            status=1
        else
            printf 'Passed\t%s\n' "$check"
        fi
    done <"$dir/containers"
    check="the host's engine and network configuration are unchanged (engine, swarm, daemon.json, sysctls, bridges)"
    changed=$(diff <(cat "$dir/configuration") <(host_configuration | grep -F -f <(cut -d: -f1 "$dir/configuration" | sed 's/$/:/')) |
        grep '^[<>]' | tr '\n' ';' || true)
    if [[ -n "$changed" ]]; then
        printf 'Failed\t%s: %s\n' "$check" "$changed"
        status=1
    else
        printf 'Passed\t%s\n' "$check"
    fi
    found=$(leftovers)
    if [[ -n "$found" ]]; then
        while read -r leftover; do printf 'Failed\tno test leftovers: %s\n' "$leftover"; done <<<"$found"
        status=1
    else
        printf 'Passed\tno test leftovers (containers, networks, namespaces, links, iptables, private engines)\n'
    fi
    exit $status
    ;;
leftovers)
    found=$(leftovers)
    [[ -z "$found" ]] || { echo "$found"; exit 1; }
    ;;
remove-sentinel)
    docker rm -f "$sentinel" >/dev/null 2>&1 || true
    ;;
*)
    usage
    ;;
esac
