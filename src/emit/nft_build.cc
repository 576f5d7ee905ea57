// Builds pbrc's nft table from the IR:
//   prerouting (filter, mangle) and output (route, mangle): restore the connection's mark
//   for established/related packets, classify unmarked NEW packets (first match, marks packet
//   and connection), and classify INVALID/untracked packets statelessly: as a reply of a
//   steered flow when the reversed rules say so, else as a new connection would be;
//   postrouting (nat, srcnat) for links that ask for source NAT.
// Only the bits of the mark mask are ever written; constants only (nft 1.0.6 cannot combine
// two registers in one expression).
#include <algorithm>

#include "nft_model.h"
#include "pbrc/protocols.h"
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
    t.chains.push_back(Classify(ir::kChainClassify, true));
    t.chains.push_back(StatelessReply());
    t.chains.push_back(Classify(ir::kChainStatelessForward, false));
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

  // nft statements for IR conditions; one overload per alternative of ir::Cond.
  struct CondStmts {
    std::optional<Family> family;
    std::vector<Stmt>& out;
    void operator()(const ir::SaddrMatch& m) const { Addr(m, true); }
    void operator()(const ir::DaddrMatch& m) const { Addr(m, false); }
    void operator()(const ir::IifMatch& m) const { out.push_back(MatchIfname{true, m.device}); }
    void operator()(const ir::ProtoMatch& m) const { out.push_back(MatchL4proto{m.protos}); }
    void operator()(const ir::SportMatch& m) const {
      out.push_back(MatchPorts{true, m.negated, m.ranges});
    }
    void operator()(const ir::DportMatch& m) const {
      out.push_back(MatchPorts{false, m.negated, m.ranges});
    }
    template <class Def>
    void operator()(const ir::ValueMatch<Def>& m) const {
      out.push_back(MatchPayload{Def::Field(family), m.values, &Def::Text, Def::kJsonNumber});
    }
    void Addr(const ir::AddrMatch& m, bool source) const {
      out.push_back(MatchAddr{*family, source, m.negated, m.set, m.elements});
    }
  };

  // The match part of a classification rule, forward or reversed (a reply of the flow:
  // addresses and ports swapped, what a reply cannot show dropped). in_dev: the input device
  // a reply must have.
  std::vector<Stmt> Matches(const ir::Classify& r, bool reverse, const std::string& in_dev) const {
    std::vector<ir::Cond> conds = reverse ? ir::Reversed(r).conds : r.conds;
    if (!in_dev.empty()) {
      auto at = std::find_if(conds.begin(), conds.end(), [](const ir::Cond& c) {
        return c.index() > ir::Cond(ir::IifMatch{}).index();
      });
      conds.insert(at, ir::IifMatch{in_dev});
    }
    std::vector<Stmt> s;
    bool addr = ir::Find<ir::SaddrMatch>(r) || ir::Find<ir::DaddrMatch>(r);
    if (r.family && !addr) s.push_back(MatchNfproto{*r.family});
    for (const auto& c : conds) std::visit(CondStmts{r.family, s}, c);
    if (p_.opts.counters) s.push_back(Counter{});
    return s;
  }

  std::string Comment(const ir::Classify& r, const char* what, const char* after = "") const {
    if (!p_.opts.comments) return "";
    if (r.inbound) what = "inbound";
    std::string c = r.origin + (what[0] ? std::string(" ") + what : "") + " -> " +
                    p_.targets[r.target].name + after;
    return syntax::NftComment(c);
  }

  // New connections: first-match over the rules in IR order (inbound pins included); the
  // packet mark and the connection mark (the save) are set together.
  Chain Classify(const char* name, bool save) const {
    Chain c{name, std::nullopt, {}};
    for (const auto& r : p_.rules) {
      uint32_t mark = p_.targets[r.target].mark;
      Rule rule{Matches(r, false, ""), Comment(r, "")};
      rule.stmts.push_back(Mark(false, mark));
      if (save) rule.stmts.push_back(Mark(true, mark));
      rule.stmts.push_back(Return{});
      c.rules.push_back(std::move(rule));
    }
    return c;
  }

  // Packets conntrack cannot help (INVALID, untracked) have no connection mark. Each is first
  // tried as a reply: the reversed rules in order, where the first match decides. A link
  // target whose device the packet arrived on gives that link's mark (the reply of its flow);
  // any other first match (main, a table, a link on another device) ends the reply walk and
  // the packet is classified as a new connection would be, without the save. Reversed `iif`
  // rules cannot know the flow's input device, so they mark on their link's device but never
  // end the walk; inbound pins have no reversed form.
  Chain StatelessReply() const {
    Chain c{ir::kChainStateless, std::nullopt, {}};
    for (const auto& r : p_.rules) {
      if (r.inbound) continue;
      const ir::Target& t = p_.targets[r.target];
      if (t.kind == ir::TargetKind::kLink) {
        Rule rule{Matches(r, true, t.device), Comment(r, "reply")};
        rule.stmts.push_back(Mark(false, t.mark));
        rule.stmts.push_back(Return{});
        c.rules.push_back(std::move(rule));
      }
      if (!ir::Reversed(r).decidable) continue;  // e.g. `iif`: see StatelessReply's comment
      const char* after = t.kind == ir::TargetKind::kLink ? " on another device: stop" : ": stop";
      Rule stop{Matches(r, true, ""), Comment(r, "reply", after)};
      stop.stmts.push_back(Goto{ir::kChainStatelessForward});
      c.rules.push_back(std::move(stop));
    }
    c.rules.push_back(Rule{{Goto{ir::kChainStatelessForward}}, ""});
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
      if (n.kind == NatKind::kMasquerade) {
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

// Names nft resolves without /etc/protocols quirks (pbrc/protocols.h); others stay numeric.
const char* ProtoName(uint8_t proto) {
  const Protocol* p = ProtocolByNumber(proto);
  return p && p->nft_name ? p->name.data() : nullptr;
}

}  // namespace pbrc::nft
