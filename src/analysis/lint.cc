// pbrc lint: findings over the rule spaces of the allocated program (space_ops.h).
// For each rule, in Program::rules order (pins included), its packets minus every earlier
// rule's, exactly: nothing left is W0901 (with the rules that took pieces), a piece taken by
// an earlier rule with another target that is not a carve-out of this one is W0902 (with a
// packet from that piece), and what is left decides W0903 and W0904. Families are analysed
// apart (an address dimension belongs to one family).
#include <algorithm>
#include <map>

#include "lint_checks.h"
#include "space_ops.h"

namespace pbrc::analysis {
namespace {

// Beyond this many pieces a rule's remainder is not followed further (no finding is then
// made for it): policies written by people stay far below.
constexpr size_t kMaxPieces = 20000;

struct Remainder {
  Region region;
  std::vector<size_t> covering;  // earlier rules that took a piece
  std::optional<std::pair<size_t, Packet>> overlap;
  bool gave_up = false;
};

class Linter {
 public:
  Linter(const ir::Program& p, const SourceManager& sm, Diagnostics& diags)
      : p_(p), sm_(sm), diags_(diags), devs_(p) {}

  void Run() {
    for (Family f : {Family::kV4, Family::kV6}) {
      auto& sp = spaces_[f];
      for (const auto& r : p_.rules) sp.push_back(SpaceOf(p_, r, f, devs_));
    }
    std::map<ir::RuleId, std::vector<size_t>> by_rule;  // a policy rule's family entries
    for (size_t j = 0; j < p_.rules.size(); ++j) {
      if (p_.rules[j].rule) by_rule[*p_.rules[j].rule].push_back(j);
    }
    for (const auto& [id, entries] : by_rule) One(entries);
  }

 private:
  Remainder Follow(size_t j, Family f) const {
    const auto& sp = spaces_.at(f);
    const ir::Classify& r = p_.rules[j];
    Remainder rem;
    rem.region = {*sp[j]};
    for (size_t i = 0; i < j && !rem.region.empty(); ++i) {
      if (!sp[i]) continue;
      const ir::Classify& q = p_.rules[i];
      if (!View(q).unmodelled.empty()) continue;  // its space is wider than its packets
      // Not an overlap: pins, the rule's own other family, exemptions (an earlier `via
      // main` is meant to take packets from later rules) and carve-outs (all of q's packets
      // are r's: an exception made on purpose).
      bool exemption = p_.targets[q.target].kind == ir::TargetKind::kMain;
      bool candidate = !rem.overlap && !q.inbound && !exemption && q.target != r.target &&
                       q.rule != r.rule && !Within(*sp[i], *sp[j]);
      Region next;
      bool any = false;
      for (const auto& piece : rem.region) {
        bool touched = false;
        Region cut = Minus(piece, *sp[i], &touched);
        if (touched && candidate && !rem.overlap) {
          if (auto both = Intersect(piece, *sp[i])) {
            rem.overlap = {i, Witness(*both, f, devs_)};
          }
        }
        any |= touched;
        for (auto& c : cut) next.push_back(std::move(c));
      }
      if (any) rem.covering.push_back(i);
      rem.region = std::move(next);
      if (rem.region.size() > kMaxPieces) {
        rem.gave_up = true;
        return rem;
      }
    }
    return rem;
  }

  void One(const std::vector<size_t>& entries) {
    size_t first = entries.front();
    const ir::Classify& r = p_.rules[first];
    bool shadowed = true, gave_up = false;
    std::vector<size_t> covering;
    std::optional<std::pair<size_t, Packet>> overlap;
    std::vector<std::pair<Family, Region>> left;
    for (size_t j : entries) {
      for (Family f : {Family::kV4, Family::kV6}) {
        if (!spaces_.at(f)[j]) continue;
        Remainder rem = Follow(j, f);
        gave_up |= rem.gave_up;
        if (!rem.region.empty()) shadowed = false;
        covering.insert(covering.end(), rem.covering.begin(), rem.covering.end());
        if (!overlap) overlap = rem.overlap;
        left.push_back({f, std::move(rem.region)});
      }
    }
    if (gave_up) return;
    Findings out{p_, sm_, diags_, devs_};
    if (shadowed) {
      std::sort(covering.begin(), covering.end());
      covering.erase(std::unique(covering.begin(), covering.end()), covering.end());
      out.Shadowed(first, covering);
      return;
    }
    if (overlap) out.Overlap(first, overlap->first, overlap->second);
    const ir::Target& t = p_.targets[r.target];
    if (t.kind == ir::TargetKind::kMain && !Overridden(entries.back(), left)) out.NoEffect(first);
    if (RuleView v = View(r); t.kind == ir::TargetKind::kLink && !v.saddr && !v.daddr && !v.iif) {
      for (const auto& [f, region] : left) {
        if (auto w = RouterService(f, region)) {
          out.RouterTraffic(first, *w);
          break;
        }
      }
    }
  }

  // Whether a later rule with another target, or a link-address ip rule, would take some of
  // the packets this `via main` rule keeps.
  bool Overridden(size_t last, const std::vector<std::pair<Family, Region>>& left) const {
    for (const auto& [f, region] : left) {
      const auto& sp = spaces_.at(f);
      std::vector<Space> others;
      for (size_t i = last + 1; i < p_.rules.size(); ++i) {
        if (sp[i] && p_.targets[p_.rules[i].target].kind != ir::TargetKind::kMain) {
          others.push_back(*sp[i]);
        }
      }
      for (const auto& a : LinkAddressSpaces(p_, f)) others.push_back(a);
      for (const auto& piece : region) {
        for (const auto& o : others) {
          if (Intersect(piece, o)) return true;
        }
      }
    }
    return false;
  }

  std::optional<Packet> RouterService(Family f, const Region& region) const {
    Space svc = RouterServiceSpace(f);
    for (const auto& piece : region) {
      if (auto both = Intersect(piece, svc)) return Witness(*both, f, devs_);
    }
    return std::nullopt;
  }

  const ir::Program& p_;
  const SourceManager& sm_;
  Diagnostics& diags_;
  Devices devs_;
  std::map<Family, std::vector<std::optional<Space>>> spaces_;
};

}  // namespace

void Lint(const ir::Program& p, const SourceManager& sm, Diagnostics& diags) {
  Linter(p, sm, diags).Run();
  CheckForeignSoftware(p, diags);
}

}  // namespace pbrc::analysis
