// Builds pbrc's nft table from the IR:
//   prerouting (filter, mangle) and output (route, mangle): restore the connection's mark
//   for established/related packets, classify unmarked NEW packets (first match, marks packet
//   and connection), and classify INVALID/untracked packets statelessly: as a reply of a
//   steered flow when the reversed rules say so, else as a new connection would be;
//   postrouting (nat, srcnat) for links that ask for source NAT.
// Only the bits of the mark mask are ever written; constants only (nft 1.0.6 cannot combine
// two registers in one expression). Rules are built one at a time and handed to the renderer
// (see TableBuilder in nft_model.h).
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
      if (!r.iif.empty()) continue;
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

  // The match part of a classification rule, forward or reversed (a reply of the flow:
  // addresses and ports swapped, `iif` dropped), into `out`'s reused statement list.
  // in_dev: the input device a reply must have.
  void Matches(const ir::Classify& r, bool reverse, const std::string& in_dev, Rule& out) const {
    auto& s = out.stmts;
    s.clear();
    const auto& src = reverse ? r.daddr : r.saddr;
    const auto& dst = reverse ? r.saddr : r.daddr;
    if (r.family && !src && !dst) s.push_back(MatchNfproto{*r.family});
    if (src) s.push_back(MatchAddr{*r.family, true, src->negated, &src->set, &src->elements});
    if (dst) s.push_back(MatchAddr{*r.family, false, dst->negated, &dst->set, &dst->elements});
    if (!reverse && !r.iif.empty()) s.push_back(MatchIfname{true, r.iif});
    if (!in_dev.empty()) s.push_back(MatchIfname{true, in_dev});
    if (!r.protos.empty()) s.push_back(MatchL4proto{&r.protos});
    const auto& sp = reverse ? r.dport : r.sport;
    const auto& dp = reverse ? r.sport : r.dport;
    if (sp) s.push_back(MatchPorts{true, sp->negated, &sp->ranges});
    if (dp) s.push_back(MatchPorts{false, dp->negated, &dp->ranges});
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
