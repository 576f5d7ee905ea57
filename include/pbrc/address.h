// IPv4/IPv6 addresses, prefixes and intervals as plain values.
#pragma once

#include <cstdint>
#include <memory>
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

// An immutable list of intervals whose copies share one buffer: a set used by many rules is
// stored once, so memory grows with the policy, not with rules x set size.
class IntervalList {
 public:
  IntervalList() = default;
  explicit IntervalList(std::vector<Interval> v)
      : p_(v.empty() ? nullptr : std::make_shared<const std::vector<Interval>>(std::move(v))) {}

  const std::vector<Interval>& vec() const { return p_ ? *p_ : Empty(); }
  size_t size() const { return vec().size(); }
  bool empty() const { return vec().empty(); }
  const Interval& operator[](size_t i) const { return vec()[i]; }
  auto begin() const { return vec().begin(); }
  auto end() const { return vec().end(); }
  // True when both lists are the same buffer (not only equal): what sharing tests check.
  bool SameStorage(const IntervalList& o) const { return p_ == o.p_; }
  friend bool operator==(const IntervalList& a, const IntervalList& b) {
    return a.p_ == b.p_ || a.vec() == b.vec();
  }

 private:
  static const std::vector<Interval>& Empty() {
    static const std::vector<Interval> kEmpty;
    return kEmpty;
  }
  std::shared_ptr<const std::vector<Interval>> p_;
};

std::optional<Addr> ParseAddr(std::string_view text);
std::string FormatAddr(const Addr& a);
std::string FormatPrefix(const Prefix& p);  // "10.0.0.0/8"; a host prefix prints bare
U128 HostMask(Family f, int len);           // bits after the prefix length
Interval ToInterval(const Prefix& p);

// Sorts and merges overlapping and adjacent intervals of one family.
std::vector<Interval> Normalize(std::vector<Interval> in);
// Removes `minus` (normalized) from `in` (normalized) in one sweep over both.
std::vector<Interval> Subtract(const std::vector<Interval>& in, const std::vector<Interval>& minus);
// Removes every list of `minus` (each normalized) from `in` (normalized): the union of the
// lists is normalized once and subtracted in one sweep, so the cost is
// O(|in| + M log M) for M excepted intervals, not (number of lists) x |in|.
std::vector<Interval> SubtractAll(const std::vector<Interval>& in,
                                  const std::vector<const std::vector<Interval>*>& minus);
// The interval as one prefix, if it is exactly one.
std::optional<Prefix> AsPrefix(const Interval& iv);
// nft element text: "10.0.0.0/8", "10.0.0.1", or "10.0.0.1-10.0.0.9".
std::string FormatInterval(const Interval& iv);

}  // namespace pbrc
