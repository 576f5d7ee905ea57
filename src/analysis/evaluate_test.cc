#include <gtest/gtest.h>

#include "pbrc/analysis.h"
#include "rule_space.h"
#include "testing.h"

namespace pbrc::analysis {
namespace {

const char* kPolicy = R"(options { mark mask 0xf; preference 100-199; table ids 300-399; }
set lan = { 10.98.0.0/16 };
set A = { 223.5.5.5, 223.6.6.6 };
set B = { 114.114.114.114 };
link wan1 { device eth1; gateway 10.0.1.1; address 10.0.1.2; table 301; mark 0x2; }
link wan2 { device eth2; gateway 10.0.2.1; route 10.50.0.0/16 via 10.0.2.9; mark 0x3; }
link wan3 { device eth3; gateway 10.0.3.1; inbound off; mark 0x4; }
policy {
  to set lan via main;
  from set A to set B via eth1;
  iif eth2 proto tcp dport 25 via wan1;
  proto udp dport 53 via wan2;
  from !set lan to 9.9.9.0/24 via wan3;
}
)";

struct Fixture : ::testing::Test {
  void SetUp() override {
    r = testing::CompileText(kPolicy);
    ASSERT_TRUE(r.c->ir) << r.diags;
    p = &*r.c->ir;
  }
  Packet Pkt(const std::string& text) {
    std::string err;
    uint32_t col = 0;
    auto pkt = ParsePacket(text, err, col);
    EXPECT_TRUE(pkt) << text << ": " << err;
    return pkt.value_or(Packet{});
  }
  std::string Origin(const Verdict& v) { return v.rule ? p->rules[*v.rule].origin : "none"; }
  testing::Result r;
  const ir::Program* p = nullptr;
};

TEST_F(Fixture, FirstMatchInProgramOrder) {
  auto v = Evaluate(*p, Pkt("from 223.5.5.5 to 114.114.114.114 proto udp dport 53 iif lan0"));
  EXPECT_EQ(Origin(v), "t.pbr:10");  // before the dns rule
  EXPECT_EQ(v.mark, 0x2u);
  v = Evaluate(*p, Pkt("from 223.5.5.5 to 10.98.1.1 iif lan0"));
  EXPECT_EQ(Origin(v), "t.pbr:9");
  v = Evaluate(*p, Pkt("from 10.98.1.1 to 8.8.8.8 proto udp dport 53 iif lan0"));
  EXPECT_EQ(Origin(v), "t.pbr:12");
  v = Evaluate(*p, Pkt("from 10.98.1.1 to 8.8.8.8 proto udp dport 54 iif lan0"));
  EXPECT_FALSE(v.rule);
  EXPECT_EQ(v.mark, 0u);
  ASSERT_FALSE(v.near.empty());
}

TEST_F(Fixture, NegatedSetAndFamily) {
  auto v = Evaluate(*p, Pkt("from 10.98.1.1 to 9.9.9.9 iif lan0"));
  EXPECT_FALSE(v.rule);  // source in lan: the negated match fails
  EXPECT_EQ(Origin(Evaluate(*p, Pkt("from 10.99.1.1 to 9.9.9.9 iif lan0"))), "t.pbr:13");
  // IPv6: the policy has none, so only address-less rules can match.
  v = Evaluate(*p, Pkt("from 2001:db8::1 to 2001:db8::2 proto udp dport 53 iif lan0"));
  EXPECT_EQ(Origin(v), "t.pbr:12");
}

TEST_F(Fixture, InboundPinBeforeOtherRules) {
  // Arrives on eth2 (wan2 pins): the iif rule first, then the pin, never the dns rule.
  auto v = Evaluate(*p, Pkt("from 1.2.3.4 to 10.0.2.2 proto tcp dport 25 iif eth2"));
  EXPECT_EQ(Origin(v), "t.pbr:11");
  v = Evaluate(*p, Pkt("from 223.5.5.5 to 114.114.114.114 iif eth2"));
  ASSERT_TRUE(v.rule);
  EXPECT_TRUE(p->rules[*v.rule].inbound);
  EXPECT_EQ(v.mark, 0x3u);
  // eth3 does not pin (inbound off).
  EXPECT_EQ(Origin(Evaluate(*p, Pkt("from 223.5.5.5 to 114.114.114.114 iif eth3"))), "t.pbr:10");
}

TEST_F(Fixture, RouterOwnPacketsSkipIifRulesAndPins) {
  auto v = Evaluate(*p, Pkt("from 10.0.2.2 to 1.1.1.1 proto tcp dport 25 from-router"));
  EXPECT_FALSE(v.rule);
  v = Evaluate(*p, Pkt("from 10.0.1.2 to 8.8.4.4 proto udp dport 53 from-router"));
  EXPECT_EQ(Origin(v), "t.pbr:12");
}

TEST_F(Fixture, StatelessReplyWalk) {
  // The reply of a steered flow arriving on wan1's device: the reversed rule marks it.
  auto v = Evaluate(*p, Pkt("from 114.114.114.114 to 223.5.5.5 iif eth1 state invalid"));
  EXPECT_EQ(Origin(v), "t.pbr:10");
  EXPECT_TRUE(v.as_reply);
  EXPECT_EQ(v.chain, "classify_stateless");
  // Same reply on another device: the reversed twin stops the walk, then the forward pass.
  v = Evaluate(*p, Pkt("from 114.114.114.114 to 223.5.5.5 iif eth3 state invalid"));
  EXPECT_FALSE(v.as_reply);
  EXPECT_EQ(v.chain, "classify_stateless_forward");
  EXPECT_FALSE(v.rule);
  // Reversed `to set lan via main` reads `from set lan`: a reply to lan is not stopped.
  v = Evaluate(*p, Pkt("from 114.114.114.114 to 10.98.0.1 iif eth3 state invalid"));
  EXPECT_EQ(v.chain, "classify_stateless_forward");
  EXPECT_EQ(Origin(v), "t.pbr:9");
  // On a pinned device the forward pass meets the pin first.
  v = Evaluate(*p, Pkt("from 114.114.114.114 to 10.98.0.1 iif eth1 state invalid"));
  ASSERT_TRUE(v.rule);
  EXPECT_TRUE(p->rules[*v.rule].inbound);
  // Reversed iif rule marks on its link's device but never stops the walk.
  v = Evaluate(*p, Pkt("from 5.5.5.5 to 10.98.0.1 proto tcp sport 25 dport 999 iif eth1 "
                       "state invalid"));
  EXPECT_TRUE(v.as_reply);
  EXPECT_EQ(Origin(v), "t.pbr:11");
}

// ICMP of the other family: `meta l4proto icmp` matches an IPv6 packet with next header 1,
// but conntrack's ICMP tracker refuses it (INVALID) in every state, so the stateless walk
// runs first (seed 988740686 of the differential test; tests/kernel/differential/
// foreign_icmp.*).
TEST(ForeignIcmp, TakesTheStatelessWalk) {
  auto r = testing::CompileText(
      "link w1 { device eth1; gateway 10.0.1.1; gateway fd00:1::1; inbound off; }\n"
      "link w2 { device eth2; gateway 10.0.2.1; gateway fd00:2::1; inbound off; }\n"
      "policy {\n  proto icmp via w1;\n  to 2001:db8:2::/48 via w2;\n}\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  const ir::Program& p = *r.c->ir;
  auto eval = [&](const std::string& text) {
    std::string err;
    uint32_t col = 0;
    auto pkt = ParsePacket(text, err, col);
    EXPECT_TRUE(pkt) << err;
    return Evaluate(p, pkt.value_or(Packet{}));
  };
  for (const char* state : {"new", "established", "invalid"}) {
    SCOPED_TRACE(state);
    // On w1's device the reversed `proto icmp` rule marks it as a reply.
    auto v =
        eval(std::string("from 2001:db8:1::1 to 2001:db8:2::1 proto icmp iif eth1 state ") + state);
    EXPECT_EQ(v.chain, "classify_stateless");
    EXPECT_TRUE(v.as_reply);
    // Elsewhere the reversed rule stops the walk; the forward pass gives w1, not w2.
    v = eval(std::string("from 2001:db8:1::1 to 2001:db8:2::1 proto icmp iif lan0 state ") + state);
    EXPECT_EQ(v.chain, "classify_stateless_forward");
    ASSERT_TRUE(v.rule);
    EXPECT_EQ(p.rules[*v.rule].origin, "t.pbr:4");
    // IPv4 with protocol 58 alike.
    v = eval(std::string("from 10.1.0.1 to 10.2.0.1 proto icmpv6 iif lan0 state ") + state);
    EXPECT_EQ(v.chain, "classify_stateless_forward");
  }
  // ICMP of the packet's own family is tracked: a new one is classified.
  auto v = eval("from 2001:db8:1::1 to 2001:db8:2::1 proto icmpv6 iif lan0");
  EXPECT_EQ(v.chain, "classify");
  ASSERT_TRUE(v.rule);
  EXPECT_EQ(p.rules[*v.rule].origin, "t.pbr:5");
  v = eval("from 10.1.0.1 to 10.2.0.1 proto icmp iif eth1");
  EXPECT_EQ(v.chain, "classify");
}

TEST_F(Fixture, IpRulesAndRoutes) {
  auto v = Evaluate(*p, Pkt("from 223.5.5.5 to 114.114.114.114 iif lan0"));
  ASSERT_TRUE(v.ip_rule);
  EXPECT_EQ(p->ip_rules[*v.ip_rule].kind, ir::IpRuleKind::kFwmark);
  EXPECT_EQ(v.table, 301u);
  ASSERT_TRUE(v.route);
  EXPECT_EQ(v.route->device, "eth1");
  EXPECT_EQ(FormatAddr(*v.route->via), "10.0.1.1");
  // Longest prefix in wan2's table.
  v = Evaluate(*p, Pkt("from 10.98.1.1 to 10.50.1.1 proto udp dport 53 iif lan0"));
  ASSERT_TRUE(v.route);
  EXPECT_EQ(v.route->dst.len, 16);
  EXPECT_EQ(FormatAddr(*v.route->via), "10.0.2.9");
  // Unmarked, no main routes given: no route at all.
  v = Evaluate(*p, Pkt("from 10.98.1.1 to 8.8.8.8 proto udp dport 54 iif lan0"));
  EXPECT_EQ(v.table, 0u);
  EXPECT_FALSE(v.route);
  // The link-address rule: the router's own packets from wan1's address.
  v = Evaluate(*p, Pkt("from 10.0.1.2 to 8.8.8.8 proto tcp dport 80 from-router"));
  ASSERT_TRUE(v.ip_rule);
  EXPECT_EQ(p->ip_rules[*v.ip_rule].kind, ir::IpRuleKind::kLinkAddress);
  EXPECT_EQ(v.table, 301u);
}

TEST_F(Fixture, MainTableAndSuppress) {
  std::vector<Route> main = {
      {Family::kV4, 254, Prefix{*ParseAddr("0.0.0.0"), 0}, ParseAddr("10.0.3.1"), "eth3", false},
      {Family::kV4, 254, Prefix{*ParseAddr("10.98.0.0"), 16}, std::nullopt, "lan0", false}};
  // Marked for wan1, but main's specific LAN route wins (suppress_prefixlength 0).
  auto v = Evaluate(*p, Pkt("from 223.5.5.5 to 10.98.3.3 iif lan0"), main);
  ASSERT_TRUE(v.ip_rule);
  EXPECT_EQ(p->ip_rules[*v.ip_rule].kind, ir::IpRuleKind::kSuppressMain);
  EXPECT_EQ(v.route->device, "lan0");
  // main's default is ignored by the suppress rule; the fwmark rule decides.
  v = Evaluate(*p, Pkt("from 223.5.5.5 to 114.114.114.114 iif lan0"), main);
  EXPECT_EQ(v.table, 301u);
  // Unmarked: the kernel's main rule takes main's default.
  v = Evaluate(*p, Pkt("from 10.98.1.1 to 8.8.8.8 proto udp dport 54 iif lan0"), main);
  EXPECT_FALSE(v.ip_rule);
  EXPECT_EQ(v.table, 254u);
  EXPECT_EQ(v.route->device, "eth3");
}

TEST(PacketText, Errors) {
  std::string err;
  uint32_t col = 0;
  EXPECT_FALSE(ParsePacket("from 1.2.3.4 to 5.6.7.8 iif", err, col));
  EXPECT_EQ(err, "'iif' needs a value");
  EXPECT_EQ(col, 28u);
  EXPECT_FALSE(ParsePacket("from 1.2.3.4 to 5.6.7.300 iif x", err, col));
  EXPECT_EQ(col, 17u);
  EXPECT_FALSE(ParsePacket("from 1.2.3.4 to ::1 iif x", err, col));
  EXPECT_FALSE(ParsePacket("from 1.2.3.4 to 1.1.1.1 iif x dport 5", err, col));
  EXPECT_FALSE(ParsePacket("from 1.2.3.4 to 1.1.1.1 bogus", err, col));
  EXPECT_EQ(col, 25u);
  EXPECT_FALSE(ParsePacket("from 1.2.3.4 to 1.1.1.1", err, col));
  EXPECT_FALSE(ParsePacket("from 1.2.3.4 to 1.1.1.1 iif a/b", err, col));
  auto p = ParsePacket(
      "  from 1.2.3.4   to 1.1.1.1 proto 17 sport 5 dport 0x35 from-router "
      "state untracked",
      err, col);
  ASSERT_TRUE(p) << err;
  EXPECT_EQ(FormatPacket(*p),
            "from 1.2.3.4 to 1.1.1.1 proto udp sport 5 dport 53 from-router state invalid");
}

TEST(RuleSpace, SpacesAndWitness) {
  auto r = testing::CompileText(
      "link w { device eth1; }\npolicy { iif lan0 from !10.0.0.0/8 proto tcp dport 80 via w; "
      "}\n");
  ASSERT_TRUE(r.c->ir) << r.diags;
  const ir::Program& p = *r.c->ir;
  Devices devs(p);
  size_t i = 0;
  while (p.rules[i].inbound) ++i;
  auto s = SpaceOf(p, p.rules[i], Family::kV4, devs);
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)[kSrc], (Spans{{0, 0x09ffffff}, {0x0b000000, 0xffffffff}}));
  EXPECT_EQ((*s)[kProto], (Spans{{6, 6}}));
  Packet w = Witness(*s, Family::kV4, devs);
  EXPECT_TRUE(Matches(p, p.rules[i], w)) << FormatPacket(w);
  EXPECT_EQ(FormatPacket(w), "from 0.0.0.1 to 10.0.0.2 proto tcp sport 40000 dport 80 iif lan0");
}

}  // namespace
}  // namespace pbrc::analysis
