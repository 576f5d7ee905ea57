// Live rules match desired ones by content and order, not by position.
#include <gtest/gtest.h>

#include "live.h"

namespace pbrc::live {
namespace {

plan::State Rules(const std::vector<std::string>& attrs, const std::string& chain = "classify") {
  plan::State s;
  for (size_t i = 0; i < attrs.size(); ++i)
    s.objects.push_back(
        {plan::Kind::kRule, chain + " #" + std::to_string(i + 1), attrs[i], "", {}});
  return s;
}

std::string PlanOf(plan::State desired, plan::State current) {
  AlignRules(desired, current);
  plan::SortState(desired);
  plan::SortState(current);
  plan::Plan p = plan::Diff(desired, current);
  std::string out;
  for (const auto& c : p.changes) out += std::string(plan::OpName(c.op)) + " " + c.key + "; ";
  return out;
}

TEST(AlignRules, InsertedRuleIsOneAdd) {
  EXPECT_EQ(PlanOf(Rules({"a", "b", "c", "d"}), Rules({"a", "c", "d"})), "add classify #2; ");
  EXPECT_EQ(PlanOf(Rules({"a", "c", "d"}), Rules({"a", "b", "c", "d"})),
            "remove classify #2 (kernel); ");
  EXPECT_EQ(PlanOf(Rules({"a", "b", "c"}), Rules({"a", "b", "c"})), "");
}

TEST(AlignRules, ChangedRulesPairInOrder) {
  EXPECT_EQ(PlanOf(Rules({"a", "x", "c"}), Rules({"a", "b", "c"})), "change classify #2; ");
  // Two changed, one more in the kernel: pairs first, the rest is removed.
  EXPECT_EQ(PlanOf(Rules({"a", "x", "y"}), Rules({"a", "b", "c", "d"})),
            "change classify #2; change classify #3; remove classify #4 (kernel); ");
}

TEST(AlignRules, OrderCounts) {
  // b moved before a: one of them is removed and added again.
  std::string p = PlanOf(Rules({"b", "a"}), Rules({"a", "b"}));
  EXPECT_EQ(p, "add classify #1; remove classify #2 (kernel); ");
}

TEST(AlignRules, ChainsAreSeparate) {
  plan::State d = Rules({"a"}, "classify");
  plan::State l = Rules({"a"}, "restore");
  EXPECT_EQ(PlanOf(d, l), "add classify #1; remove restore #1 (kernel); ");
}

}  // namespace
}  // namespace pbrc::live
