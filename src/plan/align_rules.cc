// Rules matched by content and order (plan.h, AlignRules). Per group, the longest common
// subsequence of the two rule lists (by attrs) is unchanged; between two matched rules the
// remaining ones pair up in order as changes, and what is left is added or removed. So
// inserting one rule is one `+`, not a `~` for every rule after it, and order still counts:
// a rule moved ahead of another is a removal and an addition.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "pbrc/plan.h"

namespace pbrc::plan {
namespace {

// Past this many cells (after the common prefix and suffix) the middle pairs up in order.
constexpr size_t kMaxCells = size_t(1) << 22;

using Rules = std::vector<Object*>;

// Index i of `d` matched with index j of `l`, in order.
std::vector<std::pair<size_t, size_t>> Lcs(const Rules& d, const Rules& l) {
  size_t n = d.size(), m = l.size();
  std::vector<uint32_t> len((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return len[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      at(i, j) =
          d[i]->attrs == l[j]->attrs ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0, j = 0; i < n && j < m;) {
    if (d[i]->attrs == l[j]->attrs) {
      out.push_back({i++, j++});
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

// Matched pairs: the common prefix and suffix by content (so a few edits in a long list cost
// only their neighbourhood), the LCS of what lies between them.
std::vector<std::pair<size_t, size_t>> Match(const Rules& d, const Rules& l) {
  size_t pre = 0, suf = 0;
  while (pre < d.size() && pre < l.size() && d[pre]->attrs == l[pre]->attrs) ++pre;
  while (suf < d.size() - pre && suf < l.size() - pre &&
         d[d.size() - 1 - suf]->attrs == l[l.size() - 1 - suf]->attrs)
    ++suf;
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t k = 0; k < pre; ++k) out.push_back({k, k});
  Rules dm(d.begin() + pre, d.end() - suf), lm(l.begin() + pre, l.end() - suf);
  if (dm.size() * lm.size() <= kMaxCells) {
    for (auto [i, j] : Lcs(dm, lm)) out.push_back({pre + i, pre + j});
  }
  for (size_t k = suf; k-- > 0;) out.push_back({d.size() - 1 - k, l.size() - 1 - k});
  return out;
}

// Rekeys `l` (current) to the keys of `d` (desired) it corresponds to.
void AlignGroup(const Rules& d, const Rules& l, const AlignOptions& o,
                const std::set<std::string>& desired_keys) {
  auto matched = Match(d, l);
  matched.push_back({d.size(), l.size()});  // the end closes the last gap
  std::vector<std::string> keys(l.size());
  auto unmatched = [&](const Object* x) {
    return o.always_mark || desired_keys.count(x->key) ? x->key + o.unmatched_suffix : x->key;
  };
  size_t i = 0, j = 0;
  for (auto [mi, mj] : matched) {
    // The gap before this match: pair in order, the rest keeps a key no desired rule has.
    for (; i < mi && j < mj; ++i, ++j) keys[j] = d[i]->key;
    for (; j < mj; ++j) keys[j] = unmatched(l[j]);
    i = mi;
    if (mi < d.size()) keys[j++] = d[i++]->key;
  }
  for (size_t k = 0; k < l.size(); ++k) l[k]->key = keys[k];
}

// Current rules whose key is an identity that desired has, in current order: they match by
// key alone, whatever their content or place, except that order counts: those outside the
// longest run in desired order were moved, and become a removal (and the desired one an add).
// Returns the keys matched this way (desired side) and adds the current rules to `done`.
std::set<std::string> MatchByIdentity(const State& desired, State& current, const AlignOptions& o,
                                      std::set<const Object*>& done) {
  std::map<std::string, size_t> rank;  // desired order
  for (const auto& x : desired.objects)
    if (x.kind == Kind::kRule) rank.emplace(x.key, rank.size());
  std::map<std::string, std::vector<Object*>> groups;
  for (auto& x : current.objects)
    if (x.kind == Kind::kRule && o.identity(x.key) && rank.count(x.key))
      groups[o.group(x.key)].push_back(&x);
  std::set<std::string> out;
  for (auto& [group, rules] : groups) {
    // Longest increasing subsequence of desired ranks (patience sorting).
    std::vector<size_t> tails, tail_at, prev(rules.size(), SIZE_MAX);
    for (size_t k = 0; k < rules.size(); ++k) {
      size_t r = rank[rules[k]->key];
      auto it = std::lower_bound(tails.begin(), tails.end(), r);
      size_t len = static_cast<size_t>(it - tails.begin());
      if (len > 0) prev[k] = tail_at[len - 1];
      if (it == tails.end()) {
        tails.push_back(r);
        tail_at.push_back(k);
      } else {
        *it = r;
        tail_at[len] = k;
      }
    }
    std::vector<bool> in_order(rules.size());
    for (size_t k = tails.empty() ? SIZE_MAX : tail_at.back(); k != SIZE_MAX; k = prev[k])
      in_order[k] = true;
    for (size_t k = 0; k < rules.size(); ++k) {
      out.insert(rules[k]->key);
      done.insert(rules[k]);
      if (!in_order[k])
        rules[k]->key += o.unmatched_suffix.empty() ? " (moved)" : o.unmatched_suffix;
    }
  }
  return out;
}

}  // namespace

void AlignRules(State& desired, State& current, const AlignOptions& o) {
  std::set<std::string> desired_keys;
  for (const auto& x : desired.objects)
    if (x.kind == Kind::kRule) desired_keys.insert(x.key);
  std::set<const Object*> done;
  std::set<std::string> identified = MatchByIdentity(desired, current, o, done);
  std::map<std::string, Rules> d, l;
  for (auto& x : desired.objects)
    if (x.kind == Kind::kRule && !identified.count(x.key)) d[o.group(x.key)].push_back(&x);
  for (auto& x : current.objects)
    if (x.kind == Kind::kRule && !done.count(&x)) l[o.group(x.key)].push_back(&x);
  for (auto& [group, rules] : l) AlignGroup(d[group], rules, o, desired_keys);
}

void AlignPolicyRules(State& desired, State& current) {
  AlignOptions o;
  // "rule 7 ip classify": the family and the chain, after the id.
  o.group = [](const std::string& key) { return key.substr(key.find(' ', key.find(' ') + 1) + 1); };
  o.identity = [](const std::string& key) { return key.rfind("inbound ", 0) == 0; };
  o.unmatched_suffix = " (old)";
  AlignRules(desired, current, o);
  SortState(desired);
  SortState(current);
}

Plan DiffPolicies(const ir::Program& desired, const ir::Program& current) {
  State d = FromProgram(desired), c = FromProgram(current);
  AlignPolicyRules(d, c);
  return Diff(d, c);
}

}  // namespace pbrc::plan
