// pbrc lint: findings over the cells of the allocated program's rule spaces (cell_walk.h).
// A cell's first rule (in Program::rules order, pins included) takes all its packets: a rule
// that is first in no cell is W0901 (with the rules that take its cells), a cell of this
// rule taken by an earlier rule with another target that is not a carve-out of this one is
// W0902 (with a packet of that cell), and the cells it keeps decide W0903 and W0904.
// Families are analysed apart (an address dimension belongs to one family).
#include <algorithm>
#include <map>
#include <tuple>

#include "cell_walk.h"
#include "lint_checks.h"

namespace pbrc::analysis {
namespace {

class Linter {
 public:
  Linter(const ir::Program& p, const SourceManager& sm, Diagnostics& diags, size_t max_work)
      : p_(p), sm_(sm), diags_(diags), devs_(p), max_work_(max_work) {}

  void Run() {
    std::map<ir::RuleId, std::vector<size_t>> by_rule;  // a policy rule's family entries
    for (size_t j = 0; j < p_.rules.size(); ++j) {
      if (p_.rules[j].rule) by_rule[*p_.rules[j].rule].push_back(j);
    }
    last_entry_.resize(p_.rules.size());
    addressed_.assign(p_.rules.size(), 0);
    for (size_t j = 0; j < p_.rules.size(); ++j) {
      last_entry_[j] = j;
      addressed_[j] = Addressed(p_.rules[j]);
    }
    for (const auto& [id, entries] : by_rule) {
      bool any = false;  // over every family entry, not the first one only
      for (size_t j : entries) any |= addressed_[j] != 0;
      for (size_t j : entries) {
        last_entry_[j] = entries.back();
        addressed_[j] = any;
      }
    }
    for (Family f : {Family::kV4, Family::kV6}) {
      BuildItems(f);
      U128 addr = f == Family::kV4 ? U128(0xffffffff) : ~U128(0);
      facts_[f] =
          WalkCells(pool_, items_[f], f, {addr, addr, 255, 65535, 65535, devs_.Other()}, max_work_);
    }
    if (facts_[Family::kV4].gave_up || facts_[Family::kV6].gave_up) {
      GaveUp();
      return;
    }
    for (const auto& [id, entries] : by_rule) One(entries);
  }

 private:
  // Said, never silent: a CI run that passes because lint stopped would hide every finding.
  void GaveUp() {
    const ir::Classify* first = nullptr;
    for (const auto& r : p_.rules) {
      if (r.rule) {
        first = &r;
        break;
      }
    }
    if (!first || Allowed(sm_, first->range, Code::kLintGaveUp)) return;
    auto& d = diags_.Warning(Code::kLintGaveUp, first->range,
                             "lint stopped: the rules' spaces split into too many cells");
    d.notes.push_back("W0901-W0904 were not checked: the walk stopped after " +
                      std::to_string(max_work_) + " steps");
    d.help = "lint the policy in parts, or allow W0908 on its first rule to accept this";
  }

  static bool Addressed(const ir::Classify& r) {
    RuleView v = View(r);
    return v.saddr || v.daddr || v.iif;
  }

  ClassId AddrClass(const ir::AddrMatch* m, Family f) {
    const void* list = m ? &Elements(p_, *m) : nullptr;
    auto key = std::make_tuple(list, m && m->negated, f);
    auto it = addr_classes_.find(key);
    if (it != addr_classes_.end()) return it->second;
    RuleView v;
    v.saddr = m;
    return addr_classes_[key] = pool_.Add(DimSpans(p_, v, kSrc, f, devs_));
  }

  std::optional<Item> RuleItem(size_t j, Family f) {
    const ir::Classify& r = p_.rules[j];
    if (r.family && *r.family != f) return std::nullopt;
    RuleView v = View(r);
    Item it;
    it.rule = j;
    it.last_entry = last_entry_[j];
    it.owns = v.unmodelled.empty();  // its space is wider than its packets
    const ir::Target& t = p_.targets[r.target];
    it.main = t.kind == ir::TargetKind::kMain;
    // As the policy rule reads (any of its family entries): a family part that lost its
    // address match to the split (`to !V4SET` in IPv6, `to !V6SET` in IPv4) is not "a rule
    // without addresses".
    it.router_check = t.kind == ir::TargetKind::kLink && !addressed_[j];
    it.dim[kSrc] = AddrClass(v.saddr, f);
    it.dim[kDst] = AddrClass(v.daddr, f);
    for (Dim d : {kProto, kSport, kDport, kIif}) {
      Spans s = DimSpans(p_, v, d, f, devs_);
      if (s.empty()) return std::nullopt;
      it.dim[d] = pool_.Add(std::move(s));
    }
    for (Dim d : {kSrc, kDst}) {
      if (pool_.Get(it.dim[d]).empty()) return std::nullopt;
    }
    return it;
  }

  Item Pseudo(Item::Kind kind, const Space& s) {
    Item it;
    it.kind = kind;
    it.owns = false;
    for (int d = 0; d < kDims; ++d) it.dim[d] = pool_.Add(s[d]);
    return it;
  }

  void BuildItems(Family f) {
    auto& items = items_[f];
    auto& index = item_of_[f];
    index.assign(p_.rules.size(), -1);
    for (size_t j = 0; j < p_.rules.size(); ++j) {
      if (auto it = RuleItem(j, f)) {
        index[j] = int(items.size());
        items.push_back(*it);
      }
    }
    for (const auto& s : LinkAddressSpaces(p_, f)) items.push_back(Pseudo(Item::kLinkAddress, s));
    items.push_back(Pseudo(Item::kRouterService, RouterServiceSpace(f)));
  }

  Packet ToPacket(const Point& at, Family f) const {
    Packet pkt;
    pkt.family = f;
    pkt.src = Addr{f, at[kSrc]};
    pkt.dst = Addr{f, at[kDst]};
    uint8_t proto = uint8_t(at[kProto]);
    pkt.proto = proto;
    if (HasPorts(proto)) {
      pkt.sport = uint16_t(at[kSport]);
      pkt.dport = uint16_t(at[kDport]);
    }
    pkt.from_router = at[kIif] == 0;
    pkt.iif = devs_.Name(at[kIif]);
    return pkt;
  }

  // Whether all of item a's packets are item b's (a carve-out of b, not an overlap).
  bool Within(Family f, size_t a, size_t b) const {
    const Item& x = items_.at(f)[a];
    const Item& y = items_.at(f)[b];
    for (int d = 0; d < kDims; ++d) {
      if (x.dim[d] == y.dim[d]) continue;
      const Spans& in = pool_.Get(x.dim[d]);
      const Spans& out = pool_.Get(y.dim[d]);
      for (const Span& s : in) {
        auto it = std::upper_bound(out.begin(), out.end(), s.lo,
                                   [](U128 v, const Span& o) { return v < o.lo; });
        if (it == out.begin() || std::prev(it)->hi < s.hi) return false;
      }
    }
    return true;
  }

  // The first earlier rule, in rule order, that takes a cell of item `k` (rule j) and steers
  // it elsewhere without being a carve-out of it, with a packet of that cell. Exemptions (an
  // earlier `via main` is meant to take packets from later rules), pins and the rule's own
  // other family are not overlaps.
  std::optional<std::pair<size_t, Packet>> OverlapOf(Family f, size_t k) const {
    const ir::Classify& r = p_.rules[items_.at(f)[k].rule];
    for (const auto& [owner, w] : facts_.at(f).covering[k]) {
      const ir::Classify& q = p_.rules[items_.at(f)[owner].rule];
      if (q.inbound || p_.targets[q.target].kind == ir::TargetKind::kMain || q.target == r.target ||
          q.rule == r.rule || Within(f, owner, k)) {
        continue;
      }
      Packet pkt = ToPacket(w.at, f);
      // ICMP of the other family takes the stateless walk first: offered only when the
      // model says the earlier rule still takes it.
      if (!w.plain && Evaluate(p_, pkt).rule != items_.at(f)[owner].rule) continue;
      return std::make_pair(items_.at(f)[owner].rule, std::move(pkt));
    }
    return std::nullopt;
  }

  void One(const std::vector<size_t>& entries) {
    size_t first = entries.front();
    const ir::Classify& r = p_.rules[first];
    bool kept = false, overridden = false;
    std::vector<size_t> covering;
    std::optional<std::pair<size_t, Packet>> overlap, router;
    for (size_t j : entries) {
      for (Family f : {Family::kV4, Family::kV6}) {
        int k = item_of_.at(f)[j];
        if (k < 0) continue;
        const CellFacts& facts = facts_.at(f);
        kept |= facts.kept[k] != 0;
        overridden |= facts.overridden[k] != 0;
        for (const auto& c : facts.covering[k]) covering.push_back(items_.at(f)[c.first].rule);
        if (!overlap) overlap = OverlapOf(f, size_t(k));
        if (!router && facts.router[k].set) router = {j, ToPacket(facts.router[k].at, f)};
      }
    }
    Findings out{p_, sm_, diags_, devs_};
    if (!kept) {
      std::sort(covering.begin(), covering.end());
      covering.erase(std::unique(covering.begin(), covering.end()), covering.end());
      out.Shadowed(first, covering);
      return;
    }
    if (overlap) out.Overlap(first, overlap->first, overlap->second);
    if (p_.targets[r.target].kind == ir::TargetKind::kMain && !overridden) out.NoEffect(first);
    if (router) out.RouterTraffic(first, router->second);
  }

  const ir::Program& p_;
  const SourceManager& sm_;
  Diagnostics& diags_;
  Devices devs_;
  SpanPool pool_;
  std::map<std::tuple<const void*, bool, Family>, ClassId> addr_classes_;
  std::vector<size_t> last_entry_;
  std::vector<char> addressed_;  // the policy rule matches addresses or an input device
  std::map<Family, std::vector<Item>> items_;
  std::map<Family, std::vector<int>> item_of_;
  std::map<Family, CellFacts> facts_;
  size_t max_work_;
};

}  // namespace

void Lint(const ir::Program& p, const SourceManager& sm, Diagnostics& diags, size_t max_work) {
  Linter(p, sm, diags, max_work).Run();
  CheckForeignSoftware(p, diags);
}

}  // namespace pbrc::analysis
