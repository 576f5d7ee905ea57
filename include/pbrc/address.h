// IPv4/IPv6 addresses, prefixes and intervals as plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbrc {

enum class Family { kV4, kV6 };
using U128 = unsigned __int128;

inline int Bits(Family f) { return f == Family::kV4 ? 32 : 128; }
inline const char* FamilyName(Family f) { return f == Family::kV4 ? "IPv4" : "IPv6"; }

// An address; for IPv4 the value is in the low 32 bits.
struct Addr {
  Family family = Family::kV4;
  U128 value = 0;
  friend bool operator==(const Addr&, const Addr&) = default;
};

// A prefix with no host bits set (checked when parsed from text).
struct Prefix {
  Addr addr;
  int len = 0;
  friend bool operator==(const Prefix&, const Prefix&) = default;
};

// An inclusive interval of addresses of one family.
struct Interval {
  Family family = Family::kV4;
  U128 lo = 0;
  U128 hi = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

std::optional<Addr> ParseAddr(std::string_view text);
std::string FormatAddr(const Addr& a);
std::string FormatPrefix(const Prefix& p);  // "10.0.0.0/8"; a host prefix prints bare
U128 HostMask(Family f, int len);           // bits after the prefix length
Interval ToInterval(const Prefix& p);

// Sorts and merges overlapping and adjacent intervals of one family.
std::vector<Interval> Normalize(std::vector<Interval> in);
// Removes `minus` (normalized) from `in` (normalized).
std::vector<Interval> Subtract(const std::vector<Interval>& in, const std::vector<Interval>& minus);
// The interval as one prefix, if it is exactly one.
std::optional<Prefix> AsPrefix(const Interval& iv);
// nft element text: "10.0.0.0/8", "10.0.0.1", or "10.0.0.1-10.0.0.9".
std::string FormatInterval(const Interval& iv);

}  // namespace pbrc
