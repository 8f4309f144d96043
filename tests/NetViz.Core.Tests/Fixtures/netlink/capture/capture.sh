#!/bin/sh
# Re-records the netlink fixtures: builds a small topology in two fresh namespaces (nvnl-cap, nvnl-cpeer),
# dumps each with capture.cs (raw RTM_GETLINK/GETADDR/GETROUTE replies), then records what `ip -j` says
# about the same namespaces right after, as the ground truth the parser tests compare with. Run as root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/..
cleanup() { ip netns del nvnl-cap 2>/dev/null || true; ip netns del nvnl-cpeer 2>/dev/null || true; }
cleanup
trap cleanup EXIT
ip netns add nvnl-cap
ip netns add nvnl-cpeer
for ns in nvnl-cap nvnl-cpeer; do
  # No router solicitations: keep the counters still between the dump and `ip -s`.
  ip netns exec $ns sysctl -qw net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0
done
ip -n nvnl-cap link set lo up
ip -n nvnl-cap link add br0 type bridge
ip -n nvnl-cap link add veth0 type veth peer name eth0 netns nvnl-cpeer
ip -n nvnl-cap link set veth0 master br0
ip -n nvnl-cap link add mv0 link br0 type macvlan mode bridge
ip -n nvnl-cap link add vx0 type vxlan id 42 dstport 4789 dev br0
ip -n nvnl-cap link set br0 mtu 1450
ip -n nvnl-cap addr add 10.213.78.1/24 dev br0
ip -n nvnl-cap addr add fd42:213:78::1/64 dev br0 nodad
ip -n nvnl-cap addr add 10.213.79.1/24 dev mv0
for l in br0 veth0 mv0 vx0; do ip -n nvnl-cap link set $l up; done
ip -n nvnl-cap route add 10.213.80.0/24 via 10.213.78.2 metric 50
ip -n nvnl-cap route add 10.213.81.0/24 via 10.213.78.2 table 100
ip -n nvnl-cpeer link set lo up
ip -n nvnl-cpeer link set eth0 up
ip -n nvnl-cpeer addr add 10.213.78.2/24 dev eth0
ip -n nvnl-cpeer addr add fd42:213:78::2/64 dev eth0 nodad
ip -n nvnl-cpeer route add default via 10.213.78.1
sleep 5
cd "$here"
dotnet build capture.cs >/dev/null
for ns in nvnl-cap nvnl-cpeer; do
  name=${ns#nvnl-}
  ip netns exec $ns dotnet run --no-build capture.cs -- "$out/$name-"
  ip -n $ns -d -s -j link show > "$out/$name-ip-link.json"
  ip -n $ns -j addr show > "$out/$name-ip-addr.json"
  ip -n $ns -j -4 route show table all > "$out/$name-ip-route4.json"
  ip -n $ns -j -6 route show table all > "$out/$name-ip-route6.json"
done
