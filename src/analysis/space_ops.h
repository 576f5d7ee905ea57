// Exact set arithmetic on rule spaces: a Space is a product of interval lists (one per
// dimension), a Region a union of disjoint Spaces. Subtracting a Space from a Space splits it
// into at most one piece per dimension (the classic box difference), so the pieces stay
// disjoint and nothing is sampled.
#pragma once

#include <optional>
#include <vector>

#include "rule_space.h"

namespace pbrc::analysis {

Spans Intersect(const Spans& a, const Spans& b);
Spans Minus(const Spans& a, const Spans& b);
bool Overlaps(const Spans& a, const Spans& b);

using Region = std::vector<Space>;

std::optional<Space> Intersect(const Space& a, const Space& b);
// a \ b as disjoint pieces; `touched` tells whether b took anything from a.
Region Minus(const Space& a, const Space& b, bool* touched = nullptr);
// Whether every point of `a` is in `b`.
bool Within(const Space& a, const Space& b);

}  // namespace pbrc::analysis
