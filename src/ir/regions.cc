// The region compiler: first-match rules as maps of disjoint regions (pbrc/regions.h).
// Rules are taken in order into an open segment; each new rule's boxes minus the regions the
// segment already holds become its regions, so an earlier rule keeps whatever it covers. A
// rule that cannot be keyed closes the segment and stays linear; one that would overflow a
// map closes it and opens the next. `iif` is not a key field (the output hook has no input
// device, which breaks a concatenated lookup): the segment keeps one set of maps per device
// its rules name, guarded by `iifname`, and a fall-through set of the rules without `iif`.
#include "pbrc/regions.h"

#include <algorithm>

#include "region_keys.h"

namespace pbrc::ir {
namespace {

using Elements = std::vector<RegionMap::Element>;

// The segment's maps of one family as they grow: all its rules (level 2), those without a
// port condition (1), those without protocol or port condition (0): the lookups a packet
// whose port or protocol is unreadable still gets right.
struct FamilyMaps {
  std::array<Elements, 3> level;
  bool proto = false, port = false;  // some rule of the segment has such a condition
  size_t Count() const { return level[0].size() + level[1].size() + level[2].size(); }
};

// The segment's maps for packets from one input device: the first-match regions of the
// segment's rules that such a packet can meet (those with `iif` that device and those
// without `iif`). Device "" is the fall-through: the rules without `iif`, for packets from
// devices no rule of the segment names and for the router's own (no input device).
struct Branch {
  std::string device;
  std::array<FamilyMaps, 2> fam;
  size_t Count() const { return fam[0].Count() + fam[1].Count(); }
};

// The pieces of `boxes` no element covers yet.
std::vector<Box> Uncovered(std::vector<Box> boxes, const Elements& elements) {
  std::vector<Box> next;
  for (const auto& e : elements) {
    next.clear();
    for (const Box& b : boxes) regions::Minus(b, e.key, next);
    boxes.swap(next);
    if (boxes.empty()) break;
  }
  return boxes;
}

class Planner {
 public:
  Planner(const Program& p, Direction d, RegionBudget& budget) : p_(p), budget_(budget) {
    plan_.direction = d;
    branches_.resize(1);
  }

  ClassifyPlan Run() {
    for (size_t i = 0; i < p_.rules.size(); ++i) Add(i);
    Close();
    return std::move(plan_);
  }

 private:
  using Keys = std::array<std::optional<regions::KeyedRule>, 2>;
  // One rule's new regions in one branch (branches_.size(): a new branch for its device,
  // starting as a copy of the fall-through), per family and level.
  struct Piece {
    size_t branch = 0;
    std::array<std::array<std::vector<Box>, 3>, 2> pieces;
  };
  struct Pending {
    std::vector<Piece> branches;
    std::array<bool, 2> proto{}, port{};
    std::string device;
  };

  void Add(size_t i) {
    const Classify& r = p_.rules[i];
    if (p_.opts.classify == ClassifyForm::kLinear) return Linear(i, "classify linear");
    if (regions::Inert(p_, r, plan_.direction)) {  // nothing to look up: joins any segment
      if (open_) return void(++seg_.last);
      return Linear(i, r.inbound ? "an inbound pin has no reversed form"
                                 : "a reply cannot show all its conditions");
    }
    Keys keyed;
    for (Family f : {Family::kV4, Family::kV6}) {
      std::string why;
      keyed[Index(f)] = regions::Keyed(p_, r, plan_.direction, f, &why);
      if (!why.empty()) return Linear(i, why);
      if (keyed[Index(f)] && keyed[Index(f)]->Boxes() > kMaxMapRegions) {
        return Linear(i, regions::TooManyRegions());
      }
    }
    Pending pend = Split(keyed);
    bool fits = Fits(pend);
    if ((!fits || Devices(pend) > kMaxSegmentDevices) && open_) {
      seg_.why = fits ? "ends: a rule names one more input device than " +
                            std::to_string(kMaxSegmentDevices)
                      : "ends: its maps are full";
      Close();
      pend = Split(keyed);
    }
    if (!Fits(pend)) return Linear(i, "the program's region budget is spent");
    Commit(i, pend);
  }

  static size_t Index(Family f) { return f == Family::kV4 ? 0 : 1; }

  size_t Devices(const Pending& pend) const {
    bool grows = !pend.branches.empty() && pend.branches[0].branch == branches_.size();
    return branches_.size() - 1 + grows;
  }

  // The branches the rule reaches: all of them without a device, else its device's.
  std::vector<size_t> Reached(const std::string& device) const {
    std::vector<size_t> out;
    for (size_t b = 0; b < branches_.size(); ++b) {
      if (device.empty() || branches_[b].device == device) out.push_back(b);
    }
    if (out.empty()) out.push_back(branches_.size());
    return out;
  }

  Pending Split(const Keys& keyed) const {
    Pending out;
    for (size_t f = 0; f < 2; ++f) {
      if (!keyed[f]) continue;
      out.device = keyed[f]->device;
      out.proto[f] = keyed[f]->proto || keyed[f]->port;
      out.port[f] = keyed[f]->port;
    }
    for (size_t b : Reached(out.device)) {
      const Branch& into = branches_[b < branches_.size() ? b : 0];
      Piece piece{b, {}};
      for (size_t f = 0; f < 2; ++f) {
        if (!keyed[f]) continue;
        const regions::KeyedRule& k = *keyed[f];
        std::vector<Box> boxes = regions::BoxesOf(k);
        int top = k.port ? 2 : k.proto ? 1 : 0;  // the lowest level it belongs to
        for (int l = 2; l >= top; --l) {
          piece.pieces[f][l] = Uncovered(boxes, into.fam[f].level[l]);
        }
      }
      out.branches.push_back(std::move(piece));
    }
    return out;
  }

  bool Fits(const Pending& pend) const {
    size_t total = 0;
    for (const Branch& b : branches_) total += b.Count();
    for (const Piece& piece : pend.branches) {
      const Branch& into = branches_[piece.branch < branches_.size() ? piece.branch : 0];
      if (piece.branch == branches_.size()) total += into.Count();  // the copy
      for (size_t f = 0; f < 2; ++f) {
        for (int l = 0; l < 3; ++l) {
          size_t n = piece.pieces[f][l].size();
          if (into.fam[f].level[l].size() + n > kMaxMapRegions) return false;
          total += n;
        }
      }
    }
    return total <= budget_.left;
  }

  void Commit(size_t i, const Pending& pend) {
    if (!open_) {
      seg_ = Segment{i, i, true, {}, ""};
      open_ = true;
    }
    seg_.last = i + 1;
    for (const Piece& piece : pend.branches) {
      if (piece.branch == branches_.size()) {
        branches_.push_back(branches_[0]);
        branches_.back().device = pend.device;
      }
      Branch& into = branches_[piece.branch];
      for (size_t f = 0; f < 2; ++f) {
        into.fam[f].proto |= pend.proto[f];
        into.fam[f].port |= pend.port[f];
        for (int l = 0; l < 3; ++l) {
          for (const Box& b : piece.pieces[f][l]) into.fam[f].level[l].push_back({b, i});
        }
      }
    }
  }

  void Linear(size_t i, std::string why) {
    Close();
    plan_.segments.push_back(Segment{i, i + 1, false, {}, std::move(why)});
  }

  // The open segment's lookups: per named device (by name), then the fall-through; in each,
  // the full key first, then the fallbacks for packets whose port or protocol the kernel
  // cannot read. A level equal to the one above is left out.
  void Close() {
    if (!open_) return;
    std::sort(branches_.begin() + 1, branches_.end(),
              [](const Branch& a, const Branch& b) { return a.device < b.device; });
    std::rotate(branches_.begin(), branches_.begin() + 1, branches_.end());
    for (Branch& b : branches_) {
      for (size_t f = 0; f < 2; ++f) {
        Family fam = f == 0 ? Family::kV4 : Family::kV6;
        FamilyMaps& m = b.fam[f];
        if (m.port) Emit(b.device, fam, true, true, m.level[2]);
        if (m.proto) Emit(b.device, fam, true, false, m.level[1]);
        Emit(b.device, fam, false, false, m.level[0]);
      }
    }
    branches_.assign(1, Branch{});
    plan_.segments.push_back(std::move(seg_));
    open_ = false;
  }

  void Emit(const std::string& iif, Family f, bool proto, bool port, Elements& els) {
    if (els.empty()) return;
    budget_.left -= els.size();
    plan_.regions += els.size();
    bool daddr_first = DaddrFirst(f, els);
    seg_.maps.push_back(RegionMap{iif, f, proto, port, daddr_first, std::move(els)});
  }

  // Whether the map's rules have more different destination conditions than source ones
  // (each condition counted once, however many intervals it has). Counted over conditions,
  // not over the elements' spans: a list file's change (the common change) keeps the key
  // order, so apply updates the map's elements in place instead of replacing the table.
  bool DaddrFirst(Family f, const Elements& els) const {
    std::vector<size_t> rules;
    for (const auto& e : els)
      if (rules.empty() || rules.back() != e.rule) rules.push_back(e.rule);
    std::array<std::vector<regions::Spans>, 2> conds;  // saddr, daddr
    for (size_t i : rules) {
      std::string why;
      auto k = regions::Keyed(p_, p_.rules[i], plan_.direction, f, &why);
      if (!k) continue;
      conds[0].push_back(k->fields[kKeySaddr]);
      conds[1].push_back(k->fields[kKeyDaddr]);
    }
    return Distinct(conds[1]) > Distinct(conds[0]);
  }

  static size_t Distinct(std::vector<regions::Spans>& conds) {
    auto less = [](const regions::Spans& a, const regions::Spans& b) {
      return std::lexicographical_compare(
          a.begin(), a.end(), b.begin(), b.end(),
          [](const Span& x, const Span& y) { return x.lo != y.lo ? x.lo < y.lo : x.hi < y.hi; });
    };
    std::sort(conds.begin(), conds.end(), less);
    return static_cast<size_t>(std::unique(conds.begin(), conds.end()) - conds.begin());
  }

  const Program& p_;
  RegionBudget& budget_;
  ClassifyPlan plan_;
  bool open_ = false;
  Segment seg_;
  std::vector<Branch> branches_;  // [0]: the fall-through
};

}  // namespace

ClassifyPlan PlanClassify(const Program& p, Direction d, RegionBudget& budget) {
  return Planner(p, d, budget).Run();
}

std::array<ClassifyPlan, 2> PlanClassify(const Program& p) {
  RegionBudget budget;
  ClassifyPlan forward = PlanClassify(p, Direction::kForward, budget);
  return {std::move(forward), PlanClassify(p, Direction::kReply, budget)};
}

std::optional<size_t> Lookup(const Segment& s, const KeyPacket& k) {
  Box point{Span{k.saddr, k.saddr}, Span{k.daddr, k.daddr}, Span{k.proto, k.proto},
            Span{k.port.value_or(0), k.port.value_or(0)}};
  for (const RegionMap& m : s.maps) {
    if (!m.iif.empty() && m.iif != k.iif) continue;  // the `iifname` test before the lookup
    if (m.family != k.family || (m.port && !k.port)) continue;  // other family; breaks
    for (const auto& e : m.elements) {
      if (regions::Contains(e.key, point)) return e.rule;
    }
  }
  return std::nullopt;
}

}  // namespace pbrc::ir
