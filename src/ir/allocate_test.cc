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
      "policy { oif e1 via a; to 10.1.0.0/16 via a; proto tcp via main; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  std::vector<std::pair<uint32_t, ir::IpRuleKind>> got;
  // The gateway-less link routes IPv6 too (the oif rule can match it): IPv4 shows the layout.
  for (const auto& ru : r.c->ir->ip_rules) {
    if (ru.family == Family::kV4) got.emplace_back(ru.pref, ru.kind);
  }
  std::vector<std::pair<uint32_t, ir::IpRuleKind>> want = {
      {100, ir::IpRuleKind::kOif},      {101, ir::IpRuleKind::kSuppressMain},
      {102, ir::IpRuleKind::kFwmark},   {102, ir::IpRuleKind::kFwmark},
      {103, ir::IpRuleKind::kSelector}, {104, ir::IpRuleKind::kLinkAddress}};
  EXPECT_EQ(got, want);
}

// Selector preferences of the ip rules of one family, in order, with the rule ids.
std::vector<std::pair<uint32_t, size_t>> SelectorPrefs(const ir::Program& p, Family f) {
  std::vector<std::pair<uint32_t, size_t>> out;
  for (const auto& r : p.ip_rules) {
    if (r.family == f && r.kind == ir::IpRuleKind::kSelector) out.emplace_back(r.pref, *r.rule);
  }
  return out;
}

TEST(Allocate, TwoRulesOnOneLineGetTwoPreferences) {
  auto r = CompileText(
      "options { preference 100-109; }\nlink a { device e1; }\nlink b { device e2; }\n"
      "policy { to 10.1.0.0/16 via a; to 10.2.0.0/16 via b; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  // 100 suppress, 101 fwmark, then one per selector rule.
  std::vector<std::pair<uint32_t, size_t>> want = {{102, 0}, {103, 1}};
  EXPECT_EQ(SelectorPrefs(*r.c->ir, Family::kV4), want);
  EXPECT_EQ(r.c->ir->ip_rules.back().origin, "t.pbr:4");  // origins still name the line
}

TEST(Allocate, SameLineOfTwoFilesWithOneNameGetTwoPreferences) {
  MemoryReader fs;
  fs.Add("x/rules.pbr", "policy { to 10.1.0.0/16 via a; }\n");
  fs.Add("y/rules.pbr", "policy { to 10.2.0.0/16 via b; }\n");
  auto r = CompileText(
      "import \"x/rules.pbr\";\nimport \"y/rules.pbr\";\n"
      "link a { device e1; }\nlink b { device e2; }\n",
      fs);
  ASSERT_TRUE(r.c->ir) << r.diags;
  const ir::Program& p = *r.c->ir;
  std::vector<std::pair<uint32_t, size_t>> got = SelectorPrefs(p, Family::kV4);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].first, got[1].first);
  EXPECT_NE(got[0].second, got[1].second);
  // Both rules come from "rules.pbr:1": the origin alone cannot tell them apart.
  for (const auto& ru : p.ip_rules) {
    if (ru.kind == ir::IpRuleKind::kSelector) {
      EXPECT_EQ(ru.origin, "rules.pbr:1");
    }
  }
}

TEST(Allocate, RuleIdsAreShownInTheIr) {
  auto r = CompileText(
      "link a { device e1; }\npolicy { proto tcp via a; to 10.1.0.0/16 via a; oif e1 via a; "
      "}\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  std::string ir = ir::Print(*r.c->ir);
  EXPECT_NE(ir.find("classify rule=0 t.pbr:2 family=any proto=6"), std::string::npos) << ir;
  EXPECT_NE(ir.find("selector rule=1 to=10.1.0.0/16"), std::string::npos) << ir;
  EXPECT_NE(ir.find("oif rule=2 oif=e1"), std::string::npos) << ir;
  EXPECT_NE(ir.find("(inbound)"), std::string::npos) << ir;
  EXPECT_EQ(ir.find("rule= "), std::string::npos) << ir;
}

TEST(Allocate, BandTooSmall) {
  auto r =
      CompileText("options { preference 100-101; }\nlink a { device e1; address 10.0.0.2; }\n");
  EXPECT_NE(
      r.diags.find("error[E0703]: the policy needs 3 rule preferences, the band 100-101 holds 2"),
      std::string::npos)
      << r.diags;
}

// The .ip6 batch of a policy.
std::string Ip6(const ir::Program& p) {
  for (const auto& a : Emit(p, ArtifactKinds())) {
    if (a.suffix == "ip6") return a.Text();
  }
  return "";
}

TEST(Lowering, GatewaylessLinkRoutesIpv6WhenARuleCanSteerIpv6ToIt) {
  auto r = CompileText("link vpn { device wg0; }\npolicy { iif br-lan via vpn; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  EXPECT_TRUE(r.c->ir->uses_v6);
  std::string ip6 = Ip6(*r.c->ir);
  EXPECT_NE(ip6.find("route replace default dev wg0 table 1000 proto 250"), ip6.npos) << ip6;
  EXPECT_NE(ip6.find("fwmark 0x1/0xff lookup 1000"), ip6.npos) << ip6;
  EXPECT_EQ(r.diags, "");
}

TEST(Lowering, GatewaylessLinkStaysIpv4WhenOnlyIpv4IsSteeredToIt) {
  auto r = CompileText("link vpn { device wg0; }\npolicy { to 10.0.0.0/8 via vpn; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  EXPECT_FALSE(r.c->ir->uses_v6);
  EXPECT_EQ(Ip6(*r.c->ir).find("route replace"), std::string::npos);
}

// Only rules that can decide the router's own first route lookup become selector ip rules:
// `to` (or `iif lo`), without `from` and without another `iif` (docs/architecture.md).
TEST(Lowering, SelectorRulesOnlyWhereTheyChooseTheRoutersSource) {
  auto r = CompileText(
      "link a { device e1; gateway 10.0.1.1; address 10.0.1.2; }\n"
      "policy { from 10.1.0.0/16 via a; from 10.2.0.0/16 to 10.3.0.0/16 via a; "
      "iif lan0 to 10.4.0.0/16 via a; to 10.5.0.0/16 via a; iif lo to 10.6.0.0/16 via a; "
      "to 10.7.0.0/16 via main; }\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  std::vector<std::pair<uint32_t, size_t>> got = SelectorPrefs(*r.c->ir, Family::kV4);
  ASSERT_EQ(got.size(), 3u) << ir::Print(*r.c->ir);
  EXPECT_EQ(got[0].second, 3u);
  EXPECT_EQ(got[1].second, 4u);
  EXPECT_EQ(got[2].second, 5u);
  // The link's address gets its own rule now that no `from` selector can stand for it.
  EXPECT_EQ(r.c->ir->ip_rules.back().kind, ir::IpRuleKind::kLinkAddress);
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
  for (size_t i = 0; i < arts1.size(); ++i) EXPECT_EQ(arts1[i].Text(), arts2[i].Text());
}

}  // namespace
}  // namespace pbrc
