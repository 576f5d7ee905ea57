// Builds pbrc's nft table from the IR:
//   prerouting (filter, mangle) and output (route, mangle): restore the connection's mark
//   for established/related packets, classify unmarked NEW packets (first match, marks packet
//   and connection), and classify INVALID/untracked packets statelessly: as a reply of a
//   steered flow when the reversed rules say so, else as a new connection would be;
//   postrouting (nat, srcnat) for links that ask for source NAT.
// Only the bits of the mark mask are ever written; constants only (nft 1.0.6 cannot combine
// two registers in one expression). Rules are built one at a time and handed to the renderer
// (see TableBuilder in nft_model.h).
#include <algorithm>

#include "nft_model.h"
#include "pbrc/protocols.h"
#include "pbrc/syntax.h"

namespace pbrc::nft {
namespace {

using Each = std::function<void(const Rule&)>;

class Builder {
 public:
  explicit Builder(const ir::Program& p) : p_(p), mask_(p.opts.mark_mask) {}

  void Restore(const Each& f) const {
    for (const auto& t : p_.targets) {
      f(Rule{{MatchMark{true, mask_, t.mark}, Mark(false, t.mark), Return{}},
             syntax::NftComment("restore " + t.name)});
    }
  }

  // New connections: first-match over the rules in IR order (inbound pins included); the
  // packet mark and the connection mark (the save) are set together.
  void Classify(bool save, const Each& f) const {
    Rule rule;
    for (const auto& r : p_.rules) {
      uint32_t mark = p_.targets[r.target].mark;
      Matches(r, false, "", rule);
      rule.comment = Comment(r, "");
      rule.stmts.push_back(Mark(false, mark));
      if (save) rule.stmts.push_back(Mark(true, mark));
      rule.stmts.push_back(Return{});
      f(rule);
    }
  }

  // Packets conntrack cannot help (INVALID, untracked) have no connection mark. Each is first
  // tried as a reply: the reversed rules in order, where the first match decides. A link
  // target whose device the packet arrived on gives that link's mark (the reply of its flow);
  // any other first match (main, a table, a link on another device) ends the reply walk and
  // the packet is classified as a new connection would be, without the save. Reversed `iif`
  // rules cannot know the flow's input device, so they mark on their link's device but never
  // end the walk; inbound pins have no reversed form.
  void StatelessReply(const Each& f) const {
    Rule rule;
    for (const auto& r : p_.rules) {
      if (r.inbound) continue;
      const ir::Target& t = p_.targets[r.target];
      if (t.kind == ir::TargetKind::kLink) {
        Matches(r, true, t.device, rule);
        rule.comment = Comment(r, "reply");
        rule.stmts.push_back(Mark(false, t.mark));
        rule.stmts.push_back(Return{});
        f(rule);
      }
      if (!ir::Reversed(r).decidable) continue;  // e.g. `iif`: see StatelessReply's comment
      const char* after = t.kind == ir::TargetKind::kLink ? " on another device: stop" : ": stop";
      Matches(r, true, "", rule);
      rule.comment = Comment(r, "reply", after);
      rule.stmts.push_back(Goto{ir::kChainStatelessForward});
      f(rule);
    }
    f(Rule{{Goto{ir::kChainStatelessForward}}, ""});
  }

  void Entry(const Each& f) const {
    f(Rule{{MatchCtState{{"established", "related"}}, Jump{ir::kChainRestore}}, ""});
    f(Rule{{MatchCtState{{"new"}}, MatchMark{false, mask_, 0}, Jump{ir::kChainClassify}}, ""});
    f(Rule{{MatchCtState{{"invalid", "untracked"}}, MatchMark{false, mask_, 0},
            Jump{ir::kChainStateless}},
           ""});
  }

  void Postrouting(const Each& f) const {
    for (const auto& n : p_.nat) {
      Rule r;
      r.stmts.push_back(MatchIfname{false, n.device});
      if (n.kind == NatKind::kMasquerade) {
        r.stmts.push_back(Masquerade{});
      } else {
        r.stmts.push_back(MatchNfproto{*n.family});
        r.stmts.push_back(Snat{*n.family, *n.to});
      }
      f(r);
    }
  }

 private:
  SetMark Mark(bool ct, uint32_t value) const { return SetMark{ct, ~mask_, value}; }

  // nft statements for IR conditions; one overload per alternative of ir::Cond. Statements
  // point into the conditions, which outlive the rule's rendering.
  struct CondStmts {
    std::optional<Family> family;
    std::vector<Stmt>& out;
    void operator()(const ir::SaddrMatch& m) const { Addr(m, true); }
    void operator()(const ir::DaddrMatch& m) const { Addr(m, false); }
    void operator()(const ir::IifMatch& m) const { out.push_back(MatchIfname{true, m.device}); }
    void operator()(const ir::ProtoMatch& m) const { out.push_back(MatchL4proto{&m.protos}); }
    void operator()(const ir::SportMatch& m) const {
      out.push_back(MatchPorts{true, m.negated, &m.ranges});
    }
    void operator()(const ir::DportMatch& m) const {
      out.push_back(MatchPorts{false, m.negated, &m.ranges});
    }
    template <class Def>
    void operator()(const ir::ValueMatch<Def>& m) const {
      out.push_back(MatchPayload{Def::Field(family), m.values, &Def::Text, Def::kJsonNumber});
    }
    void Addr(const ir::AddrMatch& m, bool source) const {
      out.push_back(MatchAddr{*family, source, m.negated, &m.set, &m.elements});
    }
  };

  // The match part of a classification rule, forward or reversed (a reply of the flow:
  // addresses and ports swapped, what a reply cannot show dropped), into `out`'s reused
  // statement list. in_dev: the input device a reply must have. A reversed rule's conditions
  // live in scratch_ until the next call, after the rule was rendered.
  void Matches(const ir::Classify& r, bool reverse, const std::string& in_dev, Rule& out) const {
    const std::vector<ir::Cond>* conds = &r.conds;
    if (reverse || !in_dev.empty()) {
      scratch_ = reverse ? ir::Reversed(r).conds : r.conds;
      if (!in_dev.empty()) {
        auto at = std::find_if(scratch_.begin(), scratch_.end(), [](const ir::Cond& c) {
          return c.index() > ir::Cond(ir::IifMatch{}).index();
        });
        scratch_.insert(at, ir::IifMatch{in_dev});
      }
      conds = &scratch_;
    }
    auto& s = out.stmts;
    s.clear();
    bool addr = ir::Find<ir::SaddrMatch>(r) || ir::Find<ir::DaddrMatch>(r);
    if (r.family && !addr) s.push_back(MatchNfproto{*r.family});
    for (const auto& c : *conds) std::visit(CondStmts{r.family, s}, c);
    if (p_.opts.counters) s.push_back(Counter{});
  }

  std::string Comment(const ir::Classify& r, const char* what, const char* after = "") const {
    if (!p_.opts.comments) return "";
    if (r.inbound) what = "inbound";
    // The rule id first: `diff` identifies the kernel's rules by it (src/live/nft_objects.cc),
    // and a comment cut to nft's limit keeps its start.
    std::string c = (r.rule ? "rule " + std::to_string(*r.rule) + " " : std::string()) + r.origin +
                    (what[0] ? std::string(" ") + what : "") + " -> " + p_.targets[r.target].name +
                    after;
    return syntax::NftComment(c);
  }

  const ir::Program& p_;
  uint32_t mask_;
  mutable std::vector<ir::Cond> scratch_;
};

}  // namespace

TableBuilder::TableBuilder(const ir::Program& p) : p_(p) {
  chains_ = {{ir::kChainRestore, std::nullopt},
             {ir::kChainClassify, std::nullopt},
             {ir::kChainStateless, std::nullopt},
             {ir::kChainStatelessForward, std::nullopt},
             {"prerouting", Hook{"filter", "prerouting", "mangle", -150}},
             {"output", Hook{"route", "output", "mangle", -150}}};
  if (!p.nat.empty()) chains_.push_back({"postrouting", Hook{"nat", "postrouting", "srcnat", 100}});
}

void TableBuilder::ForEachRule(size_t chain, const Each& f) const {
  Builder b(p_);
  switch (chain) {
    case 0:
      return b.Restore(f);
    case 1:
      return b.Classify(true, f);
    case 2:
      return b.StatelessReply(f);
    case 3:
      return b.Classify(false, f);
    case 4:
    case 5:
      return b.Entry(f);
    default:
      return b.Postrouting(f);
  }
}

// Names nft resolves without /etc/protocols quirks (pbrc/protocols.h); others stay numeric.
const char* ProtoName(uint8_t proto) {
  const Protocol* p = ProtocolByNumber(proto);
  return p && p->nft_name ? p->name.data() : nullptr;
}

}  // namespace pbrc::nft
