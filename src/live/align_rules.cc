// The kernel keeps no rule ids, so live rules are matched by content, in order: per chain, the
// longest common subsequence of the two rule lists is unchanged; between two matched rules
// the remaining ones pair up in order as changes, and what is left is added or removed.
// Inserting one rule is then one `+`, not a `~` for every rule after it. Order still counts:
// a rule moved ahead of another is a removal and an addition.
#include <algorithm>
#include <map>

#include "live.h"

namespace pbrc::live {
namespace {

// Past this many cells the alignment is skipped and rules stay matched by position.
constexpr size_t kMaxCells = size_t(1) << 22;

using Rules = std::vector<plan::Object*>;

std::map<std::string, Rules> ByChain(plan::State& s) {
  std::map<std::string, Rules> out;
  for (auto& o : s.objects) {
    if (o.kind != plan::Kind::kRule) continue;
    out[o.key.substr(0, o.key.rfind(" #"))].push_back(&o);
  }
  return out;
}

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

void AlignChain(const Rules& d, const Rules& l) {
  if (d.size() * l.size() > kMaxCells) return;
  auto matched = Lcs(d, l);
  matched.push_back({d.size(), l.size()});  // the end closes the last gap
  std::vector<std::string> live_keys(l.size());
  size_t i = 0, j = 0;
  for (auto [mi, mj] : matched) {
    // The gap before this match: pair in order, the rest keeps a key no desired rule has.
    for (; i < mi && j < mj; ++i, ++j) live_keys[j] = d[i]->key;
    for (; j < mj; ++j) live_keys[j] = l[j]->key + " (kernel)";
    i = mi;
    if (mi < d.size()) live_keys[j++] = d[i++]->key;
  }
  for (size_t k = 0; k < l.size(); ++k) l[k]->key = live_keys[k];
}

}  // namespace

void AlignRules(plan::State& desired, plan::State& current) {
  auto d = ByChain(desired);
  auto l = ByChain(current);
  for (auto& [chain, rules] : l) AlignChain(d[chain], rules);
}

}  // namespace pbrc::live
