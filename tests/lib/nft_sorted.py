#!/usr/bin/env python3
"""`nft list` text on stdin, to stdout with the elements of each set and map sorted.

The kernel lists a concatenated-range map's elements (nft_set_pipapo) in the order they were
inserted, so a map updated in place lists the same elements in another order than a fresh
load. Tests that compare listings compare what the kernel holds, not that order."""
import sys

out, els, indent = [], None, ""
for line in sys.stdin.read().split("\n"):
    s = line.strip()
    if els is None and s.startswith("elements = { "):
        indent, els, s = line[: len(line) - len(line.lstrip())], [], s[len("elements = { "):]
    if els is None:
        out.append(line)
        continue
    done = s.endswith(" }")
    s = s[:-2] if done else s
    els.append(s[:-1] if s.endswith(",") else s)
    if done:
        els.sort()
        out.append(indent + "elements = { " + (",\n" + indent + "\t     ").join(els) + " }")
        els = None
sys.stdout.write("\n".join(out))
