// Allocation: marks inside the mark mask, table ids inside the automatic range, and rule
// preferences inside the band, all in a fixed order so the same policy gets the same numbers.
#include <algorithm>
#include <map>
#include <set>

#include "pbrc/ir.h"
#include "pbrc/text.h"

namespace pbrc::ir {
namespace {

// Spreads the bits of n over the set bits of mask, lowest first (x86 PDEP): the n-th value
// that fits the mask. Returns 0 when n does not fit.
uint32_t Deposit(uint64_t n, uint32_t mask) {
  uint32_t out = 0;
  int k = 0;
  for (uint32_t m = mask; m != 0; m &= m - 1, ++k) {
    if ((n >> k) & 1) out |= m & (~m + 1);
  }
  return (n >> k) ? 0 : out;
}

bool Marks(Program& p, Diagnostics& diags) {
  std::set<uint32_t> used;
  for (const auto& t : p.targets)
    if (t.mark_explicit) used.insert(t.mark);
  uint32_t capacity = __builtin_popcount(p.opts.mark_mask);
  uint64_t limit = capacity >= 32 ? UINT32_MAX : (uint64_t(1) << capacity) - 1;
  uint64_t n = 1;
  for (auto& t : p.targets) {
    if (t.mark_explicit) continue;
    while (n <= limit && used.count(Deposit(n, p.opts.mark_mask))) ++n;
    if (n > limit) {
      std::string msg =
          "no mark left inside mask " + Hex(p.opts.mark_mask) + " for '" + t.name + "'";
      auto& d = t.kind == TargetKind::kLink ? diags.Error(Code::kMarksExhausted, t.range, msg)
                : p.opts.mask_range ? diags.Error(Code::kMarksExhausted, *p.opts.mask_range, msg)
                                    : diags.ErrorNoRange(Code::kMarksExhausted, msg);
      d.help = "widen 'mark mask' in options; each link, table and 'main' target needs a mark";
      return false;
    }
    t.mark = Deposit(n++, p.opts.mark_mask);
    used.insert(t.mark);
  }
  return true;
}

bool Tables(Program& p, Diagnostics& diags) {
  std::set<uint32_t> used;
  for (const auto& t : p.targets)
    if (t.table_explicit) used.insert(t.table);
  uint64_t next = p.opts.table_lo;
  for (auto& t : p.targets) {
    if (t.table_explicit) continue;
    while (next <= p.opts.table_hi && used.count(static_cast<uint32_t>(next))) ++next;
    if (next > p.opts.table_hi) {
      diags
          .Error(Code::kTablesExhausted, t.range, "no free table id left for link '" + t.name + "'")
          .help = "widen 'table ids' in options, or give the link 'table N;'";
      return false;
    }
    t.table = static_cast<uint32_t>(next++);
    used.insert(t.table);
  }
  return true;
}

// Rules of one slot share a preference in both families. oif and selector rules are keyed
// on the policy rule's id: origins ("file:line") repeat across rules on one line and across
// imported files with the same name.
std::string Slot(const IpRule& r) {
  IpRuleKindInfo kind = Describe(r.kind);
  switch (kind.slot) {
    case PrefSlot::kShared:
      return kind.name;
    case PrefSlot::kPerAddress:
      return std::string("addr ") + (r.from ? FormatPrefix(*r.from) : "");
    case PrefSlot::kPerRule:
      break;
  }
  return "rule " + std::to_string(r.rule.value_or(0));
}

bool Preferences(Program& p, Diagnostics& diags) {
  std::map<std::string, uint32_t> slots;
  uint64_t next = p.opts.pref_lo;
  for (auto& r : p.ip_rules) {
    auto [it, fresh] = slots.emplace(Slot(r), static_cast<uint32_t>(next));
    if (fresh) ++next;
    r.pref = it->second;
  }
  if (next - 1 > p.opts.pref_hi) {
    std::string msg = "the policy needs " + std::to_string(slots.size()) +
                      " rule preferences, the band " + std::to_string(p.opts.pref_lo) + "-" +
                      std::to_string(p.opts.pref_hi) + " holds " +
                      std::to_string(p.opts.pref_hi - p.opts.pref_lo + 1);
    auto& d = p.opts.pref_range ? diags.Error(Code::kPreferenceBand, *p.opts.pref_range, msg)
                                : diags.ErrorNoRange(Code::kPreferenceBand, msg);
    d.help = "widen 'preference' in options";
    d.notes.push_back(
        "oif rules, main without default, the fwmark rules, then selector and "
        "link-address rules each take one preference");
    return false;
  }
  std::stable_sort(p.ip_rules.begin(), p.ip_rules.end(), [](const IpRule& a, const IpRule& b) {
    return a.family != b.family ? a.family < b.family : a.pref < b.pref;
  });
  return true;
}

}  // namespace

bool Allocate(Program& p, Diagnostics& diags) {
  if (!Marks(p, diags) || !Tables(p, diags)) return false;
  for (auto& r : p.ip_rules) {
    if (!r.target) continue;
    const Target& t = p.targets[*r.target];
    r.table = t.table;
    if (r.kind == IpRuleKind::kFwmark) r.fwmark = t.mark;
  }
  for (auto& r : p.routes) r.table = p.targets[r.target].table;
  std::stable_sort(p.routes.begin(), p.routes.end(), [](const Route& a, const Route& b) {
    if (a.table != b.table) return a.table < b.table;
    if (a.family != b.family) return a.family < b.family;
    if (a.dst.has_value() != b.dst.has_value()) return !a.dst.has_value();
    if (!a.dst) return false;
    if (a.dst->addr.value != b.dst->addr.value) return a.dst->addr.value < b.dst->addr.value;
    return a.dst->len < b.dst->len;
  });
  return Preferences(p, diags);
}

}  // namespace pbrc::ir
