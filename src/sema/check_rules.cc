// Checks policy rules: one match of each kind, known sets, port lists and protocols, ports
// only with port protocols, `from` and `to` sharing a family, `oif` only with prefixes, and
// targets that name a link, a device, `main` or a table that is not reserved.
#include <algorithm>
#include <map>
#include <optional>
#include <string_view>

#include "check_values.h"
#include "checks.h"
#include "name_chain.h"
#include "pbrc/protocols.h"
#include "pbrc/text.h"

namespace pbrc::sema {
namespace {

bool HasPorts(uint8_t p) { return p == 6 || p == 17 || p == 132 || p == 136; }

// A protocol number written like any number (decimal or 0x hex); values past 255 come back as
// 256 so the caller can say "out of range". nullopt when `text` is not a number.
std::optional<unsigned> ProtoNumber(const std::string& text) {
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  std::string_view digits = std::string_view(text).substr(hex ? 2 : 0);
  const char* allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
  if (digits.empty() || digits.find_first_not_of(allowed) != std::string_view::npos)
    return std::nullopt;
  unsigned v = 0;
  for (char c : digits) {
    unsigned d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = v * (hex ? 16 : 10) + d;
    if (v > 255) return 256;
  }
  return v;
}

// Sorted, overlapping and adjacent ranges joined: a list used twice in another stays small.
std::vector<model::PortRange> Merged(std::vector<model::PortRange> rs) {
  std::sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) {
    return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi);
  });
  std::vector<model::PortRange> merged;
  for (const auto& r : rs) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

class RuleChecker {
 public:
  RuleChecker(const Symbols& syms, SetEvaluator& sets, std::vector<model::Link>& links,
              Diagnostics& diags)
      : syms_(syms), sets_(sets), links_(links), diags_(diags) {}

  std::optional<model::Rule> Check(const ast::Rule& r) {
    model::Rule out;
    out.range = r.range;
    out.conds.reserve(r.matches.size());  // exact: no doubling slack in each of 1M rules
    bool ok = true;
    std::map<size_t, const ast::Match*> seen;  // by kind (variant index)
    for (const auto& m : r.matches) {
      auto [it, fresh] = seen.emplace(m.index(), &m);
      if (!fresh) {
        diags_.Error(Code::kDuplicate, ast::RangeOf(m), "match given twice in one rule")
            .secondary.push_back({ast::RangeOf(*it->second), "first given here"});
        ok = false;
        continue;
      }
      ok = std::visit([&](const auto& c) { return Match(c, r, out); }, m) && ok;
    }
    ok = Target(r.target, out.target) && ok;
    if (!ok) return std::nullopt;
    // Canonical order: the order of model::Cond's alternatives (one of each kind).
    std::sort(out.conds.begin(), out.conds.end(),
              [](const model::Cond& a, const model::Cond& b) { return a.index() < b.index(); });
    ok = Ports(seen, out) && Families(out) && OifRule(seen, out);
    if (!ok) return std::nullopt;
    return out;
  }

 private:
  // One overload per alternative of ast::Match: a new kind does not compile until checked.
  bool Match(const ast::FromMatch& m, const ast::Rule&, model::Rule& out) {
    return Addr<model::FromCond>(m.addr, out);
  }
  bool Match(const ast::ToMatch& m, const ast::Rule&, model::Rule& out) {
    return Addr<model::ToCond>(m.addr, out);
  }
  bool Match(const ast::ProtoMatch& m, const ast::Rule&, model::Rule& out) {
    model::ProtoCond c;
    c.range = m.range;
    if (!Proto(m, c.protos)) return false;
    out.conds.push_back(std::move(c));
    return true;
  }
  bool Match(const ast::SportMatch& m, const ast::Rule&, model::Rule& out) {
    return Ports<model::SportCond>(m.ports, out);
  }
  bool Match(const ast::DportMatch& m, const ast::Rule&, model::Rule& out) {
    return Ports<model::DportCond>(m.ports, out);
  }
  bool Match(const ast::IifMatch& m, const ast::Rule&, model::Rule& out) {
    if (!CheckIfname(m.name, diags_)) return false;
    out.conds.push_back(model::IifCond{m.name.text, m.range});
    return true;
  }
  bool Match(const ast::OifMatch& m, const ast::Rule&, model::Rule& out) {
    if (!CheckIfname(m.name, diags_)) return false;
    out.conds.push_back(model::OifCond{m.name.text, m.range});
    return true;
  }
  // Value matches: each value through its descriptor's check (check_values.h).
  template <class Def>
  bool Match(const ast::ValueMatch<Def>& m, const ast::Rule& rule, model::Rule& out) {
    model::ValueCond<Def> c;
    c.range = m.range;
    bool ok = CheckInRule(Def{}, m, rule, diags_);
    for (const auto& v : m.values) {
      auto value = CheckValue(Def{}, v, diags_);
      ok = value.has_value() && ok;
      if (value) c.values.push_back(*value);
    }
    std::sort(c.values.begin(), c.values.end());
    c.values.erase(std::unique(c.values.begin(), c.values.end()), c.values.end());
    if (ok) out.conds.push_back(std::move(c));
    return ok;
  }

  template <class C>
  bool Addr(const ast::AddrMatch& m, model::Rule& out) {
    std::optional<model::AddrCond> c;
    if (!Addr(m, c)) return false;
    out.conds.push_back(C{std::move(*c)});
    return true;
  }

  template <class C>
  bool Ports(const ast::PortMatch& m, model::Rule& out) {
    std::optional<model::PortCond> c;
    if (!PortList(m, c)) return false;
    out.conds.push_back(C{std::move(*c)});
    return true;
  }

  bool Addr(const ast::AddrMatch& m, std::optional<model::AddrCond>& out) {
    model::AddrCond c;
    c.negated = m.negated;
    c.range = m.range;
    const auto& els = m.body.elements;
    if (els.size() == 1 && std::holds_alternative<ast::SetRef>(els[0])) {
      const auto& ref = std::get<ast::SetRef>(els[0]);
      const model::AddrValue* v = sets_.Named(ref.name.text, ref.name.range);
      if (!v) return false;
      c.set = ref.name.text;
      c.value = *v;
    } else {
      auto v = sets_.Eval(m.body, {});
      if (!v) return false;
      if (v->v4.empty() && v->v6.empty()) {
        diags_.Error(Code::kEmptySet, m.range, "match has no addresses");
        return false;
      }
      c.value = std::move(*v);
    }
    out = std::move(c);
    return true;
  }

  bool Proto(const ast::ProtoMatch& m, std::vector<uint8_t>& out) {
    bool ok = true;
    for (const auto& n : m.protos) {
      if (const Protocol* p = ProtocolByName(n.text)) {
        out.push_back(p->number);
      } else if (auto num = ProtoNumber(n.text)) {
        if (*num > 255) {
          diags_.Error(Code::kOutOfRange, n.range, "proto " + n.text + " is out of range").help =
              "use a value from 0 to 255";
          ok = false;
        } else {
          out.push_back(static_cast<uint8_t>(*num));
        }
      } else {
        std::vector<std::string> names;
        for (const auto& known : Protocols()) names.emplace_back(known.name);
        auto& d =
            diags_.Error(Code::kUnknownProtocol, n.range, "unknown protocol '" + n.text + "'");
        std::string near = ClosestName(n.text, names);
        d.help = near.empty() ? "use a protocol name (tcp, udp, sctp, icmp, ...) or a number 0-255"
                              : "did you mean '" + near + "'?";
        ok = false;
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return ok;
  }

  // A named port list: evaluated once (errors reported once), cycles and too-deep chains
  // caught by the same guard as sets.
  bool PortList(const ast::Name& name, std::vector<model::PortRange>& out) {
    auto def = syms_.ports.find(name.text);
    if (def == syms_.ports.end()) {
      auto& d = diags_.Error(Code::kUnknownName, name.range,
                             "unknown port list '" + Shorten(name.text) + "'");
      std::string near = ClosestName(name.text, syms_.PortNames());
      if (!near.empty())
        d.help = "did you mean '" + near + "'?";
      else
        d.help = "define it with 'ports " + name.text + " = ...;' or import std/services";
      return false;
    }
    auto memo = port_lists_.find(name.text);
    if (memo == port_lists_.end()) {
      if (!port_chain_.Enter(name.text, name.range, diags_)) return false;
      std::vector<model::PortRange> value;
      bool ok = PortItems(def->second->items, value);
      port_chain_.Leave();
      memo = port_lists_.emplace(name.text, std::nullopt).first;
      if (ok) memo->second = Merged(std::move(value));
    }
    if (!memo->second) return false;
    out.insert(out.end(), memo->second->begin(), memo->second->end());
    return true;
  }

  bool PortItems(const std::vector<ast::PortItem>& items, std::vector<model::PortRange>& out) {
    bool ok = true;
    for (const auto& it : items) {
      if (it.name) {
        ok = PortList(*it.name, out) && ok;
        continue;
      }
      auto lo = CheckNumber(*it.lo, 0, 65535, "port", diags_);
      auto hi = it.hi ? CheckNumber(*it.hi, 0, 65535, "port", diags_) : lo;
      if (!lo || !hi) {
        ok = false;
      } else if (*lo > *hi) {
        diags_.Error(Code::kInvalidRange, it.range, "port range starts above its end");
        ok = false;
      } else {
        out.push_back({static_cast<uint16_t>(*lo), static_cast<uint16_t>(*hi)});
      }
    }
    return ok;
  }

  bool PortList(const ast::PortMatch& m, std::optional<model::PortCond>& out) {
    model::PortCond c;
    c.negated = m.negated;
    c.range = m.range;
    if (!PortItems(m.items, c.ranges)) return false;
    c.ranges = Merged(std::move(c.ranges));
    out = std::move(c);
    return true;
  }

  bool Ports(const std::map<size_t, const ast::Match*>& seen, const model::Rule& r) {
    const model::ProtoCond* pc = model::Find<model::ProtoCond>(r);
    for (const auto& [pos, m] : seen) {
      if (!std::holds_alternative<ast::SportMatch>(*m) &&
          !std::holds_alternative<ast::DportMatch>(*m))
        continue;
      bool ok = pc && std::all_of(pc->protos.begin(), pc->protos.end(), HasPorts);
      if (!ok) {
        diags_
            .Error(Code::kPortsNeedProtocol, ast::RangeOf(*m),
                   "port match without a protocol that has ports")
            .help = "add 'proto tcp' (or udp, sctp, or a list like 'proto tcp, udp') to the rule";
        return false;
      }
    }
    return true;
  }

  bool Families(const model::Rule& r) {
    const model::AddrCond* from = model::Find<model::FromCond>(r);
    const model::AddrCond* to = model::Find<model::ToCond>(r);
    if (!from || !to) return true;
    bool v4 = from->value.Has(Family::kV4) && to->value.Has(Family::kV4);
    bool v6 = from->value.Has(Family::kV6) && to->value.Has(Family::kV6);
    if (v4 || v6) return true;
    auto& d = diags_.Error(Code::kFamilyMix, to->range,
                           "IPv4 and IPv6 mixed in one match: this rule can never match");
    d.secondary.push_back({from->range, from->value.Has(Family::kV4) ? "IPv4 only" : "IPv6 only"});
    d.help = "split the rule into one rule per address family";
    return false;
  }

  // oif rules become `ip rule ... oif DEV`: only prefixes can go with them.
  bool OifRule(const std::map<size_t, const ast::Match*>& seen, const model::Rule& r) {
    if (!model::Find<model::OifCond>(r)) return true;
    for (const auto& [pos, m] : seen) {
      const ast::AddrMatch* addr = nullptr;
      const model::AddrCond* c = nullptr;
      if (auto* f = std::get_if<ast::FromMatch>(m))
        addr = &f->addr, c = model::Find<model::FromCond>(r);
      if (auto* t = std::get_if<ast::ToMatch>(m))
        addr = &t->addr, c = model::Find<model::ToCond>(r);
      bool simple_addr =
          addr && !addr->negated && c->value.v4.size() + c->value.v6.size() == 1 &&
          AsPrefix(c->value.v4.empty() ? c->value.v6[0] : c->value.v4[0]).has_value();
      if (std::holds_alternative<ast::OifMatch>(*m) || simple_addr) continue;
      diags_
          .Error(Code::kOifRule, ast::RangeOf(*m),
                 "an oif rule can only also match one prefix per direction")
          .notes.push_back("oif rules become 'ip rule ... oif DEV' for sockets bound to a device");
      return false;
    }
    return true;
  }

  bool Target(const ast::Target& t, model::Target& out) {
    switch (t.kind) {
      case ast::TargetSyntax::kMain:
        out.kind = model::TargetKind::kMain;
        return true;
      case ast::TargetSyntax::kTable:
        return Table(*t.table, out);
      case ast::TargetSyntax::kDevice:
        return Device(t.name, out);
      case ast::TargetSyntax::kName:
        break;
    }
    for (size_t i = 0; i < links_.size(); ++i) {
      if (!links_[i].bare_device && links_[i].name == t.name.text) return SetLink(i, out);
    }
    for (size_t i = 0; i < links_.size(); ++i) {
      if (links_[i].device == t.name.text) return SetLink(i, out);
    }
    std::vector<std::string> names;
    for (const auto& l : links_) {
      names.push_back(l.name);
      names.push_back(l.device);
    }
    auto& d = diags_.Error(Code::kUnknownName, t.name.range,
                           "unknown link or device '" + Shorten(t.name.text) + "'");
    std::string near = ClosestName(t.name.text, names);
    d.help = near.empty()
                 ? "declare a link, or write 'via dev " + Shorten(t.name.text) + "' for a device"
                 : "did you mean '" + near + "'?";
    return false;
  }

  bool SetLink(size_t i, model::Target& out) {
    out.kind = model::TargetKind::kLink;
    out.link = i;
    return true;
  }

  bool Device(const ast::Name& dev, model::Target& out) {
    if (!CheckIfname(dev, diags_)) return false;
    for (size_t i = 0; i < links_.size(); ++i) {
      if (links_[i].device == dev.text) return SetLink(i, out);
    }
    model::Link bare;
    bare.name = dev.text;
    bare.device = dev.text;
    bare.bare_device = true;
    bare.range = dev.range;
    links_.push_back(bare);
    return SetLink(links_.size() - 1, out);
  }

  bool Table(const ast::Number& n, model::Target& out) {
    if (!n.valid) return false;
    if (n.value == 254) {  // a rule has a better fix than a link: say `via main`
      diags_.Error(Code::kTableReserved, n.range, "table 254 is 'main'").help = "write 'via main'";
      return false;
    }
    auto v = CheckTableId(n, diags_);  // the same check as a link's `table`
    if (!v) return false;
    out.kind = model::TargetKind::kTable;
    out.table = static_cast<uint32_t>(*v);
    return true;
  }

  const Symbols& syms_;
  SetEvaluator& sets_;
  std::vector<model::Link>& links_;
  Diagnostics& diags_;
  NameChain port_chain_{"port list"};
  std::map<std::string, std::optional<std::vector<model::PortRange>>> port_lists_;
};

}  // namespace

std::vector<model::Rule> CheckRules(const Symbols& syms, const SourceManager& sm,
                                    SetEvaluator& sets, std::vector<model::Link>& links,
                                    Diagnostics& diags) {
  RuleChecker checker(syms, sets, links, diags);
  size_t count = 0;
  for (const auto* block : syms.policies) count += block->rules.size() + block->deferred.size();
  std::vector<model::Rule> out;
  out.reserve(count);  // no doubling copy of a million rules
  auto check = [&](const ast::Rule& r) {
    if (auto rule = checker.Check(r)) out.push_back(std::move(*rule));
  };
  for (const auto* block : syms.policies) {
    for (const auto& r : block->rules) check(r);
    for (const auto& where : block->deferred) check(ParseDeferredRule(sm, where));
  }
  return out;
}

}  // namespace pbrc::sema
