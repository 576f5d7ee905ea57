// `diff OLD NEW`: rule ids are positions, so rules align by content; one inserted rule is one
// add, not a change of every rule after it.
#include <gtest/gtest.h>

#include "pbrc/plan.h"

namespace pbrc::plan {
namespace {

State Policy(const std::vector<std::string>& attrs, const std::string& fam = "ip") {
  State s;
  for (size_t i = 0; i < attrs.size(); ++i)
    s.objects.push_back(
        {Kind::kRule, "rule " + std::to_string(i) + " " + fam + " classify", attrs[i], "", {}});
  SortState(s);
  return s;
}

std::string PlanOf(State desired, State current) {
  AlignPolicyRules(desired, current);
  std::string out;
  for (const auto& c : Diff(desired, current).changes)
    out += std::string(OpName(c.op)) + " " + c.key + "; ";
  return out;
}

TEST(AlignPolicyRules, InsertionIsOneAdd) {
  std::vector<std::string> old = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};
  std::vector<std::string> now = old;
  now.insert(now.begin() + 1, "new");
  EXPECT_EQ(PlanOf(Policy(now), Policy(old)), "add rule 1 ip classify; ");
}

TEST(AlignPolicyRules, RemovalKeepsOldIdMarked) {
  // OLD's rule 1 is gone; NEW's rule 1 is OLD's rule 2, so the removed one is "(old)".
  EXPECT_EQ(PlanOf(Policy({"a", "c"}), Policy({"a", "b", "c"})),
            "remove rule 1 ip classify (old); ");
  // The last rule removed: no other rule has its id.
  EXPECT_EQ(PlanOf(Policy({"a", "b"}), Policy({"a", "b", "c"})), "remove rule 2 ip classify; ");
}

TEST(AlignPolicyRules, ChangeInPlaceIsOneChange) {
  EXPECT_EQ(PlanOf(Policy({"a", "x", "c"}), Policy({"a", "b", "c"})),
            "change rule 1 ip classify; ");
}

TEST(AlignPolicyRules, FamiliesAlignSeparately) {
  State d = Policy({"a", "b"}), c = Policy({"b"});
  for (auto& o : Policy({"z"}, "ip6").objects) c.objects.push_back(o);
  SortState(c);
  EXPECT_EQ(PlanOf(d, c), "add rule 0 ip classify; remove rule 0 ip6 classify; ");
}

}  // namespace
}  // namespace pbrc::plan
