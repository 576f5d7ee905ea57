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
// Replaces a set's elements by one fixed element of its family (an empty set stays empty):
// the live plan loads sets this small for listing, and a text that does not depend on the
// elements lets a policy whose elements alone changed reuse the recorded listing
// (live::DesiredState) even when its first element changed.
inline void PlaceholderElements(ir::Set& s) {
  if (!s.elements.empty()) s.elements = IntervalList({Interval{s.family, 0, 0}});
}
inline const ir::Target& TargetOf(const ir::Program& p, size_t index) { return p.targets[index]; }

}  // namespace pbrc::plan
