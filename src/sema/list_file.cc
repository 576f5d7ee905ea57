// List files: one entry a line, `#` comments, blank lines, an optional UTF-8 byte order mark;
// every bad line is reported at its own file:line:col, and the file is kept in the source
// manager for the snippet.
#include "list_file.h"

#include "addr_check.h"

namespace pbrc::sema {
namespace {

Range Span(uint32_t file, uint32_t line, uint32_t offset, size_t col0, size_t len) {
  Range r;
  r.begin = Pos{file, line, static_cast<uint32_t>(col0 + 1), static_cast<uint32_t>(offset + col0)};
  r.end = r.begin;
  r.end.col += static_cast<uint32_t>(len);
  r.end.offset += static_cast<uint32_t>(len);
  return r;
}

// Entries as read, per family, before normalization.
struct Entries {
  std::vector<Interval> v4, v6;
};

// The digits of a decimal number without leading zeros, at most `max` of them, from `i`.
std::optional<uint32_t> Decimal(std::string_view s, size_t& i, size_t max) {
  size_t start = i;
  uint32_t v = 0;
  while (i < s.size() && i - start < max && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  if (i == start || (s[start] == '0' && i - start > 1)) return std::nullopt;
  return v;
}

// The common line of a big list, a dotted-quad IPv4 address or prefix without host bits,
// parsed without the general path's strings; anything else, valid or not, goes the general
// way (which reports the errors), so both give the same interval for what this accepts.
std::optional<Interval> PlainV4(std::string_view e) {
  uint32_t v = 0;
  size_t i = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0 && (i >= e.size() || e[i++] != '.')) return std::nullopt;
    auto x = Decimal(e, i, 3);
    if (!x || *x > 255) return std::nullopt;
    v = v << 8 | *x;
  }
  int len = 32;
  if (i < e.size()) {
    if (e[i++] != '/') return std::nullopt;
    auto l = Decimal(e, i, 2);
    if (!l || *l > 32) return std::nullopt;
    len = static_cast<int>(*l);
  }
  if (i != e.size() || (U128(v) & HostMask(Family::kV4, len))) return std::nullopt;
  return ToInterval(Prefix{Addr{Family::kV4, v}, len});
}

bool ParseEntry(std::string_view entry, Range where, Diagnostics& diags, Entries& out) {
  if (auto plain = PlainV4(entry)) {
    out.v4.push_back(*plain);
    return true;
  }
  std::optional<Interval> iv;
  size_t slash = entry.find('/');
  size_t dash = entry.find('-');
  if (dash != std::string_view::npos) {
    ast::RangeElem r;
    r.range = where;
    r.lo = {std::string(entry.substr(0, dash)), where};
    r.hi = {std::string(entry.substr(dash + 1)), where};
    iv = CheckRange(r, diags);
  } else {
    ast::PrefixElem p;
    p.range = where;
    p.addr = {std::string(entry.substr(0, slash)), where};
    if (slash != std::string_view::npos) {
      ast::Number n;
      n.text = std::string(entry.substr(slash + 1));
      n.range = where;
      bool digits = !n.text.empty() && n.text.size() <= 3 &&
                    n.text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) {
        diags.Error(Code::kInvalidPrefixLength, where,
                    "invalid prefix length '" + n.text.substr(0, 40) + "'");
        return false;
      }
      n.value = std::stoull(n.text);
      p.len = n;
    }
    auto pre = CheckPrefix(p, diags);
    if (pre) iv = ToInterval(*pre);
  }
  if (!iv) return false;
  (iv->family == Family::kV4 ? out.v4 : out.v6).push_back(*iv);
  return true;
}

// Only digits, dots and slashes: a line PlainV4 may take whole (anything else, a blank, a
// comment, a byte order mark, goes the general way).
bool Bare(std::string_view t) {
  for (char c : t)
    if ((c < '0' || c > '9') && c != '.' && c != '/') return false;
  return !t.empty();
}

}  // namespace

std::optional<model::AddrValue> ParseListFile(uint32_t file_id, const SourceManager& sm,
                                              Diagnostics& diags) {
  const SourceFile& f = sm.Get(file_id);
  Entries out;
  bool ok = true;
  uint32_t lines = static_cast<uint32_t>(f.line_starts.size());
  // Big lists are IPv4 lists: one growth-free vector (Normalize gives back the room of lines
  // that were not IPv4 entries).
  out.v4.reserve(lines);
  for (uint32_t line = 1; line <= lines; ++line) {
    std::string_view text = sm.Line(file_id, line);
    // The common line, nothing but a plain IPv4 entry: no scans for blanks and comments.
    if (Bare(text)) {
      if (auto plain = PlainV4(text)) {
        out.v4.push_back(*plain);
        continue;
      }
    }
    uint32_t offset = f.line_starts[line - 1];
    if (line == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") {  // a UTF-8 byte order mark
      text.remove_prefix(3);
      offset += 3;
    }
    size_t hash = text.find('#');
    std::string_view body = text.substr(0, hash);
    size_t b = body.find_first_not_of(" \t");
    if (b == std::string_view::npos) continue;
    size_t e = body.find_last_not_of(" \t");
    std::string_view entry = body.substr(b, e - b + 1);
    Range where = Span(file_id, line, offset, b, entry.size());
    if (entry.find_first_of(" \t") != std::string_view::npos) {
      diags.Error(Code::kInvalidAddress, where, "one entry a line expected");
      ok = false;
      continue;
    }
    if (!ParseEntry(entry, where, diags, out)) ok = false;
  }
  if (!ok) return std::nullopt;
  return model::AddrValue{IntervalList(Normalize(std::move(out.v4))),
                          IntervalList(Normalize(std::move(out.v6)))};
}

}  // namespace pbrc::sema
