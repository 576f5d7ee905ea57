#include "space_ops.h"

#include <algorithm>

namespace pbrc::analysis {

Spans Intersect(const Spans& a, const Spans& b) {
  Spans out;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    U128 lo = std::max(a[i].lo, b[j].lo), hi = std::min(a[i].hi, b[j].hi);
    if (lo <= hi) out.push_back({lo, hi});
    if (a[i].hi < b[j].hi)
      ++i;
    else
      ++j;
  }
  return out;
}

bool Overlaps(const Spans& a, const Spans& b) {
  if (a.empty() || b.empty() || a.back().hi < b.front().lo || b.back().hi < a.front().lo) {
    return false;
  }
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (std::max(a[i].lo, b[j].lo) <= std::min(a[i].hi, b[j].hi)) return true;
    if (a[i].hi < b[j].hi)
      ++i;
    else
      ++j;
  }
  return false;
}

Spans Minus(const Spans& a, const Spans& b) {
  Spans out;
  size_t j = 0;
  for (Span s : a) {
    while (j < b.size() && b[j].hi < s.lo) ++j;
    size_t k = j;
    bool gone = false;
    for (; k < b.size() && b[k].lo <= s.hi; ++k) {
      if (b[k].lo > s.lo) out.push_back({s.lo, b[k].lo - 1});
      if (b[k].hi >= s.hi) {
        gone = true;
        break;
      }
      s.lo = b[k].hi + 1;
    }
    if (!gone) out.push_back(s);
  }
  return out;
}

std::optional<Space> Intersect(const Space& a, const Space& b) {
  Space out;
  for (int d = 0; d < kDims; ++d) {
    out[d] = Intersect(a[d], b[d]);
    if (out[d].empty()) return std::nullopt;
  }
  return out;
}

Region Minus(const Space& a, const Space& b, bool* touched) {
  if (touched) *touched = false;
  // Cheap dimensions first: most pairs of rules differ in protocol, port or device.
  for (int d : {kProto, kSport, kDport, kIif, kSrc, kDst}) {
    if (!Overlaps(a[d], b[d])) return {a};
  }
  if (touched) *touched = true;
  Region out;
  Space head = a;  // dimensions before d: a ∩ b; d and after: a
  for (int d = 0; d < kDims; ++d) {
    Spans rest = Minus(a[d], b[d]);
    if (!rest.empty()) {
      Space piece = head;
      piece[d] = std::move(rest);
      out.push_back(std::move(piece));
    }
    head[d] = Intersect(a[d], b[d]);
  }
  return out;
}

bool Within(const Space& a, const Space& b) {
  for (int d = 0; d < kDims; ++d) {
    if (!Minus(a[d], b[d]).empty()) return false;
  }
  return true;
}

}  // namespace pbrc::analysis
