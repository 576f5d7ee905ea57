// Drift: the kernel keeps no record of the policy last applied, so `diff --applied PREV`
// names it. A change is drift when the kernel's object differs from PREV's (someone edited
// pbrc's objects by hand); otherwise it comes from the policy change PREV -> POLICY. Rules
// are compared by content per chain: a kernel rule PREV does not have was made by hand, a
// PREV rule the kernel lacks was deleted by hand.
#include <set>
#include <utility>

#include "live.h"

namespace pbrc::live {
namespace {

std::string ChainOf(const std::string& key) { return key.substr(0, key.find(' ')); }

}  // namespace

void MarkDrift(plan::Plan& plan, plan::State applied, plan::State current) {
  AlignRules(applied, current);
  plan::SortState(applied);
  plan::SortState(current);
  std::set<std::pair<plan::Kind, std::string>> edited;
  std::set<std::string> made, deleted;  // chain + "\n" + rule text
  for (const auto& c : plan::Diff(applied, current).changes) {
    // Only the sysctls the new policy names are read; one the previous policy did not name
    // was not pbrc's then.
    if (c.kind == plan::Kind::kSysctl && c.op == plan::Op::kRemove) continue;
    if (c.kind != plan::Kind::kRule) {
      edited.insert({c.kind, c.key});
      continue;
    }
    if (c.op != plan::Op::kAdd) made.insert(ChainOf(c.key) + "\n" + c.before);
    if (c.op != plan::Op::kRemove) deleted.insert(ChainOf(c.key) + "\n" + c.after);
  }
  for (auto& c : plan.changes) {
    if (c.kind != plan::Kind::kRule) {
      c.drift = edited.count({c.kind, c.key}) > 0;
      continue;
    }
    std::string chain = ChainOf(c.key) + "\n";
    c.drift = (c.op != plan::Op::kAdd && made.count(chain + c.before)) ||
              (c.op != plan::Op::kRemove && deleted.count(chain + c.after));
  }
}

}  // namespace pbrc::live
