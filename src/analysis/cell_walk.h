// The sweep behind lint (docs/lint.md, "Exact, not sampled: the cost"). The rules' spaces of
// one family are cut, one dimension at a time, at all their distinct boundaries; the pieces
// where the same rules are present form one group, and each group is cut again along the
// next dimension. A group after the last dimension is a cell: a set of packets that every
// rule present matches and no other rule does, so its first rule takes all of them. A rule
// set met twice at one level is not walked twice (the cells below depend on the set only).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "rule_space.h"

namespace pbrc::analysis {

using ClassId = uint32_t;

// Interned span lists: rules over the same set share one list (one class) per dimension.
class SpanPool {
 public:
  ClassId Add(Spans s);  // the id of an equal list if there is one
  const Spans& Get(ClassId c) const { return lists_[c]; }
  size_t size() const { return lists_.size(); }

 private:
  std::vector<Spans> lists_;
  std::unordered_map<uint64_t, std::vector<ClassId>> by_hash_;
};

// One space the walk cuts: a rule's, or a pseudo-rule's that only marks cells (the router's
// own packets from a link address, the router's DNS/DHCP/NTP). Items are in rule order,
// pseudo-rules last.
struct Item {
  enum Kind : uint8_t { kRule, kLinkAddress, kRouterService };
  std::array<ClassId, kDims> dim{};
  Kind kind = kRule;
  size_t rule = 0;            // index in Program::rules (kRule only)
  size_t last_entry = 0;      // the last Program::rules index of the same policy rule
  bool owns = true;           // takes packets from later rules (false: dscp/mac, unmodelled)
  bool main = false;          // its target is `main`
  bool router_check = false;  // W0904 asks about it (a link target without addresses or iif)
};

using Point = std::array<U128, kDims>;
struct Witnessed {
  Point at{};
  bool set = false;
  // The packet takes the `classify` walk. Not when its only protocol is ICMP of the other
  // family (conntrack calls it INVALID, so the stateless walk may decide first).
  bool plain = false;
};

// What the cells say, per item (rules only).
struct CellFacts {
  std::vector<char> kept;        // the first rule of some cell: it matches some packet
  std::vector<char> overridden;  // (main targets) a later non-main rule or link address
                                 // shares a cell it keeps
  std::vector<std::map<size_t, Witnessed>> covering;  // item that takes a cell -> a point
  std::vector<Witnessed> router;                      // a kept point of the router services
  bool gave_up = false;                               // max_work reached: facts incomplete
};

// `max`: each dimension's largest value (an item spanning 0..max there is whole in it).
// Beyond `max_work` (events sorted plus rules visited in cells) the walk stops, gave_up.
CellFacts WalkCells(const SpanPool& pool, const std::vector<Item>& items, Family f,
                    const Point& max, size_t max_work);

}  // namespace pbrc::analysis
