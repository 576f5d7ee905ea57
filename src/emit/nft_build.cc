// Builds pbrc's nft table from the IR:
//   prerouting (filter, mangle) and output (route, mangle): restore the connection's mark
//   for established/related packets, classify unmarked NEW packets (first match, marks packet
//   and connection), and classify INVALID/untracked packets statelessly in both directions;
//   postrouting (nat, srcnat) for links that ask for source NAT.
// Only the bits of the mark mask are ever written; constants only (nft 1.0.6 cannot combine
// two registers in one expression).
#include "emit/nft_model.h"
#include "pbrc/syntax.h"

namespace pbrc::nft {
namespace {

class Builder {
 public:
  explicit Builder(const ir::Program& p) : p_(p), mask_(p.opts.mark_mask) {}

  Table Run() {
    Table t;
    t.name = p_.opts.nft_table;
    t.sets = p_.sets;
    t.chains.push_back(Restore());
    t.chains.push_back(Classify());
    t.chains.push_back(Stateless());
    t.chains.push_back(Entry("prerouting", Hook{"filter", "prerouting", "mangle", -150}));
    t.chains.push_back(Entry("output", Hook{"route", "output", "mangle", -150}));
    if (!p_.nat.empty()) t.chains.push_back(Postrouting());
    return t;
  }

 private:
  SetMark Mark(bool ct, uint32_t value) const { return SetMark{ct, ~mask_, value}; }

  Chain Restore() const {
    Chain c{ir::kChainRestore, std::nullopt, {}};
    for (const auto& t : p_.targets) {
      c.rules.push_back(Rule{{MatchMark{true, mask_, t.mark}, Mark(false, t.mark), Return{}},
                             syntax::NftComment("restore " + t.name)});
    }
    return c;
  }

  // The match part of a classification rule, forward or reversed (a reply of the flow).
  std::vector<Stmt> Matches(const ir::Classify& r, bool reverse) const {
    std::vector<Stmt> s;
    const auto& src = reverse ? r.daddr : r.saddr;
    const auto& dst = reverse ? r.saddr : r.daddr;
    if (r.family && !src && !dst) s.push_back(MatchNfproto{*r.family});
    if (src) s.push_back(MatchAddr{*r.family, true, src->negated, src->set, src->elements});
    if (dst) s.push_back(MatchAddr{*r.family, false, dst->negated, dst->set, dst->elements});
    if (!reverse && !r.iif.empty()) s.push_back(MatchIfname{true, r.iif});
    const ir::Target& t = p_.targets[r.target];
    if (reverse && t.kind == ir::TargetKind::kLink) s.push_back(MatchIfname{true, t.device});
    if (!r.protos.empty()) s.push_back(MatchL4proto{r.protos});
    const auto& sp = reverse ? r.dport : r.sport;
    const auto& dp = reverse ? r.sport : r.dport;
    if (sp) s.push_back(MatchPorts{true, sp->negated, sp->ranges});
    if (dp) s.push_back(MatchPorts{false, dp->negated, dp->ranges});
    if (p_.opts.counters) s.push_back(Counter{});
    return s;
  }

  std::string Comment(const ir::Classify& r, const char* what) const {
    if (!p_.opts.comments) return "";
    if (r.inbound) what = "inbound";
    std::string c =
        r.origin + (what[0] ? std::string(" ") + what : "") + " -> " + p_.targets[r.target].name;
    return syntax::NftComment(c);
  }

  Chain Classify() const {
    Chain c{ir::kChainClassify, std::nullopt, {}};
    for (const auto& r : p_.rules) {
      uint32_t mark = p_.targets[r.target].mark;
      Rule rule{Matches(r, false), Comment(r, "")};
      rule.stmts.push_back(Mark(false, mark));
      rule.stmts.push_back(Mark(true, mark));
      rule.stmts.push_back(Return{});
      c.rules.push_back(std::move(rule));
    }
    return c;
  }

  // Packets conntrack cannot help (INVALID, untracked): no connection mark to restore, so
  // match the policy in both directions; a reply matches its flow's rule reversed.
  Chain Stateless() const {
    Chain c{ir::kChainStateless, std::nullopt, {}};
    for (bool reverse : {false, true}) {
      for (const auto& r : p_.rules) {
        if (r.inbound || (reverse && !r.saddr && !r.daddr && r.protos.empty())) continue;
        Rule rule{Matches(r, reverse), Comment(r, reverse ? "reply" : "")};
        rule.stmts.push_back(Mark(false, p_.targets[r.target].mark));
        rule.stmts.push_back(Return{});
        c.rules.push_back(std::move(rule));
      }
    }
    return c;
  }

  Chain Entry(const char* name, Hook hook) const {
    Chain c{name, hook, {}};
    c.rules.push_back(
        Rule{{MatchCtState{{"established", "related"}}, Jump{ir::kChainRestore}}, ""});
    c.rules.push_back(
        Rule{{MatchCtState{{"new"}}, MatchMark{false, mask_, 0}, Jump{ir::kChainClassify}}, ""});
    c.rules.push_back(Rule{{MatchCtState{{"invalid", "untracked"}}, MatchMark{false, mask_, 0},
                            Jump{ir::kChainStateless}},
                           ""});
    return c;
  }

  Chain Postrouting() const {
    Chain c{"postrouting", Hook{"nat", "postrouting", "srcnat", 100}, {}};
    for (const auto& n : p_.nat) {
      Rule r;
      r.stmts.push_back(MatchIfname{false, n.device});
      if (n.kind == ast::NatKind::kMasquerade) {
        r.stmts.push_back(Masquerade{});
      } else {
        r.stmts.push_back(MatchNfproto{*n.family});
        r.stmts.push_back(Snat{*n.family, *n.to});
      }
      c.rules.push_back(std::move(r));
    }
    return c;
  }

  const ir::Program& p_;
  uint32_t mask_;
};

}  // namespace

Table Build(const ir::Program& p) { return Builder(p).Run(); }

// Names nft resolves without /etc/protocols quirks; other protocols stay numeric.
const char* ProtoName(uint8_t proto) {
  switch (proto) {
    case 1:
      return "icmp";
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 132:
      return "sctp";
    default:
      return nullptr;
  }
}

}  // namespace pbrc::nft
