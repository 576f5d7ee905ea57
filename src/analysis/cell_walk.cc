#include "cell_walk.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "seen_sets.h"

namespace pbrc::analysis {

ClassId SpanPool::Add(Spans s) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& x : s) {
    for (U128 v : {x.lo, x.hi}) {
      h = (h ^ uint64_t(v)) * 1099511628211ull;
      h = (h ^ uint64_t(v >> 64)) * 1099511628211ull;
    }
  }
  auto& same = by_hash_[h];
  for (ClassId c : same) {
    if (lists_[c] == s) return c;
  }
  same.push_back(ClassId(lists_.size()));
  lists_.push_back(std::move(s));
  return same.back();
}

namespace {

struct Picked {
  U128 value = 0;
  bool plain = true;  // see Witnessed
};

// A readable value of the pieces of one group, fed in ascending order: a preferred value when
// it is in (a host address, udp or tcp, a well-known port), else the second value of the
// first piece (a prefix's network address, 0.0.0.0 and port 0 are legal but look like
// mistakes); for the input device a named device first, the router itself last. ICMP of the
// other family (protocol 1 in IPv6, 58 in IPv4) is picked only when nothing else is there:
// conntrack calls such a packet INVALID, so it may not take the path the cell stands for.
class Picker {
 public:
  Picker(Dim d, Family f) : d_(d) {
    U128 host = f == Family::kV4 ? U128(0x0a000001) : (U128(0x20010db8) << 96) | 1;
    switch (d) {
      case kSrc:
        Prefer({host});
        break;
      case kDst:
        Prefer({host + 1});
        break;
      case kProto:
        Prefer({17, 6});
        avoid_ = f == Family::kV4 ? 58 : 1;
        break;
      case kSport:
        Prefer({40000});
        break;
      case kDport:
        Prefer({53, 443});
        break;
      default:
        break;
    }
  }

  void Add(U128 lo, U128 hi) {
    if (!first_) first_ = Span{lo, hi};
    for (size_t k = 0; k < preferred_; ++k) found_[k] |= lo <= prefer_[k] && prefer_[k] <= hi;
    if (!smallest_ok_) {
      if (!avoid_ || lo != *avoid_) {
        smallest_ok_ = lo;
      } else if (lo < hi) {
        smallest_ok_ = lo + 1;
      }
    }
    if (!nonzero_ && hi > 0) nonzero_ = lo > 0 ? lo : 1;
  }

  // The preference its value meets (0 best); one more when none.
  size_t Rank() const {
    if (d_ == kIif) return nonzero_ ? 0 : 1;
    for (size_t k = 0; k < preferred_; ++k) {
      if (found_[k]) return k;
    }
    return preferred_;
  }

  Picked Result() const {
    if (d_ == kIif) return {nonzero_ ? *nonzero_ : 0, true};
    for (size_t k = 0; k < preferred_; ++k) {
      if (found_[k]) return {prefer_[k], true};
    }
    U128 v = first_->hi > first_->lo ? first_->lo + 1 : first_->lo;
    if (avoid_ && v == *avoid_) {
      if (!smallest_ok_) return {v, false};  // the only value
      v = *smallest_ok_;
    }
    return {v, true};
  }

 private:
  Dim d_;
  void Prefer(std::initializer_list<U128> values) {
    for (U128 v : values) prefer_[preferred_++] = v;
  }

  std::array<U128, 2> prefer_{};  // no vector: a group is made per piece set, often
  size_t preferred_ = 0;
  std::array<bool, 2> found_{};
  std::optional<U128> avoid_;
  std::optional<Span> first_;
  std::optional<U128> smallest_ok_, nonzero_;
};

// A group of one level: the classes present on its pieces, and its readable value.
struct Group {
  std::vector<ClassId> present;
  Picker pick;
};

class Walker {
 public:
  Walker(const SpanPool& pool, const std::vector<Item>& items, Family f, const Point& max,
         size_t max_work)
      : pool_(pool),
        items_(items),
        f_(f),
        max_(max),
        max_work_(max_work),
        stamp_(pool.size(), 0),
        picks_(pool.size()) {
    facts_.kept.assign(items.size(), 0);
    facts_.overridden.assign(items.size(), 0);
    facts_.covering.resize(items.size());
    facts_.router.resize(items.size());
  }

  CellFacts Run() {
    OrderDims();
    std::vector<uint32_t> all(items_.size());
    std::iota(all.begin(), all.end(), 0);
    Point at{};
    Level(0, all, at, true);
    return std::move(facts_);
  }

 private:
  // The dimension with the most boundaries first: it is cut once, the others per group.
  void OrderDims() {
    std::array<size_t, kDims> bounds{};
    for (int d = 0; d < kDims; ++d) {
      ++epoch_;
      for (const Item& it : items_) {
        if (stamp_[it.dim[d]] == epoch_) continue;
        stamp_[it.dim[d]] = epoch_;
        bounds[d] += pool_.Get(it.dim[d]).size();
      }
    }
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(),
                     [&](int a, int b) { return bounds[a] > bounds[b]; });
  }

  void Level(size_t level, const std::vector<uint32_t>& here, Point& at, bool plain) {
    if (level == kDims) return Cell(here, at, plain);
    if (facts_.gave_up) return;
    if (level > 0 && !seen_[level].Insert(here, plain, uint32_t(must_ + 1))) return;
    if (must_ < 0 && SplitTail(level, here, at, plain)) return;
    Dim d = Dim(order_[level]);
    ++epoch_;
    std::vector<ClassId> classes;
    for (uint32_t i : here) {
      ClassId c = items_[i].dim[d];
      if (stamp_[c] != epoch_) {
        stamp_[c] = epoch_;
        classes.push_back(c);
      }
    }
    if (classes.size() == 1) {  // every item is present on the same pieces
      Picked p = PickOf(classes[0], d);
      at[d] = p.value;
      return Level(level + 1, here, at, plain && p.plain);
    }
    for (const Group& g : Partition(d, classes)) {
      ++epoch_;
      for (ClassId c : g.present) stamp_[c] = epoch_;
      if (must_ >= 0 && stamp_[items_[must_].dim[d]] != epoch_) continue;
      std::vector<uint32_t> sub;
      bool rule = false;
      for (uint32_t i : here) {
        if (stamp_[items_[i].dim[d]] != epoch_) continue;
        sub.push_back(i);
        rule |= items_[i].kind == Item::kRule;
      }
      if (!rule) continue;
      Picked p = g.pick.Result();
      at[d] = p.value;
      Level(level + 1, sub, at, plain && p.plain);
    }
  }

  // When an owning item is whole in every dimension left, every cell below has it, so the
  // items after it keep nothing here: they are walked one at a time with the items up to it
  // (and the pseudo-rules), which gives the same cells' owners and keepers with far fewer
  // cells than walking them all together (each tail item's cells are unions of the full
  // walk's cells with the same items up to the cut present).
  bool SplitTail(size_t level, const std::vector<uint32_t>& here, Point& at, bool plain) {
    size_t cut = here.size();
    for (size_t k = 0; k < here.size() && cut == here.size(); ++k) {
      const Item& it = items_[here[k]];
      if (it.kind == Item::kRule && it.owns && WholeBelow(it, level)) cut = k + 1;
    }
    std::vector<uint32_t> head, tail;
    for (size_t k = 0; k < here.size(); ++k) {
      bool rule = items_[here[k]].kind == Item::kRule;
      (k < cut || !rule ? head : tail).push_back(here[k]);
    }
    if (tail.size() < 2 || tail.size() <= head.size()) return false;
    Level(level, head, at, plain);
    uint32_t owner = here[cut - 1];
    if (head.front() == owner) {  // it is the only rule of the head: it takes every cell
      for (uint32_t j : tail) TakenBy(j, owner, level, at, plain);
      return true;
    }
    for (uint32_t j : tail) {  // only the pieces where j is: the head walk did the others
      std::vector<uint32_t> one = head;
      one.insert(std::upper_bound(one.begin(), one.end(), j), j);
      must_ = j;
      Level(level, one, at, plain);
      must_ = -1;
    }
    return true;
  }

  // Tail item j when the owner is the head's only rule: every cell of j here is the owner's,
  // so the facts need no cells (a point of j from the dimensions left completes the witness).
  void TakenBy(uint32_t j, uint32_t owner, size_t level, Point at, bool plain) {
    ++work_;
    for (size_t l = level; l < kDims; ++l) {
      Picked p = PickOf(items_[j].dim[order_[l]], Dim(order_[l]));
      at[order_[l]] = p.value;
      plain = plain && p.plain;
    }
    Witnessed& w = facts_.covering[j][owner];
    if (!w.set || (plain && !w.plain)) w = {at, true, plain};
    const Item& o = items_[owner];
    if (o.main && !items_[j].main && items_[j].rule > o.last_entry) facts_.overridden[owner] = 1;
  }

  bool WholeBelow(const Item& it, size_t level) const {
    for (size_t l = level; l < kDims; ++l) {
      int d = order_[l];
      const Spans& s = pool_.Get(it.dim[d]);
      if (s.size() != 1 || s[0].lo != 0 || s[0].hi != max_[d]) return false;
    }
    return true;
  }

  // The pieces of dimension d between consecutive boundaries of `classes`, grouped by the
  // classes present on them, in the order of their first piece.
  std::vector<Group> Partition(Dim d, const std::vector<ClassId>& classes) {
    std::vector<Event>& events = events_;  // reused: Partition does not recurse
    events.clear();
    for (ClassId c : classes) {
      for (const Span& s : pool_.Get(c)) {
        events.push_back({s.lo, c, true});
        if (s.hi != ~U128(0)) events.push_back({s.hi + 1, c, false});
      }
    }
    work_ += events.size();
    std::sort(events.begin(), events.end(),
              [](const Event& a, const Event& b) { return a.at < b.at; });
    std::vector<Group> groups;
    groups.reserve(8);
    std::map<std::vector<ClassId>, size_t> index;  // once groups are many
    std::vector<ClassId> present;                  // sorted
    for (size_t k = 0; k < events.size();) {
      U128 from = events[k].at;
      for (; k < events.size() && events[k].at == from; ++k) {
        auto it = std::lower_bound(present.begin(), present.end(), events[k].c);
        if (events[k].start) {
          present.insert(it, events[k].c);
        } else {
          present.erase(it);
        }
      }
      if (present.empty()) continue;
      U128 to = k < events.size() ? events[k].at - 1 : ~U128(0);
      groups[GroupOf(present, d, groups, index)].pick.Add(from, to);
    }
    // Groups holding a preferred value first (udp before tcp, port 53 first): the first cell
    // met gives the witness, so it reads as plainly as the pieces allow.
    std::stable_sort(groups.begin(), groups.end(),
                     [](const Group& a, const Group& b) { return a.pick.Rank() < b.pick.Rank(); });
    return groups;
  }

  // The index in `groups` of the group with these classes, made if new. Most partitions have
  // a few groups: a scan finds them without the map's allocations.
  size_t GroupOf(const std::vector<ClassId>& present, Dim d, std::vector<Group>& groups,
                 std::map<std::vector<ClassId>, size_t>& index) {
    constexpr size_t kScan = 8;
    if (groups.size() <= kScan) {
      for (size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].present == present) return g;
      }
      groups.push_back(Group{present, Picker(d, f_)});
      if (groups.size() <= kScan) return groups.size() - 1;
      for (size_t g = 0; g < groups.size(); ++g) index.emplace(groups[g].present, g);
      return groups.size() - 1;
    }
    auto [it, fresh] = index.try_emplace(present, groups.size());
    if (fresh) groups.push_back(Group{present, Picker(d, f_)});
    return it->second;
  }

  Picked PickOf(ClassId c, Dim d) {
    auto& slot = picks_[c][d];
    if (!slot) {
      Picker p(d, f_);
      for (const Span& s : pool_.Get(c)) p.Add(s.lo, s.hi);
      slot = p.Result();
    }
    return *slot;
  }

  // A cell: its first owning rule takes it; rules before that one (and it) keep it.
  void Cell(const std::vector<uint32_t>& here, const Point& at, bool plain) {
    work_ += here.size();
    if (work_ > max_work_) facts_.gave_up = true;
    bool link = false, router = false, other = false;
    size_t last_other = 0;  // the last rule with a target other than main
    for (uint32_t i : here) {
      const Item& it = items_[i];
      if (it.kind == Item::kLinkAddress) link = true;
      if (it.kind == Item::kRouterService) router = true;
      if (it.kind == Item::kRule && !it.main) other = true, last_other = it.rule;
    }
    std::optional<uint32_t> owner;
    for (uint32_t i : here) {
      const Item& it = items_[i];
      if (it.kind != Item::kRule) continue;
      if (owner) {
        Witnessed& w = facts_.covering[i][*owner];
        if (!w.set || (plain && !w.plain)) w = {at, true, plain};
        continue;
      }
      facts_.kept[i] = 1;
      if (it.main && (link || (other && last_other > it.last_entry))) facts_.overridden[i] = 1;
      if (router && it.router_check && !facts_.router[i].set) facts_.router[i] = {at, true, plain};
      if (it.owns) owner = i;
    }
  }

  struct Event {
    U128 at;
    ClassId c;
    bool start;
  };

  const SpanPool& pool_;
  const std::vector<Item>& items_;
  Family f_;
  Point max_;  // each dimension's largest value
  size_t max_work_;
  std::array<int, kDims> order_{};
  std::vector<uint64_t> stamp_;
  uint64_t epoch_ = 0;
  std::vector<std::array<std::optional<Picked>, kDims>> picks_;
  std::array<SeenSets, kDims> seen_;
  std::vector<Event> events_;
  size_t work_ = 0;
  int64_t must_ = -1;  // in a tail item's walk (SplitTail): the item; pieces without it are skipped
  CellFacts facts_;
};

}  // namespace

CellFacts WalkCells(const SpanPool& pool, const std::vector<Item>& items, Family f,
                    const Point& max, size_t max_work) {
  return Walker(pool, items, f, max, max_work).Run();
}

}  // namespace pbrc::analysis
