// Sets updated in place: when the kernel's table differs from the policy only in set
// elements, apply sends one nft transaction that deletes and adds exactly those elements
// instead of replacing the table, so rule handles, counters, the connections' marks and the
// other elements stay. The kernel deletes an interval element only as it holds it, so the
// kernel's own elements are read: every element not wholly wanted any more is deleted, and
// what the policy wants beyond the elements kept is added (never overlapping a kept one).
// The change goes to the kernel as one libnftnl batch (nftnl_batch.cc): nft 1.0.6 takes
// seconds per thousand deleted intervals in userspace (issue 10).
#include <algorithm>
#include <map>
#include <string_view>

#include "../live/live.h"
#include "internal.h"

namespace pbrc::apply {
namespace {

// Normalized intervals are sorted by family, then start.
bool Before(const Interval& a, const Interval& b) {
  return a.family != b.family ? a.family < b.family : a.lo < b.lo;
}

// The kernel's intervals `now` not among the policy's normalized `want` (deleted), and
// `want`'s not among `now` (added): one merge of two sorted lists when `now` is strictly
// sorted (a record's or a listing's intervals are), else by search.
void Split(const std::vector<Interval>& now, const std::vector<Interval>& want,
           std::vector<Interval>& gone, std::vector<Interval>& add) {
  auto unordered = [](const Interval& a, const Interval& b) { return !Before(a, b); };
  if (std::adjacent_find(now.begin(), now.end(), unordered) == now.end()) {  // strictly sorted
    size_t i = 0, j = 0;
    while (i < now.size() && j < want.size()) {
      if (now[i] == want[j]) {
        ++i, ++j;
      } else if (Before(now[i], want[j])) {
        gone.push_back(now[i++]);
      } else if (Before(want[j], now[i])) {
        add.push_back(want[j++]);
      } else {  // same start, another end: the kernel's goes, the policy's comes
        gone.push_back(now[i++]);
      }
    }
    gone.insert(gone.end(), now.begin() + i, now.end());
    add.insert(add.end(), want.begin() + j, want.end());
    return;
  }
  std::vector<Interval> kept;
  for (const auto& k : now) {
    auto at = std::lower_bound(want.begin(), want.end(), k, Before);
    (at != want.end() && *at == k ? kept : gone).push_back(k);
  }
  add = Subtract(want, Normalize(kept));
}

// A changed map with the same key, data and flags: the element lines only one side has,
// encoded. The lines are the kernel's own listing of its elements (or of a fresh load of
// the recorded policy, which the kernel holds exactly), so deleting them deletes exactly
// those elements.
bool MapElementsChange(const plan::Change& c, MapElementChange& out, std::string& err) {
  std::string_view head = plan::SplitMap(c.before).header;
  MapShape shape;
  if (head != plan::SplitMap(c.after).header || !ReadMapHeader(std::string(head), shape, err))
    return false;
  std::vector<std::string_view> gone, add;
  plan::MapElementDiff(c, add, gone);
  out.map = c.key;
  for (auto [lines, to] : {std::pair{&gone, &out.del}, std::pair{&add, &out.add}}) {
    for (auto line : *lines)
      if (!EncodeMapElement(shape, std::string(line), to->emplace_back(), err)) return false;
  }
  return true;
}

}  // namespace

std::optional<SetUpdate> ElementOnlyUpdate(const ir::Program& p, const plan::Plan& plan,
                                           const live::TableListing* listed, std::string& err,
                                           const plan::State* known, const plan::State* desired) {
  std::map<std::string, std::string> changed;  // plan key "NAME FAMILY" -> NAME
  std::vector<MapElementChange> maps;
  for (const auto& c : plan.changes) {
    if (!plan::IsNftKind(c.kind)) continue;
    if (c.op != plan::Op::kChange) return std::nullopt;
    if (c.kind == plan::Kind::kMap) {
      std::string why;  // a map apply cannot encode is replaced with the table
      if (!MapElementsChange(c, maps.emplace_back(), why)) return std::nullopt;
      continue;
    }
    if (c.kind != plan::Kind::kSet) return std::nullopt;
    changed[c.key] = c.key.substr(0, c.key.rfind(' '));
  }
  if (changed.empty() && maps.empty()) return std::nullopt;
  // The kernel's elements of the changed sets: from the listing the plan read (each kernel
  // interval is one listed element), else by a raw dump. Either read walks the kernel's whole
  // set, which for 100k intervals costs about as much as a libnftables listing, so the
  // plan's listing is never read twice.
  std::map<std::string, std::vector<Interval>> kernel;
  std::map<std::string, const std::vector<Interval>*> borrowed;  // from `known`, not copied
  if (known) {
    // The kernel holds exactly what a fresh load of `known` gives: its normalized intervals.
    for (const auto& o : known->objects)
      if (o.kind == plan::Kind::kSet && changed.count(o.key))
        borrowed[changed[o.key]] = &o.elements.vec();
  } else if (listed && listed->exists) {
    if (!live::SetElements(listed->json, kernel, err)) return std::nullopt;
  } else {
    for (const auto& [key, name] : changed)
      if (!DumpSetElements(p.opts.nft_table, name, kernel[name], err)) return std::nullopt;
  }
  SetUpdate u;
  std::optional<plan::State> own;
  if (!desired) desired = &own.emplace(plan::FromProgram(p));
  for (const auto& o : desired->objects) {
    auto it = changed.find(o.key);
    if (o.kind != plan::Kind::kSet || it == changed.end()) continue;
    // An element stays only when it is one of the policy's normalized intervals, so the
    // kernel ends with exactly the elements a fresh load gives (the same listing).
    std::vector<Interval> gone, add;
    auto lent = borrowed.find(it->second);
    const auto& now = lent != borrowed.end() ? *lent->second : kernel[it->second];
    Split(now, o.elements.vec(), gone, add);
    u.deleted += gone.size();
    u.added += add.size();
    u.changes.push_back(
        {it->second, IntervalList(std::move(gone)), IntervalList(std::move(add)), now.empty()});
    ++u.sets;
  }
  for (const auto& m : maps) u.deleted += m.del.size(), u.added += m.add.size();
  u.maps = std::move(maps);
  return u;
}

}  // namespace pbrc::apply
