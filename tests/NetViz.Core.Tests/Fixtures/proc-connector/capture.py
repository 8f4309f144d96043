import socket, struct, os, subprocess, sys
out = sys.argv[1]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)
s.bind((0, 1))
def send(payload):
    cn = struct.pack("IIIIHH", 1, 1, 0, 0, len(payload), 0) + payload
    s.send(struct.pack("IHHII", 16+len(cn), 3, 0, 0, 0) + cn)
send(struct.pack("I", 1))   # every event: forks too (what a kernel before 6.6 delivers)
s.settimeout(2)
p = subprocess.Popen(["/bin/true"]); p.wait()
got = {}
try:
    while len(got) < 3:
        d = s.recv(65536)
        what, = struct.unpack_from("I", d, 36)
        if what == 1:   # fork: parent_pid, parent_tgid, child_pid, child_tgid
            child = struct.unpack_from("I", d, 36+16+8)[0]
            if child == p.pid: got["fork"] = d
        elif what in (2, 0x80000000):
            pid = struct.unpack_from("I", d, 36+16)[0]
            if pid == p.pid: got["exec" if what == 2 else "exit"] = d
except socket.timeout: pass
send(struct.pack("I", 2))
for k, d in got.items():
    open(f"{out}/true-{k}.bin", "wb").write(d)
    print(k, len(d), p.pid)
