// A rule's conditions as key spans, and box arithmetic, for the region compiler.
#include "region_keys.h"

#include <algorithm>
#include <stdexcept>
#include <type_traits>

namespace pbrc::ir::regions {
namespace {

U128 FieldMax(KeyField k, Family f) {
  switch (k) {
    case kKeySaddr:
    case kKeyDaddr:
      return f == Family::kV4 ? U128(0xffffffff) : ~U128(0);
    case kKeyProto:
      return 255;
    default:
      return 65535;
  }
}

// Sorted, merged (overlapping and adjacent spans joined).
Spans Normalized(Spans in) {
  std::sort(in.begin(), in.end(), [](const Span& a, const Span& b) { return a.lo < b.lo; });
  Spans out;
  for (const Span& s : in) {
    if (!out.empty() && out.back().hi != ~U128(0) && s.lo <= out.back().hi + 1) {
      out.back().hi = std::max(out.back().hi, s.hi);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

Spans Complement(const Spans& in, U128 max) {
  Spans out;
  U128 next = 0;
  bool open = true;  // `next` is still inside the field
  for (const Span& s : in) {
    if (s.lo > next) out.push_back({next, s.lo - 1});
    if (s.hi == max) {
      open = false;
      break;
    }
    next = s.hi + 1;
  }
  if (open) out.push_back({next, max});
  return out;
}

const IntervalList& AddrElements(const Program& p, const AddrMatch& m) {
  if (m.set.empty()) return m.elements;
  auto it = std::lower_bound(p.sets.begin(), p.sets.end(), m.set,
                             [](const Set& s, const std::string& n) { return s.name < n; });
  if (it == p.sets.end() || it->name != m.set) throw std::logic_error("unknown set " + m.set);
  return it->elements;
}

// One overload per condition kind: a field's spans, or why the kind is not keyed.
struct ReadCond {
  const Program& p;
  Family family;
  Direction dir;
  KeyedRule& out;
  std::string& why;

  void Field(KeyField k, Spans s, bool negated) {
    s = Normalized(std::move(s));
    out.fields[k] = negated ? Complement(s, FieldMax(k, family)) : std::move(s);
  }
  void Addr(KeyField k, const AddrMatch& m) {
    const IntervalList& elements = AddrElements(p, m);
    // The lists are normalized (sorted, disjoint, not adjacent), so the field keeps its count,
    // one more when negated: a list beyond a map's bound is not copied (a million-prefix set
    // would otherwise be copied and sorted for a rule that stays linear). The rule is then
    // oversized, which Boxes() reports unless another field is empty, as the count would.
    if (elements.size() > kMaxMapRegions + 1) {
      out.oversized = true;
      return;
    }
    Spans s;
    s.reserve(elements.size());
    for (const Interval& iv : elements) s.push_back({iv.lo, iv.hi});
    Field(k, std::move(s), m.negated);
  }
  void Ports(const PortMatch& m) {
    Spans s;
    for (const PortRange& r : m.ranges) s.push_back({r.lo, r.hi});
    Field(kKeyPort, std::move(s), m.negated);
    out.port = true;
  }
  void operator()(const SaddrMatch& m) { Addr(kKeySaddr, m); }
  void operator()(const DaddrMatch& m) { Addr(kKeyDaddr, m); }
  // Not a key field: the segment's lookups are split per input device (regions.cc).
  void operator()(const IifMatch& m) { out.device = m.device; }
  void operator()(const ProtoMatch& m) {
    Spans s;
    for (uint8_t x : m.protos) s.push_back({x, x});
    Field(kKeyProto, std::move(s), false);
    out.proto = true;
  }
  // Forward maps key on the destination port, reversed ones on the source port (a reply's
  // source port is the flow's destination port).
  void operator()(const SportMatch& m) {
    if (dir == Direction::kReply) return Ports(m);
    why = "'sport' is not keyed (maps key on the destination port)";
  }
  void operator()(const DportMatch& m) {
    if (dir == Direction::kForward) return Ports(m);
    why = "'sport' is not keyed (maps key on the destination port)";
  }
  template <class Def>
  void operator()(const ValueMatch<Def>&) {
    why = "'" + std::string(Def::kKeyword) + "' is not keyed";
  }
};

}  // namespace

std::string TooManyRegions() {
  return "needs more than " + std::to_string(kMaxMapRegions) + " regions";
}

size_t KeyedRule::Boxes() const {
  size_t n = 1;
  for (const Spans& s : fields) {
    if (s.empty()) return 0;
    n = n > kMaxRegions ? n : n * s.size();
  }
  return oversized ? std::max(n, kMaxMapRegions + 1) : n;
}

std::optional<KeyedRule> Keyed(const Program& p, const Classify& r, Direction d, Family f,
                               std::string* why) {
  if (r.family && *r.family != f) return std::nullopt;
  if (Inert(p, r, d)) {
    *why = "no reversed form";
    return std::nullopt;
  }
  KeyedRule out;
  for (int k = 0; k < kKeyFields; ++k) {
    out.fields[k] = {{0, FieldMax(static_cast<KeyField>(k), f)}};
  }
  std::vector<Cond> reversed;
  const std::vector<Cond>* conds = &r.conds;
  if (d == Direction::kReply) {
    Reply rep = Reversed(r);
    // A reversed rule that cannot see all its conditions (`iif`, `dscp`, `mac`) marks the
    // replies arriving on its link's device and is skipped by all others (it never ends the
    // walk): exactly the decidable rule with `iif` that device.
    if (!rep.decidable) out.device = p.targets[r.target].device;
    reversed = std::move(rep.conds);
    conds = &reversed;
  }
  ReadCond read{p, f, d, out, *why};
  for (const Cond& c : *conds) {
    std::visit(read, c);
    if (!why->empty()) return std::nullopt;
  }
  return out;
}

bool Inert(const Program& p, const Classify& r, Direction d) {
  if (d == Direction::kForward) return false;
  return r.inbound || (p.targets[r.target].kind != TargetKind::kLink && !Reversed(r).decidable);
}

std::vector<Box> BoxesOf(const KeyedRule& k) {
  std::vector<Box> out;
  if (k.Boxes() == 0) return out;
  if (k.oversized) throw std::logic_error("boxes of a rule too big for a map");
  std::array<size_t, kKeyFields> at{};
  while (true) {
    Box b;
    for (int f = 0; f < kKeyFields; ++f) b[f] = k.fields[f][at[f]];
    out.push_back(b);
    int f = kKeyFields - 1;
    while (f >= 0 && ++at[f] == k.fields[f].size()) at[f--] = 0;
    if (f < 0) return out;
  }
}

bool Overlap(const Box& a, const Box& b) {
  for (int f = 0; f < kKeyFields; ++f) {
    if (a[f].hi < b[f].lo || b[f].hi < a[f].lo) return false;
  }
  return true;
}

bool Contains(const Box& b, const Box& point) {
  for (int f = 0; f < kKeyFields; ++f) {
    if (point[f].lo < b[f].lo || point[f].hi > b[f].hi) return false;
  }
  return true;
}

void Minus(const Box& a, const Box& b, std::vector<Box>& out) {
  if (!Overlap(a, b)) {
    out.push_back(a);
    return;
  }
  Box rest = a;
  for (int f = 0; f < kKeyFields; ++f) {
    if (rest[f].lo < b[f].lo) {
      Box piece = rest;
      piece[f].hi = b[f].lo - 1;
      out.push_back(piece);
      rest[f].lo = b[f].lo;
    }
    if (rest[f].hi > b[f].hi) {
      Box piece = rest;
      piece[f].lo = b[f].hi + 1;
      out.push_back(piece);
      rest[f].hi = b[f].hi;
    }
  }
}

}  // namespace pbrc::ir::regions
