// Addresses as 128-bit integers: parsing and printing by inet_pton/inet_ntop, interval
// normalization (sort, then merge overlapping and adjacent) and subtraction in linear time
// (one sweep, however many lists are subtracted).
#include "pbrc/address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace pbrc {

std::optional<Addr> ParseAddr(std::string_view text) {
  if (text.size() > 45) return std::nullopt;
  std::string s(text);
  Addr a;
  if (s.find(':') != std::string::npos) {
    unsigned char buf[16];
    if (inet_pton(AF_INET6, s.c_str(), buf) != 1) return std::nullopt;
    a.family = Family::kV6;
    for (unsigned char b : buf) a.value = (a.value << 8) | b;
  } else {
    unsigned char buf[4];
    if (inet_pton(AF_INET, s.c_str(), buf) != 1) return std::nullopt;
    a.family = Family::kV4;
    for (unsigned char b : buf) a.value = (a.value << 8) | b;
  }
  return a;
}

std::string FormatAddr(const Addr& a) {
  char out[INET6_ADDRSTRLEN];
  if (a.family == Family::kV4) {
    unsigned char buf[4];
    for (int i = 0; i < 4; ++i) buf[i] = static_cast<unsigned char>(a.value >> (8 * (3 - i)));
    inet_ntop(AF_INET, buf, out, sizeof out);
  } else {
    unsigned char buf[16];
    for (int i = 0; i < 16; ++i) buf[i] = static_cast<unsigned char>(a.value >> (8 * (15 - i)));
    inet_ntop(AF_INET6, buf, out, sizeof out);
  }
  return out;
}

std::string FormatPrefix(const Prefix& p) {
  if (p.len == Bits(p.addr.family)) return FormatAddr(p.addr);
  return FormatAddr(p.addr) + "/" + std::to_string(p.len);
}

U128 HostMask(Family f, int len) {
  int host = Bits(f) - len;
  if (host <= 0) return 0;
  if (host >= 128) return ~U128(0);
  return (U128(1) << host) - 1;
}

Interval ToInterval(const Prefix& p) {
  U128 m = HostMask(p.addr.family, p.len);
  return Interval{p.addr.family, p.addr.value & ~m, p.addr.value | m};
}

std::vector<Interval> Normalize(std::vector<Interval> in) {
  auto less = [](const Interval& a, const Interval& b) {
    if (a.family != b.family) return a.family < b.family;
    return a.lo < b.lo || (a.lo == b.lo && a.hi > b.hi);
  };
  // Lists are often sorted already (and normalized ones always are): a check is one pass,
  // a sort of a million intervals is twenty.
  if (!std::is_sorted(in.begin(), in.end(), less)) std::sort(in.begin(), in.end(), less);
  // Merged in place: no second vector of the set's size.
  size_t w = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const Interval iv = in[i];
    if (w > 0 && in[w - 1].family == iv.family) {
      Interval& last = in[w - 1];
      // Overlapping or adjacent (last.hi + 1 == iv.lo, without overflowing at the top).
      if (iv.lo <= last.hi || iv.lo - 1 == last.hi) {
        last.hi = std::max(last.hi, iv.hi);
        continue;
      }
    }
    in[w++] = iv;
  }
  in.resize(w);
  if (w < in.capacity() / 2) in.shrink_to_fit();  // sets are kept: do not hold the merged room
  return in;
}

std::vector<Interval> Subtract(const std::vector<Interval>& in,
                               const std::vector<Interval>& minus) {
  std::vector<Interval> out;
  size_t j = 0;
  for (Interval cur : in) {
    bool alive = true;
    while (j < minus.size() && (minus[j].family < cur.family ||
                                (minus[j].family == cur.family && minus[j].hi < cur.lo))) {
      ++j;
    }
    for (size_t k = j; k < minus.size() && alive; ++k) {
      const Interval& m = minus[k];
      if (m.family != cur.family || m.lo > cur.hi) break;
      if (m.lo > cur.lo) out.push_back(Interval{cur.family, cur.lo, m.lo - 1});
      if (m.hi >= cur.hi) {
        alive = false;
      } else {
        cur.lo = m.hi + 1;
      }
    }
    if (alive) out.push_back(cur);
  }
  return out;
}

std::vector<Interval> SubtractAll(const std::vector<Interval>& in,
                                  const std::vector<const std::vector<Interval>*>& minus) {
  if (minus.empty()) return in;
  if (minus.size() == 1) return Subtract(in, *minus[0]);
  size_t total = 0;
  for (const auto* m : minus) total += m->size();
  std::vector<Interval> all;
  all.reserve(total);
  for (const auto* m : minus) all.insert(all.end(), m->begin(), m->end());
  return Subtract(in, Normalize(std::move(all)));
}

std::optional<Prefix> AsPrefix(const Interval& iv) {
  int bits = Bits(iv.family);
  if (iv.lo == 0 && iv.hi == HostMask(iv.family, 0)) return Prefix{Addr{iv.family, 0}, 0};
  U128 size = iv.hi - iv.lo + 1;
  if ((size & (size - 1)) != 0 || (iv.lo & (size - 1)) != 0) return std::nullopt;
  int host = 0;
  while ((U128(1) << host) != size) ++host;
  return Prefix{Addr{iv.family, iv.lo}, bits - host};
}

std::string FormatInterval(const Interval& iv) {
  if (auto p = AsPrefix(iv)) return FormatPrefix(*p);
  return FormatAddr(Addr{iv.family, iv.lo}) + "-" + FormatAddr(Addr{iv.family, iv.hi});
}

}  // namespace pbrc
