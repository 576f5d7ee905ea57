#!/usr/bin/env python3
"""`classify maps;` against the linear reference on the kernel (issue 12): random policies of
differential.py (overlapping prefixes and sets, negation, protocols, ports, iif, exemptions,
both families), each compiled twice, linear and with maps, and loaded in turn into namespace
rtr; the same random packets (new connections, and stateless ICMP that takes the reply walk)
are injected under both, and the mark each packet leaves pbrc's chains with (read from the
per-mark sentinel counters maps_equivalence.sh installs after them) must be the same.
`--negative` checks the check: a policy whose two overlapping rules are swapped in the maps
artifact must disagree."""
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import differential as d  # noqa: E402  (its topology, random policies, packets and sender)


def with_classify(text, form):
    """The policy with `classify FORM;` (maps is the default; both are spelled out so the
    comparison does not depend on it)."""
    return text.replace("options {", "options {\n  classify %s;" % form, 1)


def compile_to(pbrc, text, folder):
    path = os.path.join(folder, "diff.pbr")
    open(path, "w").write(text)
    r = subprocess.run([pbrc, "compile", path, "-o", folder], capture_output=True, text=True)
    return r.returncode == 0


def marks(kernel, folder, packets):
    """The mark each packet has after pbrc's chains (sentinel rule i counts mark i // 2)."""
    kernel.load(folder, "diff")
    out = []
    for p in packets:
        before = kernel.counters("diffsentinel")
        kernel.send(p)
        now = kernel.counters("diffsentinel")
        hit = [k for k in now if now[k] != before.get(k, 0)]
        out.append(sorted(pos // 2 for _, pos in hit))
    return out


def iif_rules_mapped(nft, rules):
    """How many of the policy's `iif` rules have elements in a map that only packets from
    one input device look up (`iifname "X" ... vmap @M`; elements say "rule N ...")."""
    guarded = set(re.findall(r'iifname "[^"]+" .*vmap @(\w+)', nft))
    ids = set()
    for name, body in re.findall(r'\bmap (\w+) \{(.*?)\n\t\}', nft, re.S):
        if name in guarded:
            ids |= {int(n) for n in re.findall(r'comment "rule (\d+) ', body)}
    return sum(1 for i in ids if i < len(rules) and " iif " in " " + rules[i]["text"])


def compare(a, kernel, linear_text, maps_text, packets, rules=()):
    """(disagreements, whether the maps artifact has a map, how many iif rules it maps)"""
    with tempfile.TemporaryDirectory() as lin, tempfile.TemporaryDirectory() as mp:
        if not compile_to(a.pbrc, linear_text, lin) or not compile_to(a.pbrc, maps_text, mp):
            return None, False, 0
        nft = open(os.path.join(mp, "diff.nft")).read()
        want = marks(kernel, lin, packets)
        got = marks(kernel, mp, packets)
        bad = [(d.packet_text(p), w, g) for p, w, g in zip(packets, want, got) if w != g]
        return bad, "vmap @" in nft, iif_rules_mapped(nft, rules)


NEGATIVE = """options {
  mark mask 0xf;
  preference 1000-1099;
  table ids 300-399;
  %s
}
link wan1 { device eth1; gateway 10.0.1.1; }
link wan2 { device eth2; gateway 10.0.2.1; }
policy {
  %s
  %s
}
"""


def negative(a, kernel):
    first, second = "to 10.1.0.0/16 via wan1;", "to 10.1.2.0/24 via wan2;"
    linear = NEGATIVE % ("classify linear;", first, second)
    swapped = NEGATIVE % ("classify maps;", second, first)
    p = {"from": "lan0", "src": "10.99.0.2", "dst": "10.1.2.3", "proto": "udp", "state": "new",
         "sport": 40001, "dport": 53}
    bad, mapped, _ = compare(a, kernel, linear, swapped, [p])
    if not mapped or not bad:
        print("maps: negative control FAILED: swapped rules gave the same mark", file=sys.stderr)
        return 1
    print("maps: negative control: swapped rules give mark %s instead of %s" % (bad[0][2],
                                                                                  bad[0][1]))
    return 0


def main():
    import argparse
    ap = argparse.ArgumentParser()
    for k in ("pbrc", "rtr", "cli", "up"):
        ap.add_argument("--" + k)
    a = ap.parse_args()
    seed = int(os.environ.get("MAPS_SEED") or random.randrange(1 << 31))
    policies = int(os.environ.get("MAPS_POLICIES", "12"))
    per = int(os.environ.get("MAPS_PACKETS", "12"))
    print("maps: seed %d (rerun with MAPS_SEED=%d), %d policies x %d packets"
          % (seed, seed, policies, per))
    kernel = d.Kernel(a)
    if negative(a, kernel):
        return 1
    rng = random.Random(seed)
    failures, pairs, mapped_policies, iif_mapped, iif_rules = [], 0, 0, 0, 0
    for _ in range(policies):
        text, rules = d.random_policy(rng)
        used = set()
        packets = [d.random_packet(rng, rules, used) for _ in range(per)]
        bad, mapped, iifs = compare(a, kernel, with_classify(text, "linear"),
                                    with_classify(text, "maps"), packets, rules)
        if bad is None:
            continue
        pairs += len(packets)
        mapped_policies += mapped
        iif_mapped += iifs
        iif_rules += sum(1 for r in rules if " iif " in " " + r["text"])
        if bad:
            failures.append((text, bad))
    for text, bad in failures:
        print("DISAGREEMENT between linear and maps:\n" + text)
        for t, w, g in bad:
            print("  packet: %s\n    linear mark %s, maps mark %s" % (t, w, g))
    print("maps: %d pairs, %d policies with maps, %d of %d iif rules in per-device maps, "
          "%d with disagreements" % (pairs, mapped_policies, iif_mapped, iif_rules, len(failures)))
    for s in kernel.senders.values():
        s.stdin.close()
    if mapped_policies == 0:
        print("maps: no policy produced a map: the check proved nothing", file=sys.stderr)
        return 1
    if iif_rules and not iif_mapped:
        print("maps: no iif rule was mapped: the check proved nothing for them", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
