#!/usr/bin/env python3
"""The differential test of issue 11, run by differential.sh inside its namespaces.

For each random policy (and each regression case in tests/kernel/differential/), compiles it
with `counters on;`, loads the artifacts into namespace rtr, asks `pbrc explain --live` what
the model says about each random packet, injects the packet with a raw socket, and compares:
the nft rules and map elements whose counters the packet passed (by their comments), and the route
`ip route get ... mark M` gives for the model's mark. Any difference fails the test and
prints a regression case to add to tests/kernel/differential/.
"""
import argparse
import ipaddress
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

V4_SPACE = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "198.51.100.0/24", "203.0.113.0/24"]
V6_SPACE = ["2001:db8:1::/48", "2001:db8:2::/48", "2001:db8:3::/48"]
ROUTER = {4: ["10.0.1.2", "10.0.2.2", "10.99.0.1"], 6: ["fd00:1::2", "fd00:2::2", "fd99::1"]}
CLIENT = {4: ["10.99.0.2", "10.99.1.2"], 6: ["fd99::2", "fd99:1::2"]}
kernel_witnesses = []  # W0902 witness packets checked on the kernel, for the summary
noise = []  # packets whose first try met another packet's counts
SENDER = {"lan0": ("cli", "cli0"), "lan1": ("cli", "cli1"), "eth1": ("up", "up1"),
          "eth2": ("up", "up2"), "router": ("rtr", None)}
PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "gre": 47}


# ---------------------------------------------------------------- packets on the wire
def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def l4(p, pseudo):
    """The transport part of packet `p` (a dict), checksummed with `pseudo`."""
    proto = p["proto"]
    if proto in ("tcp", "udp"):
        if proto == "tcp":
            hdr = struct.pack("!HHIIBBHHH", p["sport"], p["dport"], 1, 0, 5 << 4, 0x02, 1024, 0, 0)
        else:
            hdr = struct.pack("!HHHH", p["sport"], p["dport"], 8 + 4, 0) + b"diff"
        c = checksum(pseudo(PROTO[proto], len(hdr)) + hdr)
        off = 16 if proto == "tcp" else 6
        return hdr[:off] + struct.pack("!H", c or 0xFFFF) + hdr[off + 2:]
    if proto in ("icmp", "icmpv6"):
        reply = p["state"] == "invalid"
        typ = (0 if reply else 8) if proto == "icmp" else (129 if reply else 128)
        hdr = struct.pack("!BBHHH", typ, 0, 0, p["sport"], 1) + b"diff"
        data = hdr if proto == "icmp" else pseudo(58, len(hdr)) + hdr
        return hdr[:2] + struct.pack("!H", checksum(data)) + hdr[4:]
    return struct.pack("!HH", 0, 0x0800) + b"diff"  # gre


def wire(p):
    src, dst = ipaddress.ip_address(p["src"]), ipaddress.ip_address(p["dst"])
    if src.version == 4:
        pseudo = lambda n, ln: src.packed + dst.packed + struct.pack("!BBH", 0, n, ln)
        body = l4(p, pseudo)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0, 77, PROTO[p["proto"]],
                          0, src.packed, dst.packed)
        return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + body
    pseudo = lambda n, ln: src.packed + dst.packed + struct.pack("!I3xB", ln, n)
    body = l4(p, pseudo)
    return struct.pack("!IHBB16s16s", 0x60000000, len(body), PROTO[p["proto"]], 77,
                       src.packed, dst.packed) + body


def sender():
    """Runs inside a namespace: reads `DEV SRC DST HEX` lines, sends each raw packet."""
    for line in sys.stdin:
        dev, dst, hexpkt = line.split()
        v6 = ":" in dst
        s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                          socket.IPPROTO_RAW)
        if v6:
            s.setsockopt(socket.IPPROTO_IPV6, 36, 1)  # IPV6_HDRINCL
        if dev != "-":
            s.setsockopt(socket.SOL_SOCKET, 25, dev.encode())  # SO_BINDTODEVICE
        try:
            s.sendto(bytes.fromhex(hexpkt), (dst, 0))
            print("ok", flush=True)
        except OSError as e:
            print("error %s" % e, flush=True)
        s.close()


# ---------------------------------------------------------------- the kernel's side
class Kernel:
    def __init__(self, a):
        self.a = a
        self.senders = {}
        for ns, name in (("cli", a.cli), ("up", a.up), ("rtr", a.rtr)):
            self.senders[ns] = subprocess.Popen(
                ["ip", "netns", "exec", name, sys.executable, __file__, "--sender"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, *cmd, check=True, input=None):
        r = subprocess.run(["ip", "netns", "exec", self.a.rtr, *cmd], capture_output=True,
                           text=True, input=input, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.strip()))
        return r

    def load(self, folder, name):
        self.run("nft", "-f", os.path.join(folder, name + ".nft"))
        self.run("ip", "-batch", os.path.join(folder, name + ".ip"))
        self.run("ip", "-6", "-batch", os.path.join(folder, name + ".ip6"))
        # Every policy starts without connections: a tuple seen under the last policy would
        # be ESTABLISHED and restore its old mark instead of being classified.
        self.run("conntrack", "-F", check=False)

    def counters(self, table):
        """Packets per counted thing: a rule by (chain, the start of its comment up to " -> ",
        whether it is a reply stop rule); a map element (`classify maps;`) by ("map", the
        same start). Rules without a comment (the sentinel's) by (chain, position)."""
        out = json.loads(self.run("nft", "-j", "list", "table", "inet", table).stdout)
        pos, got = {}, {}

        def add(key, n):
            got[key] = got.get(key, 0) + n
        for item in out["nftables"]:
            for elem in (item.get("map") or {}).get("elem", []):
                e = elem[0].get("elem") if isinstance(elem[0], dict) else None
                if e and "counter" in e and "comment" in e:
                    add(("map", e["comment"].split(" -> ")[0], False), e["counter"]["packets"])
            rule = item.get("rule")
            if not rule:
                continue
            chain = rule["chain"]
            i = pos.get(chain, 0)
            pos[chain] = i + 1
            c = rule.get("comment")
            key = (chain, c.split(" -> ")[0], c.endswith(": stop")) if c else (chain, i)
            for e in rule["expr"]:
                if "counter" in e:
                    add(key, e["counter"]["packets"])
        return got

    def send(self, p):
        ns, dev = SENDER[p["from"]]
        s = self.senders[ns]
        before = sum(self.counters("diffsentinel").values())
        s.stdin.write("%s %s %s\n" % (dev or "-", p["dst"], wire(p).hex()))
        s.stdin.flush()
        answer = s.stdout.readline().strip()
        if answer != "ok":
            raise RuntimeError("sending %s failed: %s" % (p, answer))
        for _ in range(200):  # the sentinel counts it after pbrc's chains
            if sum(self.counters("diffsentinel").values()) > before:
                return
            time.sleep(0.005)
        raise RuntimeError("packet never reached the sentinel: %s" % p)

    def route(self, p, mark):
        cmd = ["ip", "-j", "-6" if ":" in p["dst"] else "-4", "route", "get", "to", p["dst"],
               "from", p["src"]]
        if p["from"] != "router":
            cmd += ["iif", p["from"]]
        r = self.run(*cmd, "mark", str(mark), check=False)
        if r.returncode != 0:
            return {"error": r.stderr.strip()}
        j = json.loads(r.stdout)[0]
        return {"dev": j.get("dev"), "via": j.get("gateway"), "table": j.get("table", "main")}


# ---------------------------------------------------------------- random policies
def sub_prefix(rng, space):
    base = ipaddress.ip_network(rng.choice(space))
    extra = rng.randint(0, 8)
    n = base.prefixlen + extra
    host = rng.getrandbits(extra) << (base.max_prefixlen - n) if extra else 0
    return ipaddress.ip_network((int(base.network_address) + host, n))


def random_policy(rng):
    sets = {}
    lines = ["options {", "  mark mask 0xf;", "  preference 1000-1099;", "  table ids 300-399;",
             "  counters on;", "}"]
    for fam, space in ((4, V4_SPACE), (6, V6_SPACE)):
        for k in range(2):
            nets = [sub_prefix(rng, space) for _ in range(rng.randint(1, 3))]
            name = "s%d_%d" % (fam, k)
            sets[name] = nets
            lines.append("set %s = { %s };" % (name, ", ".join(map(str, nets))))
    for i, dev in ((1, "eth1"), (2, "eth2")):
        props = ["device %s;" % dev, "gateway 10.0.%d.1;" % i]
        if i == 1 or rng.random() < 0.5:
            props.append("gateway fd00:%d::1;" % i)
        if rng.random() < 0.3:
            props.append("inbound off;")
        lines.append("link wan%d { %s }" % (i, " ".join(props)))
    rules = [random_rule(rng, sets) for _ in range(rng.randint(2, 7))]
    lines += ["policy {"] + ["  " + r["text"] for r in rules] + ["}"]
    return "\n".join(lines) + "\n", rules


def random_rule(rng, sets):
    fam = rng.choice([4, 4, 6, None])
    words, nets = [], {}
    for side in ("from", "to"):
        if fam is None or rng.random() < 0.4:
            continue
        kind = rng.random()
        neg = "!" if rng.random() < 0.2 else ""
        if kind < 0.5:
            name = rng.choice([n for n in sets if n.startswith("s%d" % fam)])
            words.append("%s %sset %s" % (side, neg, name))
            nets[side] = (neg, sets[name])
        else:
            net = sub_prefix(rng, V4_SPACE if fam == 4 else V6_SPACE)
            words.append("%s %s%s" % (side, neg, net))
            nets[side] = (neg, [net])
    if rng.random() < 0.4:
        protos = rng.choice([["tcp"], ["udp"], ["tcp", "udp"], ["gre"]] +
                            ([["icmp"]] if fam == 4 else [["icmpv6"]] if fam == 6 else []))
        words.append("proto " + ", ".join(protos))
        if "gre" not in protos and "icmp" not in protos[0] and rng.random() < 0.5:
            words.append("dport " + rng.choice(["53", "80, 443", "1000-2000", "!53"]))
    if rng.random() < 0.25:
        words.append("iif " + rng.choice(["lan0", "lan1", "eth1", "eth2"]))
    target = rng.choice(["wan1", "wan2", "wan1", "main", "table 300"])
    return {"text": " ".join(words + ["via", target]) + ";", "fam": fam, "nets": nets}


def address_in(rng, net):
    net = ipaddress.ip_network(net)
    if net.num_addresses <= 2:
        return str(net.network_address)
    return str(net.network_address + rng.randint(1, min(net.num_addresses - 2, 1 << 30)))


def random_packet(rng, rules, used):
    while True:
        origin = rng.choice(["lan0", "lan0", "lan1", "eth1", "eth2", "router"])
        rule = rng.choice(rules)
        fam = rule["fam"] or rng.choice([4, 4, 6])
        space = V4_SPACE if fam == 4 else V6_SPACE
        addr = {}
        for side in ("from", "to"):
            neg, nets = rule["nets"].get(side, ("", None))
            if nets and not neg and rng.random() < 0.8:
                addr[side] = address_in(rng, rng.choice(nets))
            else:
                addr[side] = address_in(rng, rng.choice(space))
        if origin == "router":
            addr["from"] = rng.choice(ROUTER[fam])
        if origin in ("eth1", "eth2", "router") and rng.random() < 0.1:
            addr["to"] = rng.choice(CLIENT[fam])  # cli would keep it: its own address
        proto = rng.choice(["tcp", "udp", "tcp", "udp", "gre", "icmp" if fam == 4 else "icmpv6"])
        state = "new"
        if origin != "router" and rng.random() < 0.15:
            proto, state = ("icmp" if fam == 4 else "icmpv6"), "invalid"
        p = {"from": origin, "src": addr["from"], "dst": addr["to"], "proto": proto,
             "state": state, "sport": rng.randint(1024, 65535),
             "dport": rng.choice([53, 80, 443, 1500, 2500, rng.randint(1, 65535)])}
        key = (p["src"], p["dst"], proto, p["sport"], p["dport"])
        if key not in used:
            used.add(key)
            return p


def packet_text(p):
    words = ["from", p["src"], "to", p["dst"], "proto", p["proto"]]
    if p["proto"] in ("tcp", "udp"):
        words += ["sport", str(p["sport"]), "dport", str(p["dport"])]
    words += ["from-router"] if p["from"] == "router" else ["iif", p["from"]]
    if p["state"] == "invalid":
        words += ["state", "invalid"]
    return " ".join(words)


def parse_packet_text(text):
    w = text.split()
    p = {"state": "new", "sport": 40000, "dport": 9}
    i = 0
    while i < len(w):
        k = w[i]
        if k == "from-router":
            p["from"] = "router"
            i += 1
            continue
        v = w[i + 1]
        if k == "from":
            p["src"] = v
        elif k == "to":
            p["dst"] = v
        elif k == "proto":
            p["proto"] = v
        elif k in ("sport", "dport"):
            p[k] = int(v)
        elif k == "iif":
            p["from"] = v
        elif k == "state":
            p["state"] = v
        i += 2
    return p


# ---------------------------------------------------------------- one policy, its packets
def witnesses(a, path):
    """The packets `pbrc lint` gives as witnesses of W0902 (overlap), with the line of the
    rule that must take each; only those the topology can inject (its devices, IPv4 or IPv6
    from the router with one of its own addresses)."""
    r = subprocess.run([a.pbrc, "lint", "--format", "json", path], capture_output=True,
                       text=True)
    out, seen = [], set()
    for d in json.loads(r.stdout or "[]"):
        if d["code"] != "W0902":
            continue
        for note in d["notes"]:
            m = re.match(r"the packet \((.*)\) matches line (\d+), so", note)
            if not m:
                continue
            p = parse_packet_text(m.group(1))
            p["expect_line"] = int(m.group(2))
            if p.get("from") not in SENDER:  # "any other device": one the policy does not name
                free = [d for d in ("lan1", "lan0") if d not in open(path).read()]
                if free:
                    p["from"] = free[0]
            key = (p.get("src"), p.get("dst"), p.get("proto"), p["sport"], p["dport"])
            if p.get("from") in SENDER and p.get("proto") in PROTO and key not in seen and (
                    p["from"] != "router" or p["src"] in ROUTER[4] + ROUTER[6]):
                seen.add(key)
                out.append(p)
    return out


def check_policy(a, kernel, text, packets, label):
    """Returns the disagreements (policy text, packet text, what differs)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "diff.pbr")
        open(path, "w").write(text)
        r = subprocess.run([a.pbrc, "compile", path, "-o", tmp], capture_output=True, text=True)
        if r.returncode != 0:
            print("%s: policy rejected, skipped:\n%s" % (label, r.stderr), file=sys.stderr)
            return None
        kernel.load(tmp, "diff")
        packets = packets + witnesses(a, path)
        texts = [packet_text(p) for p in packets]
        r = subprocess.run([a.pbrc, "explain", "--format", "json", "--live", "--netns", a.rtr,
                            path] + texts, capture_output=True, text=True, timeout=120)
        if r.returncode not in (0, 2):
            raise RuntimeError("explain failed: %s" % r.stderr)
        model = json.loads(r.stdout)["packets"]
        bad = []
        base = kernel.counters("pbr")
        for p, t, m in zip(packets, texts, model):
            want = sorted({(h["chain"], h["id"], h["stop"]) if h["lookup"] == "linear"
                           else ("map", h["id"], False) for h in m["nft_rules"]})
            # Another packet can cross the chains meanwhile (a late reply of an earlier one):
            # a difference must repeat with a fresh tuple (the policies match no source port,
            # so the model's answer stays) before it counts.
            for attempt in range(3):
                kernel.send(p)
                now = kernel.counters("pbr")
                hit = sorted(k for k in now if now[k] != base.get(k, 0))
                base = now
                if hit == want:
                    break
                noise.append(t)
                p = dict(p, sport=(p["sport"] + 7919) % 64511 + 1024)
            mark = int(m["mark"], 16)
            route = kernel.route(p, mark)
            want_route = ({"dev": m["route"]["dev"], "via": m["route"]["via"],
                           "table": "main" if m["table"] == 254 else str(m["table"])}
                          if m["route"] else None)
            if hit != want:
                bad.append((t, "nft rules passed: kernel %s, model %s" % (hit, want)))
            if "expect_line" in p:  # a lint witness: the earlier rule must take it
                got = m["rule"]["line"] if m["rule"] else None
                kernel_witnesses.append(p)
                if got != p["expect_line"]:
                    bad.append((t, "lint witness: line %s takes it, lint said line %d"
                                % (got, p["expect_line"])))
            if want_route != route and not (want_route is None and "error" in route):
                bad.append((t, "route with mark %#x: kernel %s, model %s" % (mark, route,
                                                                             want_route)))
        return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sender", action="store_true")
    ap.add_argument("--pbrc")
    ap.add_argument("--rtr")
    ap.add_argument("--cli")
    ap.add_argument("--up")
    ap.add_argument("--regressions")
    a = ap.parse_args()
    if a.sender:
        return sender()
    seed = int(os.environ.get("DIFF_SEED") or random.randrange(1 << 31))
    policies = int(os.environ.get("DIFF_POLICIES", "25"))
    per = int(os.environ.get("DIFF_PACKETS", "12"))
    print("differential: seed %d (rerun with DIFF_SEED=%d), %d policies x %d packets"
          % (seed, seed, policies, per), flush=True)
    kernel = Kernel(a)
    failures, pairs = [], 0
    for f in sorted(os.listdir(a.regressions)) if os.path.isdir(a.regressions) else []:
        if not f.endswith(".pbr"):
            continue
        text = open(os.path.join(a.regressions, f)).read()
        lines = open(os.path.join(a.regressions, f[:-4] + ".packets")).read().splitlines()
        packets = [parse_packet_text(ln) for ln in lines if ln and not ln.startswith("#")]
        bad = check_policy(a, kernel, text, packets, f)
        if bad is None:
            failures.append((text, [("", "regression policy %s does not compile" % f)]))
            continue
        pairs += len(packets)
        if bad:
            failures.append((text, bad))
    rng = random.Random(seed)
    start = time.monotonic()
    for n in range(policies):
        if n and n % 10 == 0:  # progress, for the long mode (docs/testing.md)
            print("differential: %d/%d policies, %d pairs, %d with disagreements, %.0f s"
                  % (n, policies, pairs, len(failures), time.monotonic() - start), flush=True)
        text, rules = random_policy(rng)
        used = set()
        packets = [random_packet(rng, rules, used) for _ in range(per)]
        bad = check_policy(a, kernel, text, packets, "policy %d" % n)
        if bad is None:
            continue
        pairs += len(packets)
        if bad:
            failures.append((text, bad))
    for text, bad in failures:
        print("DISAGREEMENT (add it to tests/kernel/differential/ as NAME.pbr and NAME.packets):")
        print(text)
        for t, why in bad:
            print("  packet: %s\n    %s" % (t, why))
    print("differential: %d pairs, %d lint witnesses checked, %d retried, %d policies with "
          "disagreements" % (pairs, len(kernel_witnesses), len(noise), len(failures)))
    for s in kernel.senders.values():
        s.stdin.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
