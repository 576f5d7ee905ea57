// The checked policy: names resolved, values validated and evaluated. Produced by sema only
// when it reported no errors; lowering to the IR reads nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "pbrc/address.h"
#include "pbrc/ast.h"
#include "pbrc/policy_types.h"
#include "pbrc/protocols.h"
#include "pbrc/source.h"
#include "pbrc/value_matches.h"

namespace pbrc::model {

using Options = pbrc::Options;

// Normalized addresses of both families. Copies share the interval buffers: every rule that
// uses a set holds the set's one copy.
struct AddrValue {
  IntervalList v4, v6;
  bool Has(Family f) const { return !Of(f).empty(); }
  const IntervalList& Of(Family f) const { return f == Family::kV4 ? v4 : v6; }
};

struct NamedSet {
  std::string name;
  AddrValue value;
  Range range;
};

struct Route {
  Prefix dst;
  std::optional<Addr> via;
  Range range;
};

struct Link {
  std::string name;
  std::string device;
  std::optional<Addr> gw4, gw6;
  std::vector<Addr> addrs;
  std::optional<uint32_t> table, mark;  // explicit values; allocation fills the rest
  std::vector<Route> routes;
  std::optional<ast::NatKind> nat;
  std::optional<ast::RpFilter> rp;
  bool pin_inbound = true;   // new connections arriving on the device keep its mark
  bool bare_device = false;  // created by `via dev X`
  Range range;
};

struct AddrCond {
  bool negated = false;
  std::string set;  // named set, or empty for an inline list
  AddrValue value;
  Range range;
};

using PortRange = pbrc::PortRange;
struct PortCond {
  bool negated = false;
  std::vector<PortRange> ranges;  // sorted, merged
  Range range;
};

using TargetKind = pbrc::TargetKind;
struct Target {
  TargetKind kind = TargetKind::kMain;
  size_t link = 0;     // index in Model::links
  uint32_t table = 0;  // for kTable
};

// Checked conditions, one struct per match kind. kIpRuleExpressible: `ip rule` can express
// the condition (a rule whose conditions all can is also emitted as an `ip rule`).
struct FromCond : AddrCond {
  static constexpr bool kIpRuleExpressible = true;
};
struct ToCond : AddrCond {
  static constexpr bool kIpRuleExpressible = true;
};
struct ProtoCond {
  static constexpr bool kIpRuleExpressible = false;
  std::vector<uint8_t> protos;  // sorted IP protocol numbers, not empty
  Range range;
};
struct SportCond : PortCond {
  static constexpr bool kIpRuleExpressible = false;
};
struct DportCond : PortCond {
  static constexpr bool kIpRuleExpressible = false;
};
struct IifCond {
  static constexpr bool kIpRuleExpressible = true;
  std::string device;
  Range range;
};
struct OifCond {
  static constexpr bool kIpRuleExpressible = true;
  std::string device;
  Range range;
};
// A match of pbrc/value_matches.h: its checked values, sorted, without duplicates.
template <class Def>
struct ValueCond {
  static constexpr bool kIpRuleExpressible = Def::kIpRuleExpressible;
  std::vector<uint64_t> values;
  Range range;
};
using Cond = WithValueMatches<ValueCond, std::variant<FromCond, ToCond, ProtoCond, SportCond,
                                                      DportCond, IifCond, OifCond>>::type;

struct Rule {
  std::vector<Cond> conds;  // at most one of each kind, in the order of Cond's alternatives
  Target target;
  Range range;
};

// The condition of kind T of a rule, or nullptr.
template <class T>
const T* Find(const Rule& r) {
  for (const auto& c : r.conds) {
    if (const T* t = std::get_if<T>(&c)) return t;
  }
  return nullptr;
}

// Whether `ip rule` can express every condition of the rule (each kind says so itself).
inline bool IpRuleExpressible(const Rule& r) {
  for (const auto& c : r.conds) {
    bool ok =
        std::visit([](const auto& k) { return std::decay_t<decltype(k)>::kIpRuleExpressible; }, c);
    if (!ok) return false;
  }
  return true;
}

// Whether a rule can match packets of family `f`: a positive address match only those of
// the families it has entries of, a negated or absent one every family; protocols that
// exist in one family only (icmp and igmp, icmpv6) pin the rule to it.
inline bool CanMatch(const Rule& r, Family f) {
  for (const AddrCond* c : {static_cast<const AddrCond*>(Find<FromCond>(r)),
                            static_cast<const AddrCond*>(Find<ToCond>(r))}) {
    if (c && !c->negated && !c->value.Has(f)) return false;
  }
  const ProtoCond* pc = Find<ProtoCond>(r);
  if (!pc) return true;
  for (uint8_t p : pc->protos) {
    const Protocol* known = ProtocolByNumber(p);
    bool v4_only = known && known->v4_only, v6_only = known && known->v6_only;
    if (f == Family::kV4 ? !v6_only : !v4_only) return true;
  }
  return false;
}

struct Model {
  Options opts;
  std::vector<NamedSet> sets;  // every named set a rule references, by name
  std::vector<Link> links;     // declaration order, then bare devices in first-use order
  std::vector<Rule> rules;     // first-match order
};

}  // namespace pbrc::model
