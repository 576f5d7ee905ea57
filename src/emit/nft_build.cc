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

std::string RuleComment(const ir::Program& p, const ir::Classify& r, const char* what,
                        const char* after) {
  if (!p.opts.comments) return "";
  if (r.inbound) what = "inbound";
  // The rule id first: `diff` identifies the kernel's rules by it (src/live/nft_objects.cc),
  // and a comment cut to nft's limit keeps its start.
  std::string c = (r.rule ? "rule " + std::to_string(*r.rule) + " " : std::string()) + r.origin +
                  (what[0] ? std::string(" ") + what : "") + " -> " + p.targets[r.target].name +
                  after;
  return syntax::NftComment(c);
}

class Builder {
 public:
  Builder(const ir::Program& p, const std::optional<std::array<ir::ClassifyPlan, 2>>& plans)
      : p_(p), plans_(plans), mask_(p.opts.mark_mask) {}

  void Restore(const Each& f) const {
    if (p_.targets.size() > kRestoreMapTargets) {
      MarkVmap v{mask_, {}};
      for (size_t t = 0; t < p_.targets.size(); ++t)
        v.entries.push_back({p_.targets[t].mark, RestoreChain(t)});
      return f(Rule{{std::move(v)}, syntax::NftComment("restore")});
    }
    for (const auto& t : p_.targets) {
      f(Rule{{MatchMark{true, mask_, t.mark}, Mark(false, t.mark), Return{}},
             syntax::NftComment("restore " + t.name)});
    }
  }

  // New connections: first-match over the rules in IR order (inbound pins included); the
  // packet mark and the connection mark (the save) are set together. With maps, a mapped
  // segment is one lookup per map whose elements `goto` the target's mark chain.
  void Classify(bool save, const Each& f) const {
    if (!plans_) {
      for (const auto& r : p_.rules) ClassifyRule(r, save, f);
      return;
    }
    const auto& segs = (*plans_)[0].segments;
    for (size_t s = 0; s < segs.size(); ++s) {
      if (!segs[s].mapped) {
        for (size_t i = segs[s].first; i < segs[s].last; ++i) ClassifyRule(p_.rules[i], save, f);
      }
      Lookups(segs[s], s, false, f);
    }
  }

  // Packets conntrack cannot help (INVALID, untracked) have no connection mark. Each is first
  // tried as a reply: the reversed rules in order, where the first match decides. A link
  // target whose device the packet arrived on gives that link's mark (the reply of its flow);
  // any other first match (main, a table, a link on another device) ends the reply walk and
  // the packet is classified as a new connection would be, without the save. Reversed `iif`
  // rules cannot know the flow's input device, so they mark on their link's device but never
  // end the walk; inbound pins have no reversed form. A mapped segment's elements go to the
  // target's reply chain (links) or straight to the forward walk.
  void StatelessReply(const Each& f) const {
    if (!plans_) {
      for (const auto& r : p_.rules) StatelessRule(r, f);
    } else {
      const auto& segs = (*plans_)[1].segments;
      for (size_t s = 0; s < segs.size(); ++s) {
        if (!segs[s].mapped) {
          for (size_t i = segs[s].first; i < segs[s].last; ++i) StatelessRule(p_.rules[i], f);
        }
        Lookups(segs[s], s, true, f);
      }
    }
    f(Rule{{Goto{ir::kChainStatelessForward}}, ""});
  }

  // A target's mark chain (maps): the packet mark, and the connection's for a new one (a
  // stateless packet has no connection entry to mark).
  void MarkRules(size_t t, const Each& f) const {
    uint32_t mark = p_.targets[t].mark;
    f(Rule{{Mark(false, mark)}, ""});
    f(Rule{{MatchCtState{{"new"}}, Mark(true, mark)}, ""});
  }

  // A link's reply chain (maps): a reply of its flow arrives on its device; anything else
  // first met by this link's rule is classified as a new connection would be.
  void ReplyRules(size_t t, const Each& f) const {
    const ir::Target& target = p_.targets[t];
    f(Rule{{MatchIfname{true, target.device}, Mark(false, target.mark), Return{}}, ""});
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

  void ClassifyRule(const ir::Classify& r, bool save, const Each& f) const {
    uint32_t mark = p_.targets[r.target].mark;
    Rule rule;
    Matches(r, false, "", rule);
    rule.comment = Comment(r, "");
    rule.stmts.push_back(Mark(false, mark));
    if (save) rule.stmts.push_back(Mark(true, mark));
    rule.stmts.push_back(Return{});
    f(rule);
  }

  void StatelessRule(const ir::Classify& r, const Each& f) const {
    if (r.inbound) return;
    Rule rule;
    const ir::Target& t = p_.targets[r.target];
    if (t.kind == ir::TargetKind::kLink) {
      Matches(r, true, t.device, rule);
      rule.comment = Comment(r, "reply");
      rule.stmts.push_back(Mark(false, t.mark));
      rule.stmts.push_back(Return{});
      f(rule);
    }
    if (!ir::Reversed(r).decidable) return;  // e.g. `iif`: see StatelessReply's comment
    const char* after = t.kind == ir::TargetKind::kLink ? " on another device: stop" : ": stop";
    Matches(r, true, "", rule);
    rule.comment = Comment(r, "reply", after);
    rule.stmts.push_back(Goto{ir::kChainStatelessForward});
    f(rule);
  }

  void Lookups(const ir::Segment& seg, size_t s, bool reply, const Each& f) const {
    for (size_t k = 0; k < seg.maps.size(); ++k) {
      const ir::RegionMap& m = seg.maps[k];
      Rule rule;
      // A device's maps: `iifname` is "" in the output hook, so the router's own packets and
      // those from other devices skip them and meet only the fall-through maps (last).
      if (!m.iif.empty()) rule.stmts.push_back(MatchIfname{true, m.iif});
      rule.stmts.push_back(
          Vmap{m.family, m.proto, m.port, reply, m.daddr_first, MapName(reply, s, k)});
      f(rule);
    }
  }

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
    return RuleComment(p_, r, what, after);
  }

  const ir::Program& p_;
  const std::optional<std::array<ir::ClassifyPlan, 2>>& plans_;
  uint32_t mask_;
  mutable std::vector<ir::Cond> scratch_;
};

}  // namespace

TableBuilder::TableBuilder(const ir::Program& p,
                           std::optional<std::array<ir::ClassifyPlan, 2>> plans)
    : p_(p) {
  using K = ChainKind;
  chains_ = {{ir::kChainRestore, std::nullopt, K::kRestore},
             {ir::kChainClassify, std::nullopt, K::kClassify},
             {ir::kChainStateless, std::nullopt, K::kStateless},
             {ir::kChainStatelessForward, std::nullopt, K::kStatelessForward}};
  if (p.targets.size() > kRestoreMapTargets) {
    for (size_t t = 0; t < p.targets.size(); ++t)
      chains_.push_back({RestoreChain(t), std::nullopt, K::kRestoreTarget, t});
  }
  if (p.opts.classify == ClassifyForm::kMaps) {
    plans_ = plans ? std::move(*plans) : ir::PlanClassify(p);
    for (size_t t = 0; t < p.targets.size(); ++t) {
      chains_.push_back({MarkChain(t), std::nullopt, K::kMark, t});
      if (p.targets[t].kind == ir::TargetKind::kLink) {
        chains_.push_back({ReplyChain(t), std::nullopt, K::kReply, t});
      }
    }
    for (size_t d = 0; d < 2; ++d) {
      const auto& segs = (*plans_)[d].segments;
      for (size_t s = 0; s < segs.size(); ++s) {
        for (size_t k = 0; k < segs[s].maps.size(); ++k) {
          maps_.push_back({MapName(d == 1, s, k), &segs[s].maps[k], d == 1, p.opts.counters});
        }
      }
    }
  }
  chains_.push_back({"prerouting", Hook{"filter", "prerouting", "mangle", -150}, K::kEntry});
  chains_.push_back({"output", Hook{"route", "output", "mangle", -150}, K::kEntry});
  if (!p.nat.empty()) {
    chains_.push_back({"postrouting", Hook{"nat", "postrouting", "srcnat", 100}, K::kPostrouting});
  }
}

void TableBuilder::ForEachRule(size_t chain, const Each& f) const {
  Builder b(p_, plans_);
  const ChainHead& c = chains_[chain];
  switch (c.kind) {
    case ChainKind::kRestore:
      return b.Restore(f);
    case ChainKind::kClassify:
      return b.Classify(true, f);
    case ChainKind::kStateless:
      return b.StatelessReply(f);
    case ChainKind::kStatelessForward:
      return b.Classify(false, f);
    case ChainKind::kEntry:
      return b.Entry(f);
    case ChainKind::kPostrouting:
      return b.Postrouting(f);
    case ChainKind::kMark:
      return b.MarkRules(c.target, f);
    case ChainKind::kReply:
      return b.ReplyRules(c.target, f);
    case ChainKind::kRestoreTarget: {
      const ir::Target& t = p_.targets[c.target];
      return f(Rule{{SetMark{false, ~p_.opts.mark_mask, t.mark}},
                    syntax::NftComment("restore " + t.name)});
    }
  }
}

void TableBuilder::ForEachElement(size_t map,
                                  const std::function<void(const MapElement&)>& f) const {
  const MapHead& m = maps_[map];
  MapElement e;
  for (const auto& el : m.map->elements) {
    const ir::Classify& r = p_.rules[el.rule];
    const ir::Target& t = p_.targets[r.target];
    e.key = &el.key;
    if (!m.reply) {
      e.chain = MarkChain(r.target);
    } else {
      e.chain = t.kind == ir::TargetKind::kLink ? ReplyChain(r.target) : ir::kChainStatelessForward;
    }
    e.comment = RuleComment(p_, r, m.reply ? "reply" : "", "");
    f(e);
  }
}

std::string MapName(bool reply, size_t seg, size_t k) {
  return std::string(reply ? "reply_m" : "classify_m") + std::to_string(seg) + "_" +
         std::to_string(k);
}
std::string MarkChain(size_t t) { return "mark_t" + std::to_string(t); }
std::string ReplyChain(size_t t) { return "reply_t" + std::to_string(t); }
std::string RestoreChain(size_t t) { return "restore_t" + std::to_string(t); }

// Names nft resolves without /etc/protocols quirks (pbrc/protocols.h); others stay numeric.
const char* ProtoName(uint8_t proto) {
  const Protocol* p = ProtocolByNumber(proto);
  return p && p->nft_name ? p->name.data() : nullptr;
}

}  // namespace pbrc::nft
