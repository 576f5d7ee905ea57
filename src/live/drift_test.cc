// Drift: changes where the kernel differs from the policy last applied.
#include <gtest/gtest.h>

#include "live.h"

namespace pbrc::live {
namespace {

plan::State StateOf(std::vector<plan::Object> objects) {
  plan::State s;
  s.objects = std::move(objects);
  return s;
}

TEST(MarkDrift, OnlyHandEditsAreDrift) {
  using plan::Kind;
  // Applied: route via .1, rules a, b. Kernel: route edited to .9, rule x inserted by hand.
  // New policy: route via .1, rules a, c (b -> c is the policy change).
  plan::State applied = StateOf({{Kind::kRoute, "ip table 1 default", "via .1", "", {}},
                                 {Kind::kRule, "classify #1", "a", "", {}},
                                 {Kind::kRule, "classify #2", "b", "", {}}});
  plan::State current = StateOf({{Kind::kRoute, "ip table 1 default", "via .9", "", {}},
                                 {Kind::kRule, "classify #1", "x", "", {}},
                                 {Kind::kRule, "classify #2", "a", "", {}},
                                 {Kind::kRule, "classify #3", "b", "", {}}});
  plan::State desired = StateOf({{Kind::kRoute, "ip table 1 default", "via .1", "", {}},
                                 {Kind::kRule, "classify #1", "a", "", {}},
                                 {Kind::kRule, "classify #2", "c", "", {}}});
  plan::State positional = current;
  AlignRules(desired, current);
  plan::SortState(desired);
  plan::SortState(current);
  plan::Plan p = plan::Diff(desired, current);
  MarkDrift(p, applied, positional);
  std::string got;
  for (const auto& c : p.changes)
    got += std::string(plan::OpName(c.op)) + " " + c.key + (c.drift ? " drift" : "") + "; ";
  EXPECT_EQ(got,
            "remove classify #1 (kernel) drift; change classify #2; "
            "change ip table 1 default drift; ");
}

}  // namespace
}  // namespace pbrc::live
