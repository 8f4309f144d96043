#!/bin/sh
# Records vxlan devices set up the way Docker's overlay, flannel and Calico set theirs up, in a fresh namespace
# (nvhost-vxcap): flannel.1 (VNI 1, port 8472, nolearning, one permanent FDB entry per remote VTEP), vxlan.calico
# (VNI 4096, port 4789, likewise), a static `remote` and a multicast `group`. capture-vxlan.cs writes the raw
# RTM_GETLINK reply and one RTM_GETNEIGH (AF_BRIDGE) reply per vxlan device; `ip -d -j link` and
# `bridge -j fdb show` right after are the ground truth the parser tests compare with. Run as root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/..
ns=nvhost-vxcap
cleanup() { ip netns del $ns 2>/dev/null || true; }
cleanup
trap cleanup EXIT
ip netns add $ns
# No dummy module on every kernel: a veth pair whose other end stays in the namespace is the underlay NIC.
ip -n $ns link add eth0 type veth peer name eth0-peer
ip -n $ns addr add 192.0.2.1/24 dev eth0
ip -n $ns link set eth0 up
ip -n $ns link add flannel.1 type vxlan id 1 local 192.0.2.1 dev eth0 dstport 8472 nolearning
ip -n $ns link add vxlan.calico type vxlan id 4096 local 192.0.2.1 dev eth0 dstport 4789 nolearning
ip -n $ns link add nvhost-static type vxlan id 42 remote 192.0.2.9 dev eth0 dstport 4789
ip -n $ns link add nvhost-mcast type vxlan id 43 group 239.1.1.1 dev eth0 dstport 4789
for l in flannel.1 vxlan.calico nvhost-static nvhost-mcast; do ip -n $ns link set $l up; done
ip netns exec $ns bridge fdb add 6a:1f:00:00:00:02 dev flannel.1 dst 192.0.2.2 self permanent
ip netns exec $ns bridge fdb add 6a:1f:00:00:00:03 dev flannel.1 dst 192.0.2.3 self permanent
ip netns exec $ns bridge fdb add 66:c1:00:00:00:04 dev vxlan.calico dst 192.0.2.4 self permanent
cd "$here"
dotnet build capture-vxlan.cs >/dev/null
ip netns exec $ns dotnet run --no-build capture-vxlan.cs -- "$out/vxcap-"
ip -n $ns -d -j link show > "$out/vxcap-ip-link.json"
ip netns exec $ns bridge -j fdb show > "$out/vxcap-bridge-fdb.json"
