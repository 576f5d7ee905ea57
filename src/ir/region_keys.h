// What the region compiler needs to know of one rule and of boxes: a rule's conditions as
// spans per key field, and exact box difference. Internal to src/ir/ (regions.cc).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "pbrc/regions.h"

namespace pbrc::ir::regions {

using Spans = std::vector<Span>;  // sorted, disjoint

// A rule read as key fields for one family: every field's spans (full when the rule has no
// condition on it). `proto`/`port`: the rule has such a condition (it cannot match a packet
// whose field is unreadable).
struct KeyedRule {
  std::array<Spans, kKeyFields> fields;
  bool proto = false;
  bool port = false;
  std::string device;  // the input device the rule needs (`iif`); empty: any
  // An address field's list is longer than a map holds: that field is left full and unread,
  // and Boxes() is more than kMaxMapRegions (0 when another field is empty).
  bool oversized = false;
  size_t Boxes() const;  // how many boxes the product makes (saturating)
};

// Why a rule stays linear when one of its maps would exceed kMaxMapRegions.
std::string TooManyRegions();

// The conditions of `r` in direction `d` as key fields of family `f`; nullopt when the rule
// does not apply to `f` at all. *why: why it cannot be keyed (then the result is nullopt).
std::optional<KeyedRule> Keyed(const Program& p, const Classify& r, Direction d, Family f,
                               std::string* why);

// Whether `r` does nothing in direction `d`: reversed, a pin, or a rule a reply cannot
// decide whose target is not a link (the reply walk neither marks nor stops on it).
bool Inert(const Program& p, const Classify& r, Direction d);

// The product of the rule's spans as boxes.
std::vector<Box> BoxesOf(const KeyedRule& k);

bool Overlap(const Box& a, const Box& b);
bool Contains(const Box& b, const Box& point);
// a \ b as at most 2 * kKeyFields disjoint boxes appended to `out` (a itself when disjoint).
void Minus(const Box& a, const Box& b, std::vector<Box>& out);

}  // namespace pbrc::ir::regions
