// W0801: a rule steers packets of a family its link cannot route. The packets still get the
// link's mark, find no route of their family in the link's table, and fall through to the
// rules after pbrc's (normally main): the policy silently does not apply to them.
//
// A link without any gateway routes both families (`default dev DEVICE`); a gateway, or a
// `route` to the family's default, routes its family. Otherwise the link's `route`s of the
// family must cover every destination the rule can match. `via main` and `via table N` never
// warn: main is the fallback anyway, and pbrc does not know what a foreign table holds. Nor
// do `oif` rules: their sockets are bound to the device and cannot leave by another one.
#include "checks.h"

namespace pbrc::sema {
namespace {

bool HasDefault(const model::Link& l, Family f) {
  if (!l.gw4 && !l.gw6) return true;
  if (f == Family::kV4 ? l.gw4.has_value() : l.gw6.has_value()) return true;
  for (const auto& r : l.routes) {
    if (r.dst.addr.family == f && r.dst.len == 0) return true;
  }
  return false;
}

// The destinations of family `f` the rule can match that none of the link's routes covers.
std::vector<Interval> Uncovered(const model::Rule& rule, const model::Link& l, Family f) {
  std::vector<Interval> dst = {Interval{f, 0, f == Family::kV4 ? U128(0xffffffff) : ~U128(0)}};
  if (const model::ToCond* to = model::Find<model::ToCond>(rule)) {
    dst = to->negated ? Subtract(dst, to->value.Of(f).vec()) : to->value.Of(f).vec();
  }
  std::vector<Interval> routes;
  for (const auto& r : l.routes) {
    if (r.dst.addr.family == f) routes.push_back(ToInterval(r.dst));
  }
  return Subtract(dst, Normalize(routes));
}

void Warn(const model::Rule& rule, const model::Link& l, Family f, bool partial,
          Diagnostics& diags) {
  Family other = f == Family::kV4 ? Family::kV6 : Family::kV4;
  std::string fam = FamilyName(f);
  std::string msg = partial ? "link '" + l.name + "' routes only part of the " + fam +
                                  " destinations this rule matches; the rest falls through to "
                                  "the main table"
                            : "link '" + l.name + "' has no " + fam + " route; " + fam +
                                  " packets this rule matches fall through to the main table";
  auto& d = diags.Warning(Code::kNoRoute, rule.range, msg);
  d.secondary.push_back({l.range, "no " + fam + " gateway here"});
  d.help = "give link '" + l.name + "' an " + fam + " 'gateway ADDR;' (or 'route " +
           (f == Family::kV4 ? "0.0.0.0/0" : "::/0") + ";' for a device route)";
  if (model::CanMatch(rule, other)) {
    *d.help += std::string(", or limit the rule to ") + FamilyName(other) +
               " addresses, e.g. 'to " + (f == Family::kV4 ? "::/0" : "0.0.0.0/0") + "'";
  }
}

}  // namespace

void WarnNoRoute(const std::vector<model::Link>& links, const std::vector<model::Rule>& rules,
                 Diagnostics& diags) {
  for (const auto& r : rules) {
    if (r.target.kind != model::TargetKind::kLink || r.target.link >= links.size()) continue;
    if (model::Find<model::OifCond>(r)) continue;
    const model::Link& l = links[r.target.link];
    for (Family f : {Family::kV4, Family::kV6}) {
      if (!model::CanMatch(r, f) || HasDefault(l, f)) continue;
      bool has_routes = false;
      for (const auto& route : l.routes) has_routes |= route.dst.addr.family == f;
      if (!Uncovered(r, l, f).empty()) Warn(r, l, f, has_routes, diags);
    }
  }
}

}  // namespace pbrc::sema
