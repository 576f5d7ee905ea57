// The few places the plan reads IR storage directly. Kept in one header so that a change of
// representation (sets shared by pointer) is adapted here and nowhere else in src/plan/.
#pragma once

#include <vector>

#include "pbrc/ir.h"

namespace pbrc::plan {

inline const std::vector<Interval>& ElementsOf(const ir::Set& s) { return s.elements.vec(); }
inline const std::vector<Interval>& ElementsOf(const ir::AddrMatch& m) { return m.elements.vec(); }
// The set's elements as the IR holds them: the plan shares the buffer instead of copying it.
inline const IntervalList& SharedElementsOf(const ir::Set& s) { return s.elements; }
// Keeps the first `n` elements of a set (the live plan loads sets this small for listing).
inline void TrimElements(ir::Set& s, size_t n) {
  if (s.elements.size() <= n) return;
  const auto& v = s.elements.vec();
  s.elements = IntervalList(std::vector<Interval>(v.begin(), v.begin() + n));
}
inline const ir::Target& TargetOf(const ir::Program& p, size_t index) { return p.targets[index]; }

}  // namespace pbrc::plan
