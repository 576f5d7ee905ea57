#!/usr/bin/env python3
"""Turns docs/pbrc.1.md into a roff man page (man(7) macros) for `man pbrc`.

Only the markdown docs/pbrc.1.md uses: `# NAME(1)` title, `##`/`###` headings, paragraphs,
fenced code blocks, definition lists (`**term** ...` then `: text`, further paragraphs
indented by two spaces), `- ` lists, pipe
tables (rows become tagged paragraphs: no tbl preprocessor needed), and inline `code`,
**bold**, *italic* and [text](link). Every text byte is escaped for roff: a backslash,
a leading dot or quote never becomes a request.

Usage: md2man.py IN.md OUT.1 VERSION
"""
import re
import sys


def esc(text):
    """Roff-escapes plain text (no font changes inside)."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # groff reads ASCII: every other character as its Unicode escape.
    return "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)


def inline(text):
    """Inline markdown to roff fonts; everything else escaped."""
    out, pos = [], 0
    # A code span opens and closes with the same number of backticks (```` ```diff ````).
    pat = re.compile(r"(`+) ?(.+?) ?\1(?!`)|\*\*(.+?)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\([^)]*\)")
    for m in pat.finditer(text):
        out.append(esc(text[pos:m.start()]))
        if m.group(1) is not None:
            out.append("\\fB" + esc(m.group(2)) + "\\fR")
        elif m.group(3) is not None:
            out.append("\\fB" + inline(m.group(3)) + "\\fR")
        elif m.group(4) is not None:
            out.append("\\fI" + esc(m.group(4)) + "\\fR")
        else:
            out.append(inline(m.group(5)))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def line(text):
    """A text line that cannot start a roff request."""
    return ("\\&" + text) if text[:1] in (".", "'") else text


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def convert(md, version):
    lines = md.splitlines()
    out = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r"^# (\S+)\((\d)\)\s*$", ln)
        if m:
            out.append('.TH %s %s "" "pbrc %s" "User Commands"' % (m.group(1), m.group(2), version))
        elif ln.startswith("### "):
            out.append(".SS " + inline(ln[4:]))
        elif ln.startswith("## "):
            out.append(".SH " + inline(ln[3:]).upper())
        elif ln.startswith("```"):
            out += [".PP", ".nf", ".RS 4"]
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(line(esc(lines[i])))
                i += 1
            out += [".RE", ".fi"]
        elif ln.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(cells(lines[i]))
                i += 1
            i -= 1
            body = [r for r in rows[1:] if not all(re.fullmatch(r":?-+:?", c) for c in r)]
            for r in body:
                out += [".TP", line(inline(r[0])), line(inline(" \u2014 ".join(r[1:])))]
        elif ln.startswith("- "):
            text = [ln[2:]]
            while i + 1 < len(lines) and lines[i + 1].startswith("  ") and lines[i + 1].strip():
                i += 1
                text.append(lines[i].strip())
            out += [".IP \\(bu 2", line(inline(" ".join(text)))]
        elif ln.startswith(": "):
            text = [ln[2:]]
            while i + 1 < len(lines) and lines[i + 1].startswith("  ") and lines[i + 1].strip():
                i += 1
                text.append(lines[i].strip())
            out.append(line(inline(" ".join(text))))
        elif ln.startswith("  ") and ln.strip():
            # A further paragraph of a definition: indented like the definition's text.
            text = [ln.strip()]
            while i + 1 < len(lines) and lines[i + 1].startswith("  ") and lines[i + 1].strip():
                i += 1
                text.append(lines[i].strip())
            if out and out[-1] == ".PP":
                out.pop()
            out += [".IP", line(inline(" ".join(text)))]
        elif not ln.strip():
            if out and out[-1] not in (".PP",) and not out[-1].startswith((".SH", ".SS", ".TH")):
                out.append(".PP")
        else:
            if i + 1 < len(lines) and lines[i + 1].startswith(": "):
                out += [".TP", line(inline(ln))]
            else:
                out.append(line(inline(ln)))
        i += 1
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: md2man.py IN.md OUT.1 VERSION")
    with open(sys.argv[1], encoding="utf-8") as f:
        roff = convert(f.read(), sys.argv[3])
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(roff)


if __name__ == "__main__":
    main()
