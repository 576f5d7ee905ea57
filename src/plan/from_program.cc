// IR -> comparable objects. Identity: set by name and family, classification rule by rule id,
// family and chain (implicit inbound rules by device), ip rule by family, preference and
// selector, route by family, table and destination, NAT by device and family, sysctl by key.
// Everything else is the object's attrs: a change there is a `~`, not a remove and an add.
#include <algorithm>
#include <map>
#include <sstream>

#include "ir_access.h"
#include "pbrc/plan.h"
#include "pbrc/text.h"

namespace pbrc::plan {
namespace {

const char* Fam(Family f) { return f == Family::kV4 ? "ip" : "ip6"; }

std::string AddrText(const ir::AddrMatch& m) {
  std::string out = m.negated ? "!" : "";
  if (!m.set.empty()) return out + "@" + m.set;
  const auto& els = ElementsOf(m);
  out += "{";
  for (size_t i = 0; i < els.size(); ++i) out += (i ? " " : "") + FormatInterval(els[i]);
  return out + "}";
}

// `key value ` of each condition; one overload per alternative of ir::Cond.
struct CondText {
  std::string operator()(const ir::SaddrMatch& m) const { return "saddr " + AddrText(m) + " "; }
  std::string operator()(const ir::DaddrMatch& m) const { return "daddr " + AddrText(m) + " "; }
  std::string operator()(const ir::IifMatch& m) const { return "iif " + m.device + " "; }
  std::string operator()(const ir::ProtoMatch& m) const {
    std::string out = "proto ";
    for (size_t i = 0; i < m.protos.size(); ++i)
      out += (i ? "," : "") + std::to_string(m.protos[i]);
    return out + " ";
  }
  std::string operator()(const ir::SportMatch& m) const {
    return "sport " + ir::PortMatchText(m) + " ";
  }
  std::string operator()(const ir::DportMatch& m) const {
    return "dport " + ir::PortMatchText(m) + " ";
  }
  template <class Def>
  std::string operator()(const ir::ValueMatch<Def>& m) const {
    std::string out = std::string(Def::kKeyword) + " ";
    for (size_t i = 0; i < m.values.size(); ++i) out += (i ? "," : "") + Def::Text(m.values[i]);
    return out + " ";
  }
};

std::string RuleAttrs(const ir::Program& p, const ir::Classify& r) {
  std::ostringstream os;
  for (const auto& c : r.conds) os << std::visit(CondText{}, c);
  const ir::Target& t = TargetOf(p, r.target);
  os << "-> " << t.name << " mark " << Hex(t.mark);
  return os.str();
}

void AddRules(const ir::Program& p, State& s) {
  for (const auto& r : p.rules) {
    std::string fam = r.family ? Fam(*r.family) : "any";
    // Implicit inbound rules have no rule id; the device names them (one per link).
    const ir::IifMatch* iif = ir::Find<ir::IifMatch>(r);
    std::string id = r.rule ? "rule " + std::to_string(*r.rule) : "inbound " + iif->device;
    s.objects.push_back(
        {Kind::kRule, id + " " + fam + " " + ir::kChainClassify, RuleAttrs(p, r), r.origin, {}});
  }
}

std::string Selector(const ir::Program& p, const ir::IpRule& r) {
  std::string out = ir::SelectorText(r, p.opts.mark_mask);
  if (r.kind == ir::IpRuleKind::kSuppressMain) out += " suppress_prefixlength 0";
  return out.empty() ? " all" : out;
}

void AddIpRules(const ir::Program& p, State& s) {
  for (const auto& r : p.ip_rules) {
    std::string key =
        std::string(Fam(r.family)) + " pref " + std::to_string(r.pref) + Selector(p, r);
    s.objects.push_back(
        {Kind::kIpRule,
         key,
         "lookup " + std::to_string(r.table) + " protocol " + std::to_string(p.opts.protocol),
         r.origin,
         {}});
  }
}

void AddRoutes(const ir::Program& p, State& s) {
  for (const auto& r : p.routes) {
    std::string key = std::string(Fam(r.family)) + " table " + std::to_string(r.table) + " " +
                      (r.dst ? FormatPrefix(*r.dst) : "default");
    std::string attrs = r.via ? "via " + FormatAddr(*r.via) + " " : "";
    attrs += "dev " + r.device + " proto " + std::to_string(p.opts.protocol);
    s.objects.push_back({Kind::kRoute, key, attrs, r.origin, {}});
  }
}

void AddRest(const ir::Program& p, State& s) {
  const auto& o = p.opts;
  s.objects.push_back({Kind::kTable,
                       "inet " + o.nft_table,
                       "mask " + Hex(o.mark_mask) + (o.counters ? " counters" : ""),
                       "",
                       {}});
  for (const auto& set : p.sets) {
    s.objects.push_back(
        {Kind::kSet, set.name + " " + Fam(set.family), "", "", SharedElementsOf(set)});
  }
  for (const auto& n : p.nat) {
    std::string key = "oifname " + n.device + (n.family ? std::string(" ") + Fam(*n.family) : "");
    std::string attrs =
        n.kind == NatKind::kMasquerade ? "masquerade" : "snat to " + FormatAddr(*n.to);
    s.objects.push_back({Kind::kNat, key, attrs, "", {}});
  }
  for (const auto& c : p.sysctls) s.objects.push_back({Kind::kSysctl, c.key, c.value, "", {}});
}

}  // namespace

State FromProgram(const ir::Program& p) {
  State s;
  AddRest(p, s);
  AddRules(p, s);
  AddIpRules(p, s);
  AddRoutes(p, s);
  SortState(s);
  return s;
}

}  // namespace pbrc::plan
