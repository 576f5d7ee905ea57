#include <gtest/gtest.h>

#include "testing.h"

namespace pbrc {
namespace {

using testing::CompileText;

TEST(Allocate, MarksFillTheMaskLowestFirstAroundExplicitOnes) {
  auto r = CompileText(
      "options { mark mask 0xf0; }\n"
      "link a { device e1; }\nlink b { device e2; mark 0x10; }\nlink c { device e3; }\n"
      "policy { to 1.1.1.1 via a; to 2.2.2.2 via main; to 3.3.3.3 via table 300; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  const auto& t = r.c->ir->targets;
  ASSERT_EQ(t.size(), 5u);  // a b c, table 300, main
  EXPECT_EQ(t[0].mark, 0x20u);
  EXPECT_EQ(t[1].mark, 0x10u);
  EXPECT_EQ(t[2].mark, 0x30u);
  EXPECT_EQ(t[3].mark, 0x40u);
  EXPECT_EQ(t[4].mark, 0x50u);
}

TEST(Allocate, NonContiguousMask) {
  auto r = CompileText(
      "options { mark mask 0x101; }\nlink a { device e1; }\nlink b { device e2; }\n"
      "link c { device e3; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  EXPECT_EQ(r.c->ir->targets[0].mark, 0x1u);
  EXPECT_EQ(r.c->ir->targets[1].mark, 0x100u);
  EXPECT_EQ(r.c->ir->targets[2].mark, 0x101u);
}

TEST(Allocate, MarksExhausted) {
  auto r =
      CompileText("options { mark mask 0x1; }\nlink a { device e1; }\nlink b { device e2; }\n");
  EXPECT_NE(r.diags.find("t.pbr:3:6: error[E0405]: no mark left inside mask 0x1 for 'b'"),
            std::string::npos)
      << r.diags;
}

TEST(Allocate, TablesSkipExplicitIds) {
  auto r = CompileText(
      "options { table ids 1000-1002; }\nlink a { device e1; }\nlink b { device e2; table 1000; }\n"
      "link c { device e3; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  EXPECT_EQ(r.c->ir->targets[0].table, 1001u);
  EXPECT_EQ(r.c->ir->targets[1].table, 1000u);
  EXPECT_EQ(r.c->ir->targets[2].table, 1002u);
}

TEST(Allocate, TablesExhausted) {
  auto r = CompileText(
      "options { table ids 1000-1000; }\nlink a { device e1; }\nlink b { device e2; }\n");
  EXPECT_NE(r.diags.find("error[E0504]: no free table id left for link 'b'"), std::string::npos)
      << r.diags;
}

TEST(Allocate, PreferencesFollowTheDocumentedLayout) {
  auto r = CompileText(
      "options { preference 100-109; }\nlink a { device e1; address 10.0.0.2; }\n"
      "policy { oif e1 via a; from 10.1.0.0/16 via a; proto tcp via main; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  std::vector<std::pair<uint32_t, ir::IpRuleKind>> got;
  for (const auto& ru : r.c->ir->ip_rules) got.emplace_back(ru.pref, ru.kind);
  std::vector<std::pair<uint32_t, ir::IpRuleKind>> want = {
      {100, ir::IpRuleKind::kOif},      {101, ir::IpRuleKind::kSuppressMain},
      {102, ir::IpRuleKind::kFwmark},   {102, ir::IpRuleKind::kFwmark},
      {103, ir::IpRuleKind::kSelector}, {104, ir::IpRuleKind::kLinkAddress}};
  EXPECT_EQ(got, want);
}

TEST(Allocate, BandTooSmall) {
  auto r =
      CompileText("options { preference 100-101; }\nlink a { device e1; address 10.0.0.2; }\n");
  EXPECT_NE(
      r.diags.find("error[E0703]: the policy needs 3 rule preferences, the band 100-101 holds 2"),
      std::string::npos)
      << r.diags;
}

TEST(Lowering, IsDeterministic) {
  std::string text =
      "set b = { 10.0.0.0/8, 2001:db8::/32 };\nset a = { 10.1.0.0/16 };\nlink x { device e1; "
      "gateway 1.1.1.1; }\n"
      "policy { from set a via x; to set b via main; }\n";
  auto r1 = CompileText(text), r2 = CompileText(text);
  ASSERT_TRUE(r1.c->ir && r2.c->ir);
  EXPECT_EQ(ir::Print(*r1.c->ir), ir::Print(*r2.c->ir));
  auto arts1 = Emit(*r1.c->ir, ArtifactKinds()), arts2 = Emit(*r2.c->ir, ArtifactKinds());
  ASSERT_EQ(arts1.size(), arts2.size());
  for (size_t i = 0; i < arts1.size(); ++i) EXPECT_EQ(arts1[i].text, arts2[i].text);
}

}  // namespace
}  // namespace pbrc
