// Address literals: syntax by inet_pton, prefix length against the family, host bits with
// the corrected prefix as help, ranges ordered and of one family.
#include "addr_check.h"

namespace pbrc::sema {

std::optional<Addr> CheckAddr(const ast::AddrText& a, Diagnostics& diags) {
  auto addr = ParseAddr(a.text);
  if (!addr) {
    auto& d = diags.Error(Code::kInvalidAddress, a.range,
                          "invalid address '" + a.text.substr(0, 60) + "'");
    d.help = a.text.find(':') != std::string::npos
                 ? "IPv6 addresses are eight groups of up to four hex digits, '::' once"
                 : "IPv4 addresses are four numbers 0-255 without leading zeros";
  }
  return addr;
}

std::optional<Prefix> CheckPrefix(const ast::PrefixElem& p, Diagnostics& diags) {
  auto addr = CheckAddr(p.addr, diags);
  if (!addr) return std::nullopt;
  int bits = Bits(addr->family);
  if (!p.len) return Prefix{*addr, bits};
  if (!p.len->valid) return std::nullopt;
  if (p.len->value > static_cast<uint64_t>(bits)) {
    diags.Error(Code::kInvalidPrefixLength, p.len->range,
                "prefix length " + p.len->text + " is longer than " + std::to_string(bits) +
                    " bits of an " + FamilyName(addr->family) + " address");
    return std::nullopt;
  }
  int len = static_cast<int>(p.len->value);
  U128 host = HostMask(addr->family, len);
  if (addr->value & host) {
    Prefix fixed{Addr{addr->family, addr->value & ~host}, len};
    auto& d = diags.Error(Code::kHostBitsSet, p.range,
                          "host bits set in prefix '" + p.addr.text + "/" + p.len->text + "'");
    d.help = "use '" + FormatAddr(fixed.addr) + "/" + std::to_string(len) + "'";
    return std::nullopt;
  }
  return Prefix{*addr, len};
}

std::optional<Interval> CheckRange(const ast::RangeElem& r, Diagnostics& diags) {
  auto lo = CheckAddr(r.lo, diags);
  auto hi = CheckAddr(r.hi, diags);
  if (!lo || !hi) return std::nullopt;
  if (lo->family != hi->family) {
    diags.Error(Code::kInvalidRange, r.range,
                "range from an " + std::string(FamilyName(lo->family)) + " to an " +
                    FamilyName(hi->family) + " address");
    return std::nullopt;
  }
  if (lo->value > hi->value) {
    auto& d = diags.Error(Code::kInvalidRange, r.range,
                          "range starts above its end ('" + r.lo.text + "' > '" + r.hi.text + "')");
    d.help = "write it as '" + r.hi.text + "-" + r.lo.text + "'";
    return std::nullopt;
  }
  return Interval{lo->family, lo->value, hi->value};
}

}  // namespace pbrc::sema
