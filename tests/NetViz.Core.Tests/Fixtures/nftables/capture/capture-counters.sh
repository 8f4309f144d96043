#!/bin/sh
# Re-records the nftables counter fixtures: a fresh namespace (nvcnt-cap) gets iptables-nft rules shaped like Docker's
# in the nat and filter tables of both families, a few connections over its loopback move their counters, then
# capture-counters.cs dumps the rules and chains over NETLINK_NETFILTER and, right after, iptables-save -c and
# ip6tables-save -c record the truth the tests compare with (nothing else sends packets in the namespace). Run as root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/..
ns=nvcnt-cap
cleanup() { ip netns del $ns 2>/dev/null || true; }
cleanup
trap cleanup EXIT
ip netns add $ns
ip netns exec $ns sysctl -qw net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0
ip -n $ns link set lo up
in_ns() { ip netns exec $ns "$@"; }
in_ns iptables-nft -t nat -N DOCKER
in_ns iptables-nft -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
in_ns iptables-nft -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
in_ns iptables-nft -t nat -A OUTPUT -d 127.0.0.1/32 -p icmp -m comment --comment "nvcnt ping" -j RETURN
in_ns iptables-nft -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
in_ns iptables-nft -t nat -A POSTROUTING -o lo -j RETURN
in_ns iptables-nft -t nat -A DOCKER -i docker0 -j RETURN
in_ns iptables-nft -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 18080 -j DNAT --to-destination 172.17.0.3:80
in_ns iptables-nft -t filter -N DOCKER-USER
in_ns iptables-nft -t filter -A FORWARD -j DOCKER-USER
in_ns iptables-nft -t filter -A DOCKER-USER -j RETURN
in_ns iptables-nft -t filter -A INPUT -i lo -j ACCEPT
in_ns iptables-nft -t filter -A OUTPUT -p icmp -j ACCEPT
in_ns ip6tables-nft -t nat -A POSTROUTING -s fd00:17::/64 ! -o docker0 -j MASQUERADE
in_ns ip6tables-nft -t nat -A OUTPUT -d ::1/128 -p ipv6-icmp -j RETURN
in_ns ip6tables-nft -t filter -A INPUT -i lo -j ACCEPT
# Three ICMP "connections" each (one per ping process) over loopback only.
for i in 1 2 3; do in_ns busybox ping -c 2 -q 127.0.0.1 >/dev/null; done
for i in 1 2; do in_ns busybox ping -6 -c 1 -q ::1 >/dev/null; done
cd "$here"
dotnet build capture-counters.cs >/dev/null
in_ns dotnet run --no-build capture-counters.cs -- "$out/counters-"
in_ns iptables-nft-save -c > "$out/counters-iptables-save-c.txt"
in_ns ip6tables-nft-save -c > "$out/counters-ip6tables-save-c.txt"
