#!/usr/bin/env bash
# The lesson's scenario, built on this machine so NetViz has something to show:
#   ./lab.sh up       build it (idempotent: run it twice, nothing breaks)
#   ./lab.sh down     remove exactly what `up` made
#   ./lab.sh status   list it
#   ./lab.sh up --record FILE   build it and write to FILE, one line each, what this run created or
#                               started (the parts that were already there are not listed)
#   ./lab.sh undo FILE          take back exactly what FILE lists, newest first: a machine that had
#                               half a lab (networks kept across an engine restart, stopped containers)
#                               is left with that half, as found
#
# What `up` makes (docker objects labelled netviz.lab=1, all names netviz-lab-*):
#   netviz-lab-none      --network none: a namespace with only lo
#   netviz-lab-host      --network host: no namespace of its own
#   netviz-lab-web       default bridge docker0, busybox httpd published on
#                        127.0.0.1:8080 (a DNAT rule in the nat table's DOCKER chain)
#   netviz-lab-net       user-defined bridge br-netviz-lab, 10.123.0.0/24,
#                        with netviz-lab-app and netviz-lab-db
#   netviz-lab-sidecar   --network container:netviz-lab-app: shares app's namespace
#   netviz-lab-internal  --internal bridge, 10.125.0.0/24, with netviz-lab-isolated
# and, by hand as the lesson does it with ip(8), outside Docker:
#   netns netviz-lab-blue, eth0 10.124.0.2/24, default via 10.124.0.1
#   veth-blue (host end of the pair) enslaved to Linux bridge br-lab 10.124.0.1/24
#   nat POSTROUTING MASQUERADE for 10.124.0.0/24 leaving through another interface
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

label=netviz.lab=1
image=${NETVIZ_LAB_IMAGE:-netviz/busybox:lab}
web_port=${NETVIZ_LAB_WEB_PORT:-8080}

net_bridge=netviz-lab-net
net_bridge_if=br-netviz-lab        # Linux interface names are at most 15 characters.
net_bridge_subnet=10.123.0.0/24
net_internal=netviz-lab-internal
net_internal_subnet=10.125.0.0/24

netns=netviz-lab-blue
host_bridge=br-lab
host_bridge_addr=10.124.0.1/24
veth_host=veth-blue
veth_temp=veth-blue-ns             # the namespace end's name until it is moved and renamed eth0
ns_addr=10.124.0.2/24
ns_gateway=10.124.0.1
ns_subnet=10.124.0.0/24
nat_rule=(POSTROUTING -s "$ns_subnet" ! -o "$host_bridge" -m comment --comment netviz-lab -j MASQUERADE)

usage() {
    echo "usage: $0 up [--record FILE] | down | status | undo FILE" >&2
    exit 2
}

# Where `up --record` notes what it made ("KIND NAME" lines); /dev/null when not recording.
record=/dev/null
made() { echo "$*" >>"$record"; }

need_root() {
    if ((EUID != 0)); then
        echo "lab.sh: run as root (it creates namespaces, links and containers)." >&2
        exit 1
    fi
}

container_exists() { docker container inspect "$1" >/dev/null 2>&1; }
container_running() { [[ "$(docker container inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" == true ]]; }
network_exists() { docker network inspect "$1" >/dev/null 2>&1; }
link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
netns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# run_container NAME [docker run options...] -- [command...]
run_container() {
    local name=$1
    shift
    local options=()
    while (($#)) && [[ "$1" != -- ]]; do
        options+=("$1")
        shift
    done
    shift
    if container_running "$name"; then
        echo "  $name: running"
        return
    fi
    if container_exists "$name"; then
        docker start "$name" >/dev/null
        made started "$name"
        echo "  $name: started"
        return
    fi
    docker run -d --name "$name" --label "$label" "${options[@]}" "$image" "$@" >/dev/null
    made container "$name"
    echo "  $name: created"
}

# create_network NAME [docker network create options...]
create_network() {
    local name=$1
    shift
    if network_exists "$name"; then
        echo "  network $name: exists"
        return
    fi
    docker network create --label "$label" "$@" "$name" >/dev/null
    made network "$name"
    echo "  network $name: created"
}

up_docker() {
    "$root/scripts/ensure-docker.sh"
    "$root/scripts/build-lab-image.sh" "$image"

    echo "docker:"
    create_network "$net_bridge" --driver bridge \
        -o com.docker.network.bridge.name="$net_bridge_if" --subnet "$net_bridge_subnet"
    create_network "$net_internal" --driver bridge --internal --subnet "$net_internal_subnet"

    run_container netviz-lab-none --network none -- sleep 1000000000
    run_container netviz-lab-host --network host -- sleep 1000000000
    # The page is written at start so any busybox image will do, not only ours.
    run_container netviz-lab-web -p "127.0.0.1:$web_port:80" -- \
        sh -c 'mkdir -p /www && echo "<h1>netviz lab web</h1>" >/www/index.html && exec httpd -f -p 80 -h /www'

    run_container netviz-lab-app --network "$net_bridge" -- sleep 1000000000
    run_container netviz-lab-db --network "$net_bridge" -- sleep 1000000000
    # Shares netviz-lab-app's network namespace: same interfaces, same IP, two processes.
    run_container netviz-lab-sidecar --network container:netviz-lab-app -- sleep 1000000000
    run_container netviz-lab-isolated --network "$net_internal" -- sleep 1000000000
}

up_netns() {
    echo "ip netns (by hand, as the lesson does):"
    if ! netns_exists "$netns"; then
        ip netns add "$netns"
        made netns "$netns"
        echo "  netns $netns: created"
    else
        echo "  netns $netns: exists"
    fi

    if ! link_exists "$host_bridge"; then
        ip link add "$host_bridge" type bridge
        made link "$host_bridge"
        echo "  bridge $host_bridge: created"
    fi
    ip addr replace "$host_bridge_addr" dev "$host_bridge"
    ip link set "$host_bridge" up

    if ! ip netns exec "$netns" ip link show dev eth0 >/dev/null 2>&1; then
        # A half-made pair from an interrupted run: start that pair over.
        link_exists "$veth_host" && ip link del "$veth_host"
        ip link add "$veth_host" type veth peer name "$veth_temp"
        made link "$veth_host"
        ip link set "$veth_temp" netns "$netns"
        ip netns exec "$netns" ip link set "$veth_temp" name eth0
        echo "  veth pair $veth_host <-> $netns:eth0: created"
    fi
    ip link set "$veth_host" master "$host_bridge"
    ip link set "$veth_host" up

    ip netns exec "$netns" ip link set lo up
    ip netns exec "$netns" ip addr replace "$ns_addr" dev eth0
    ip netns exec "$netns" ip link set eth0 up
    ip netns exec "$netns" ip route replace default via "$ns_gateway"

    if command -v iptables >/dev/null 2>&1; then
        if ! iptables -t nat -C "${nat_rule[@]}" 2>/dev/null; then
            iptables -t nat -A "${nat_rule[@]}"
            made nat masquerade
        fi
        echo "  nat: MASQUERADE $ns_subnet"
    fi
}

down() {
    echo "docker:"
    if docker version >/dev/null 2>&1; then
        local ids
        # The sidecar first: it lives in netviz-lab-app's namespace.
        for name in netviz-lab-sidecar; do
            container_exists "$name" && docker rm -f "$name" >/dev/null && echo "  $name: removed"
        done
        ids=$(docker ps -aq --filter "label=$label")
        if [[ -n "$ids" ]]; then
            docker rm -f $ids >/dev/null
            echo "  containers labelled $label: removed"
        fi
        ids=$(docker network ls -q --filter "label=$label")
        if [[ -n "$ids" ]]; then
            docker network rm $ids >/dev/null
            echo "  networks labelled $label: removed"
        fi
    else
        echo "  no Docker engine answers: nothing to remove there"
    fi

    echo "ip netns:"
    if command -v iptables >/dev/null 2>&1; then
        while iptables -t nat -C "${nat_rule[@]}" 2>/dev/null; do
            iptables -t nat -D "${nat_rule[@]}"
            echo "  nat: MASQUERADE $ns_subnet removed"
        done
    fi
    # Deleting the namespace destroys eth0 in it, and a veth's peer goes with it.
    if netns_exists "$netns"; then
        ip netns del "$netns"
        echo "  netns $netns: removed"
    fi
    if link_exists "$veth_host"; then
        ip link del "$veth_host"
        echo "  $veth_host: removed"
    fi
    if link_exists "$host_bridge"; then
        ip link del "$host_bridge"
        echo "  bridge $host_bridge: removed"
    fi
}

# Takes back what `up --record FILE` wrote, newest first; stops the containers it only started.
undo() {
    local file=$1 kind name
    [[ -r "$file" ]] || { echo "lab.sh: cannot read $file" >&2; exit 1; }
    tac "$file" | while read -r kind name; do
        case "$kind" in
        started) docker stop -t 0 "$name" >/dev/null 2>&1 && echo "  $name: stopped again" ;;
        container) docker rm -f "$name" >/dev/null 2>&1 && echo "  $name: removed" ;;
        network) docker network rm "$name" >/dev/null 2>&1 && echo "  network $name: removed" ;;
        nat)
            if command -v iptables >/dev/null 2>&1 && iptables -t nat -C "${nat_rule[@]}" 2>/dev/null; then
                iptables -t nat -D "${nat_rule[@]}" && echo "  nat: MASQUERADE $ns_subnet removed"
            fi
            ;;
        netns) netns_exists "$name" && ip netns del "$name" && echo "  netns $name: removed" ;;
        link) link_exists "$name" && ip link del "$name" && echo "  $name: removed" ;;
        *) echo "lab.sh: $file: unknown line '$kind $name', left alone" >&2 ;;
        esac
    done
}

status() {
    local complete=true
    echo "docker containers ($label):"
    if docker version >/dev/null 2>&1; then
        docker ps -a --filter "label=$label" --format 'table {{.Names}}\t{{.Status}}\t{{.Networks}}\t{{.Ports}}'
        echo "docker networks ($label):"
        docker network ls --filter "label=$label" --format 'table {{.Name}}\t{{.Driver}}\t{{.ID}}'
        for name in netviz-lab-none netviz-lab-host netviz-lab-web netviz-lab-app netviz-lab-db \
            netviz-lab-sidecar netviz-lab-isolated; do
            container_running "$name" || complete=false
        done
    else
        echo "  no Docker engine answers"
        complete=false
    fi

    echo "host bridge and namespace:"
    if link_exists "$host_bridge"; then
        ip -br addr show dev "$host_bridge" | sed 's/^/  /'
    else
        echo "  $host_bridge: absent"
        complete=false
    fi
    if link_exists "$veth_host"; then
        ip -br link show dev "$veth_host" | sed 's/^/  /'
    else
        echo "  $veth_host: absent"
        complete=false
    fi
    if netns_exists "$netns"; then
        echo "  netns $netns:"
        ip netns exec "$netns" ip -br addr | sed 's/^/    /'
        ip netns exec "$netns" ip route | sed 's/^/    /'
    else
        echo "  netns $netns: absent"
        complete=false
    fi

    if $complete; then
        echo "lab: up"
    else
        echo "lab: not (completely) up"
    fi
}

case "${1:-}" in
    up)
        need_root
        if [[ "${2:-}" == --record ]]; then
            record=${3:?$(usage)}
            : >"$record"
        fi
        "$root/scripts/ensure-packages.sh" docker.io iptables busybox-static iproute2
        up_docker
        up_netns
        echo "lab: up. Open NetViz with ./run.sh"
        ;;
    down)
        need_root
        down
        echo "lab: down"
        ;;
    status)
        status
        ;;
    undo)
        need_root
        undo "${2:?$(usage)}"
        echo "lab: as it was before that run"
        ;;
    *)
        usage
        ;;
esac
