// Lowers the checked model to the IR: targets, nft sets, classification rules per family,
// ip rules (without preferences), routes per link table, NAT and sysctls.
#include "pbrc/lower.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>

#include "pbrc/ir.h"
#include "pbrc/syntax.h"

namespace pbrc::ir {
namespace {

Origin OriginOf(const Range& r, const SourceManager& sm) {
  // File names are hostile text: escaped once here, so no artifact or IR line can be split.
  std::string name = std::filesystem::path(sm.Get(r.begin.file).name).filename().string();
  return syntax::CommentLine(name) + ":" + std::to_string(r.begin.line);
}

// Families a condition can match: a positive one only those it has elements of.
std::set<Family> FamiliesOf(const model::AddrCond* c) {
  if (!c || c->negated) return {Family::kV4, Family::kV6};
  std::set<Family> out;
  if (c->value.Has(Family::kV4)) out.insert(Family::kV4);
  if (c->value.Has(Family::kV6)) out.insert(Family::kV6);
  return out;
}

std::optional<Prefix> SinglePrefix(const model::AddrCond* c, Family f) {
  if (!c || c->negated) return std::nullopt;
  const auto& v = c->value.Of(f);
  if (v.size() != 1 || c->value.Of(f == Family::kV4 ? Family::kV6 : Family::kV4).size() != 0) {
    return std::nullopt;
  }
  return AsPrefix(v[0]);
}

const model::AddrCond* FromOf(const model::Rule& r) { return model::Find<model::FromCond>(r); }
const model::AddrCond* ToOf(const model::Rule& r) { return model::Find<model::ToCond>(r); }

// Whether nft names the condition per family, so a rule without addresses is split.
template <class T>
constexpr bool kNeedsFamily = false;
template <class Def>
constexpr bool kNeedsFamily<model::ValueCond<Def>> = Def::kNeedsFamily;

bool NeedsFamily(const model::Rule& r) {
  for (const auto& c : r.conds) {
    if (std::visit([](const auto& k) { return kNeedsFamily<std::decay_t<decltype(k)>>; }, c))
      return true;
  }
  return false;
}

// A value match that `ip rule` could express would need its selector in SelectorRule.
template <class... Defs>
constexpr bool NoneIpRuleExpressible(DefList<Defs...>) {
  return (!Defs::kIpRuleExpressible && ...);
}
static_assert(NoneIpRuleExpressible(ValueMatchDefs{}), "give SelectorRule its ip rule selector");

class Lowering {
 public:
  Lowering(const model::Model& m, const SourceManager& sm) : m_(m), sm_(sm) {}

  Program Run(const std::string& policy_name) {
    p_.policy_name = policy_name;
    p_.opts = m_.opts;
    p_.uses_v6 = UsesV6();
    Targets();
    Sets();
    p_.rules.reserve(m_.rules.size() + m_.links.size());  // one family each, mostly
    for (RuleId id = 0; id < m_.rules.size(); ++id) {
      if (!model::Find<model::OifCond>(m_.rules[id])) ClassifyRule(m_.rules[id], id);
    }
    InboundRules();
    IpRules();
    Routes();
    NatAndSysctls();
    return std::move(p_);
  }

 private:
  bool UsesV6() const {
    for (const auto& l : m_.links) {
      if (l.gw6) return true;
      for (const auto& a : l.addrs)
        if (a.family == Family::kV6) return true;
      for (const auto& r : l.routes)
        if (r.dst.addr.family == Family::kV6) return true;
    }
    for (const auto& r : m_.rules) {
      for (const model::AddrCond* c : {FromOf(r), ToOf(r)}) {
        if (c && c->value.Has(Family::kV6)) return true;
      }
      // A link without gateway routes both families (`default dev DEV`): IPv6 packets the
      // rule steers to it need its IPv6 route and fwmark rule.
      if (r.target.kind != model::TargetKind::kLink) continue;
      const model::Link& l = m_.links[r.target.link];
      if (!l.gw4 && !l.gw6 && model::CanMatch(r, Family::kV6)) return true;
    }
    return false;
  }

  void Targets() {
    for (const auto& l : m_.links) {
      Target t;
      t.kind = TargetKind::kLink;
      t.name = l.name;
      t.device = l.device;
      t.mark = l.mark.value_or(0);
      t.mark_explicit = l.mark.has_value();
      t.table = l.table.value_or(0);
      t.table_explicit = l.table.has_value();
      t.range = l.range;
      p_.targets.push_back(t);
    }
    std::set<uint32_t> tables;
    bool main = false;
    for (const auto& r : m_.rules) {
      if (r.target.kind == model::TargetKind::kTable) tables.insert(r.target.table);
      if (r.target.kind == model::TargetKind::kMain) main = true;
    }
    for (uint32_t id : tables) {
      Target t;
      t.kind = TargetKind::kTable;
      t.name = "table " + std::to_string(id);
      t.table = id;
      t.table_explicit = true;
      table_target_[id] = p_.targets.size();
      p_.targets.push_back(t);
    }
    if (main) {
      Target t;
      t.kind = TargetKind::kMain;
      t.name = "main";
      t.table = kMainTable;
      t.table_explicit = true;
      main_target_ = p_.targets.size();
      p_.targets.push_back(t);
    }
  }

  size_t TargetIndex(const model::Target& t) const {
    switch (t.kind) {
      case model::TargetKind::kLink:
        return t.link;
      case model::TargetKind::kTable:
        return table_target_.at(t.table);
      case model::TargetKind::kMain:
        return main_target_;
    }
    return 0;
  }

  void Sets() {
    std::set<std::string> taken;
    for (const auto& s : m_.sets) {  // sorted by name
      std::string base = syntax::NftSetStem(s.name);
      std::string name = base;
      for (int i = 2; taken.count(name + "_v4"); ++i) name = base + "_" + std::to_string(i);
      taken.insert(name + "_v4");
      set_names_[s.name] = name;
      for (Family f : {Family::kV4, Family::kV6}) {
        if (!s.value.Has(f)) continue;
        p_.sets.push_back(Set{name + (f == Family::kV4 ? "_v4" : "_v6"), s.name, f, s.value.Of(f)});
      }
    }
    std::sort(p_.sets.begin(), p_.sets.end(),
              [](const Set& a, const Set& b) { return a.name < b.name; });
  }

  std::optional<AddrMatch> Match(const model::AddrCond* c, Family f) const {
    if (!c) return std::nullopt;
    if (!c->value.Has(f)) return std::nullopt;  // negated and empty in f: always true
    AddrMatch m;
    m.negated = c->negated;
    if (!c->set.empty()) {
      m.set = set_names_.at(c->set) + (f == Family::kV4 ? "_v4" : "_v6");
    } else {
      m.elements = c->value.Of(f);
    }
    return m;
  }

  // A model condition as IR conditions of family `f` (addresses) or of both (the rest); one
  // overload per alternative of model::Cond.
  struct CondLowering {
    const Lowering& l;
    Family f;
    std::vector<Cond>& out;
    void operator()(const model::FromCond& c) const {
      if (auto m = l.Match(&c, f)) out.push_back(SaddrMatch{std::move(*m)});
    }
    void operator()(const model::ToCond& c) const {
      if (auto m = l.Match(&c, f)) out.push_back(DaddrMatch{std::move(*m)});
    }
    void operator()(const model::ProtoCond& c) const { out.push_back(ProtoMatch{c.protos}); }
    void operator()(const model::SportCond& c) const {
      out.push_back(SportMatch{{c.negated, c.ranges}});
    }
    void operator()(const model::DportCond& c) const {
      out.push_back(DportMatch{{c.negated, c.ranges}});
    }
    void operator()(const model::IifCond& c) const { out.push_back(IifMatch{c.device}); }
    void operator()(const model::OifCond&) const {}  // oif rules are ip rules only
    template <class Def>
    void operator()(const model::ValueCond<Def>& c) const {
      out.push_back(ValueMatch<Def>{c.values});
    }
  };

  std::vector<Cond> Conds(const model::Rule& r, Family f) const {
    std::vector<Cond> out;
    out.reserve(r.conds.size());
    for (const auto& c : r.conds) std::visit(CondLowering{*this, f, out}, c);
    std::sort(out.begin(), out.end(),
              [](const Cond& a, const Cond& b) { return a.index() < b.index(); });
    return out;
  }

  void ClassifyRule(const model::Rule& r, RuleId id) {
    Classify base;
    base.rule = id;
    base.target = TargetIndex(r.target);
    base.origin = OriginOf(r.range, sm_);
    base.range = r.range;
    const model::AddrCond *from = FromOf(r), *to = ToOf(r);
    if (!from && !to && !NeedsFamily(r)) {
      base.conds = Conds(r, Family::kV4);  // no address: the family is not read
      p_.rules.push_back(std::move(base));
      return;
    }
    std::set<Family> fams = FamiliesOf(from);
    std::set<Family> to_fams = FamiliesOf(to);
    for (Family f : {Family::kV4, Family::kV6}) {
      if (!fams.count(f) || !to_fams.count(f)) continue;
      if (f == Family::kV6 && !p_.uses_v6) continue;
      Classify& c = p_.rules.emplace_back(base);
      c.family = f;
      c.conds = Conds(r, f);
    }
  }

  // Connections that arrive on a link's device keep that link: for each pinned device, the
  // rules naming it with `iif` (policy order), then its pin; then every other rule. The moved
  // rules match only that device's packets, so first match holds for them, and no rule
  // without that `iif` can take a connection that arrived on a pinned device.
  // In place: at a million rules a second list of them would double the IR's peak.
  void InboundRules() {
    std::vector<Classify> head;  // the pinned devices' `iif` rules and pins, in order
    std::vector<bool> moved(p_.rules.size());
    for (size_t i = 0; i < m_.links.size(); ++i) {
      const model::Link& l = m_.links[i];
      if (!l.pin_inbound) continue;
      for (size_t k = 0; k < p_.rules.size(); ++k) {
        const IifMatch* iif = Find<IifMatch>(p_.rules[k]);
        if (moved[k] || !iif || iif->device != l.device) continue;
        head.push_back(std::move(p_.rules[k]));
        moved[k] = true;
      }
      Classify c;
      c.conds.push_back(IifMatch{l.device});
      c.target = i;
      c.origin = OriginOf(l.range, sm_);
      c.range = l.range;
      c.inbound = true;
      head.push_back(std::move(c));
    }
    size_t kept = 0;
    for (size_t k = 0; k < p_.rules.size(); ++k) {
      if (moved[k]) continue;
      if (kept != k) p_.rules[kept] = std::move(p_.rules[k]);
      ++kept;
    }
    p_.rules.resize(kept);
    p_.rules.insert(p_.rules.begin(), std::make_move_iterator(head.begin()),
                    std::make_move_iterator(head.end()));
  }

  std::vector<Family> Families() const {
    if (p_.uses_v6) return {Family::kV4, Family::kV6};
    return {Family::kV4};
  }

  void IpRules() {
    // 1. oif rules (bound sockets), policy order.
    for (RuleId id = 0; id < m_.rules.size(); ++id) {
      if (model::Find<model::OifCond>(m_.rules[id]))
        SelectorRule(m_.rules[id], id, IpRuleKind::kOif);
    }
    // 2. main without its default route, so specific routes (LAN, connected) win.
    for (Family f : Families()) {
      IpRule s;
      s.kind = IpRuleKind::kSuppressMain;
      s.family = f;
      s.table = kMainTable;
      p_.ip_rules.push_back(s);
    }
    // 3. one fwmark rule per target and family.
    for (Family f : Families()) {
      for (size_t t = 0; t < p_.targets.size(); ++t) {
        IpRule s;
        s.kind = IpRuleKind::kFwmark;
        s.family = f;
        s.target = t;
        p_.ip_rules.push_back(s);
      }
    }
    // 4. rules ip rule can express, for the route lookup before nft sees the packet. Each
    // condition kind says whether it can (kIpRuleExpressible): none is left out by omission.
    // Only those that can change that lookup's outcome (ChoosesRouterSource): every selector
    // rule is walked by every unmarked route lookup, per packet.
    for (RuleId id = 0; id < m_.rules.size(); ++id) {
      const model::Rule& r = m_.rules[id];
      if (!model::Find<model::OifCond>(r) && model::IpRuleExpressible(r) &&
          ChoosesRouterSource(r)) {
        SelectorRule(r, id, IpRuleKind::kSelector);
      }
    }
    // 5. each link's own addresses route by the link's table (sockets bound to them, and
    // answers the router gives from them).
    for (size_t i = 0; i < m_.links.size(); ++i) {
      for (const auto& a : m_.links[i].addrs) {
        if (a.family == Family::kV6 && !p_.uses_v6) continue;
        IpRule s;
        s.kind = IpRuleKind::kLinkAddress;
        s.family = a.family;
        s.from = Prefix{a, Bits(a.family)};
        s.target = i;
        s.origin = OriginOf(m_.links[i].range, sm_);
        p_.ip_rules.push_back(s);
      }
    }
  }

  // Whether a selector rule for `r` can decide anything nft does not. Forwarded packets are
  // marked in prerouting before their route lookup, so the fwmark rules take them first.
  // What is left is the router's own first lookup: unmarked, input device `lo`, and for an
  // unbound socket source 0.0.0.0 or ::, so `from` never matches it, and when the source is
  // bound the rule's mark reroutes the packet in the output chain anyway. A `to` (or an
  // `iif lo`) rule picks the uplink, and so the source address, before nft runs.
  static bool ChoosesRouterSource(const model::Rule& r) {
    const model::IifCond* iif = model::Find<model::IifCond>(r);
    if (FromOf(r) || (iif && iif->device != "lo")) return false;
    return ToOf(r) || iif;
  }

  void SelectorRule(const model::Rule& r, RuleId id, IpRuleKind kind) {
    const model::AddrCond *from = FromOf(r), *to = ToOf(r);
    const model::IifCond* iif = model::Find<model::IifCond>(r);
    const model::OifCond* oif = model::Find<model::OifCond>(r);
    if (kind == IpRuleKind::kSelector && !from && !to && !iif) return;
    for (Family f : Families()) {
      if (from && !from->value.Has(f)) continue;
      if (to && !to->value.Has(f)) continue;
      IpRule s;
      s.kind = kind;
      s.family = f;
      if (from) {
        s.from = SinglePrefix(from, f);
        if (!s.from) return;
      }
      if (to) {
        s.to = SinglePrefix(to, f);
        if (!s.to) return;
      }
      if (iif) s.iif = iif->device;
      if (oif) s.oif = oif->device;
      s.target = TargetIndex(r.target);
      s.rule = id;
      s.origin = OriginOf(r.range, sm_);
      p_.ip_rules.push_back(s);
    }
  }

  void Routes() {
    for (size_t i = 0; i < m_.links.size(); ++i) {
      const model::Link& l = m_.links[i];
      Origin o = OriginOf(l.range, sm_);
      bool no_gw = !l.gw4 && !l.gw6;
      for (Family f : Families()) {
        const auto& gw = f == Family::kV4 ? l.gw4 : l.gw6;
        if (gw || no_gw) p_.routes.push_back(Route{f, i, 0, std::nullopt, gw, l.device, o});
      }
      for (const auto& r : l.routes) {
        p_.routes.push_back(
            Route{r.dst.addr.family, i, 0, r.dst, r.via, l.device, OriginOf(r.range, sm_)});
      }
    }
  }

  void NatAndSysctls() {
    p_.sysctls.push_back({"net.ipv4.ip_forward", "1", "route between LAN and uplinks"});
    if (p_.uses_v6) p_.sysctls.push_back({"net.ipv6.conf.all.forwarding", "1", "route IPv6"});
    for (const auto& l : m_.links) {
      std::string base = l.device.find('.') == std::string::npos
                             ? "net.ipv4.conf." + l.device + "."
                             : "net/ipv4/conf/" + l.device + "/";
      if (l.rp) {
        const char* v = *l.rp == ast::RpFilter::kStrict  ? "1"
                        : *l.rp == ast::RpFilter::kLoose ? "2"
                                                         : "0";
        p_.sysctls.push_back(
            {base + "rp_filter", v, "reverse path filter asked for by link '" + l.name + "'"});
      }
      p_.sysctls.push_back({base + "src_valid_mark", "1",
                            "reverse path checks use the packet mark, so strict rp_filter "
                            "accepts replies of steered flows on '" +
                                l.device + "'"});
      if (!l.nat) continue;
      if (*l.nat == ast::NatKind::kMasquerade) {
        p_.nat.push_back(Nat{l.device, ast::NatKind::kMasquerade, std::nullopt, std::nullopt});
        continue;
      }
      for (Family f : {Family::kV4, Family::kV6}) {
        for (const auto& a : l.addrs) {
          if (a.family == f) {
            p_.nat.push_back(Nat{l.device, ast::NatKind::kSnat, f, a});
            break;
          }
        }
      }
    }
  }

  const model::Model& m_;
  const SourceManager& sm_;
  Program p_;
  std::map<uint32_t, size_t> table_target_;
  size_t main_target_ = 0;
  std::map<std::string, std::string> set_names_;
};

}  // namespace

Program Lower(const model::Model& m, const SourceManager& sm, const std::string& policy_name) {
  return Lowering(m, sm).Run(policy_name);
}

}  // namespace pbrc::ir
