// One place that decides what may appear in each artifact's syntax (see pbrc/syntax.h).
#include "pbrc/syntax.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

#include "pbrc/text.h"

namespace pbrc::syntax {
namespace {

// Length of the valid UTF-8 character at s[i] and its code point; 0 when invalid.
size_t Utf8At(std::string_view s, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t len = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = c & (0x7f >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (b(k) & 0x3f);
  }
  bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  if (overlong || surrogate || cp > 0x10ffff) return 0;
  return len;
}

// Printable: not a C0/C1 control character, not DEL.
bool Printable(uint32_t cp) { return (cp >= 0x20 && cp < 0x7f) || cp >= 0xa0; }

std::string HexByte(unsigned char c) {
  char buf[8];
  snprintf(buf, sizeof buf, "\\x%02x", c);
  return buf;
}

// nft 1.0.6 refuses these as table names (each checked with `nft -c` on that version;
// from the keywords of its scanner). Sorted for binary search.
constexpr std::array<std::string_view, 149> kNftKeywords = {
    "accept",    "add",     "ah",       "all",      "and",        "arp",      "bridge",
    "cgroup",    "chain",   "comment",  "comp",     "constant",   "continue", "counter",
    "cpu",       "create",  "ct",       "day",      "dccp",       "define",   "delete",
    "describe",  "device",  "devices",  "dnat",     "drop",       "dst",      "dup",
    "dynamic",   "ecn",     "element",  "elements", "eq",         "esp",      "ether",
    "exists",    "expires", "export",   "exthdr",   "fib",        "flags",    "flow",
    "flowtable", "flush",   "frag",     "fwd",      "ge",         "get",      "goto",
    "gt",        "handle",  "hbh",      "hook",     "hour",       "ibriport", "ibrname",
    "icmp",      "icmpv6",  "igmp",     "iif",      "iifgroup",   "iifname",  "iiftype",
    "import",    "include", "index",    "inet",     "insert",     "interval", "ip",
    "ip6",       "ipsec",   "jhash",    "jump",     "le",         "limit",    "list",
    "log",       "lt",      "map",      "mark",     "masquerade", "meta",     "meter",
    "mh",        "missing", "monitor",  "ne",       "netdev",     "nftrace",  "not",
    "notrack",   "numgen",  "obriport", "obrname",  "offload",    "oif",      "oifgroup",
    "oifname",   "oiftype", "or",       "osf",      "pkttype",    "policy",   "position",
    "priority",  "queue",   "quota",    "random",   "redefine",   "redirect", "reject",
    "rename",    "replace", "reset",    "return",   "rt",         "rt0",      "rt2",
    "rtclassid", "rule",    "ruleset",  "sctp",     "secmark",    "set",      "size",
    "skgid",     "skuid",   "snat",     "socket",   "srh",        "symhash",  "synproxy",
    "table",     "tcp",     "th",       "time",     "timeout",    "tproxy",   "type",
    "typeof",    "udp",     "udplite",  "undefine", "update",     "vlan",     "vmap",
    "xor",       "xt",
};

bool IdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

size_t Utf8Length(std::string_view s, size_t i) {
  uint32_t cp = 0;
  return Utf8At(s, i, cp);
}

bool ValidUtf8(std::string_view s) {
  uint32_t cp = 0;
  for (size_t i = 0, n = 0; i < s.size(); i += n) {
    if ((n = Utf8At(s, i, cp)) == 0) return false;
  }
  return true;
}

bool IfnameWildcard(std::string_view name) { return name.find('*') != std::string_view::npos; }

std::optional<std::string> IfnameProblem(std::string_view name) {
  if (name.empty()) return "an interface name cannot be empty";
  if (name == "." || name == "..") return "'.' and '..' are not interface names";
  if (name == "all" || name == "default")
    return "the kernel refuses 'all' and 'default': net.ipv4.conf.all means every device";
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return "whitespace, control bytes and non-ASCII are not allowed";
    switch (c) {
      case '/':
        return "the kernel does not allow '/' in interface names";
      case ':':
        return "':' names an alias (eth0:1), not a device";
      case '"':
      case '\'':
      case '\\':
        return "quotes and backslashes are quoting in ip -batch and nft";
      case '#':
        return "'#' starts a comment in ip -batch and sysctl.d";
      case '=':
        return "'=' separates key and value in sysctl.d";
      case '*':
      case '?':
      case '[':
      case ']':
        return "'*', '?', '[' and ']' are wildcards in nft names and sysctl.d keys";
    }
  }
  return std::nullopt;
}

std::optional<std::string> NftTableNameProblem(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) ok = ok && IdentChar(c);
  if (!ok) return "use letters, digits and '_', starting with a letter (at most 64)";
  if (std::binary_search(kNftKeywords.begin(), kNftKeywords.end(), name))
    return "'" + std::string(name) + "' is an nft keyword, and nft cannot quote table names";
  return std::nullopt;
}

std::string NftSetStem(std::string_view name) {
  std::string out;
  for (char c : name) out.push_back(IdentChar(c) ? c : '_');
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "s_" + out;
  if (out.size() <= kMaxSetStem) return out;
  char hash[24];
  snprintf(hash, sizeof hash, "_%016llx", static_cast<unsigned long long>(Fnv1a(name)));
  return out.substr(0, kMaxSetStem - 17) + hash;
}

std::string NftComment(std::string_view text) {
  std::string out;
  uint32_t cp = 0;
  for (size_t i = 0, n = 0; i < text.size(); i += n) {
    n = Utf8At(text, i, cp);
    std::string_view ch = n ? text.substr(i, n) : "?";
    if (n == 0) {
      n = 1;
      cp = '?';
    }
    if (cp == '"') ch = "'";
    if (cp == '\\') ch = "/";
    if (!Printable(cp)) ch = "?";
    if (out.size() + ch.size() > kNftCommentMax) break;
    out += ch;
  }
  return out;
}

std::string CommentLine(std::string_view text) {
  std::string out;
  uint32_t cp = 0;
  for (size_t i = 0, n = 0; i < text.size(); i += n) {
    n = Utf8At(text, i, cp);
    if (n == 0 || !Printable(cp) || cp == '\\') {
      for (size_t k = 0; k < std::max<size_t>(n, 1); ++k)
        out += HexByte(static_cast<unsigned char>(text[i + k]));
      n = std::max<size_t>(n, 1);
    } else {
      out += text.substr(i, n);
    }
  }
  return out;
}

std::string JsonText(std::string_view text) {
  std::string out;
  uint32_t cp = 0;
  for (size_t i = 0, n = 0; i < text.size(); i += n) {
    n = Utf8At(text, i, cp);
    if (n == 0 || cp < 0x20 || cp == 0x7f) {
      out += '?';
      n = std::max<size_t>(n, 1);
    } else {
      out += text.substr(i, n);
    }
  }
  return out;
}

}  // namespace pbrc::syntax
