// The plan model: identity matching, element changes on intervals, order, rendering.
#include "pbrc/plan.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace pbrc::plan {
namespace {

State StateOf(const std::string& text) {
  auto r = testing::CompileText(text);
  EXPECT_TRUE(r.c->ir) << r.diags;
  return r.c->ir ? FromProgram(*r.c->ir) : State{};
}

const char* kBase = R"(set s = { 10.0.0.0/24, 10.9.9.9 };  # two elements: no ip rule
link a {
  device a0;
  gateway 192.0.2.1;
}
link b {
  device b0;
  gateway 198.51.100.1;
}
policy {
  from set s via a;
}
)";

std::string With(std::string from, const std::string& to) {
  std::string text = kBase;
  text.replace(text.find(from), from.size(), to);
  return text;
}

Interval V4(uint32_t lo, uint32_t hi) { return Interval{Family::kV4, lo, hi}; }

TEST(Plan, SamePolicyIsNoChange) {
  Plan p = Diff(StateOf(kBase), StateOf(kBase));
  EXPECT_TRUE(p.Empty());
  EXPECT_EQ(Summary(p), "plan: 0 to add, 0 to change, 0 to remove");
}

TEST(Plan, SetElementsAreComparedAsIntervals) {
  // Split and joined spellings of one range are equal; a narrower set removes the rest.
  EXPECT_TRUE(
      Diff(StateOf(With("10.0.0.0/24", "10.0.0.0/25, 10.0.0.128/25")), StateOf(kBase)).Empty());
  Plan p = Diff(StateOf(With("10.0.0.0/24", "10.0.0.0/25")), StateOf(kBase));
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].op, Op::kChange);
  EXPECT_EQ(p.changes[0].key, "s_v4 ip");
  EXPECT_TRUE(p.changes[0].added.empty());
  ASSERT_EQ(p.changes[0].removed.size(), 1u);
  EXPECT_EQ(FormatInterval(p.changes[0].removed[0]), "10.0.0.128/25");
}

TEST(Plan, ChangedTargetIsOneChangeOfTheRule) {
  Plan p = Diff(StateOf(With("via a;", "via b;")), StateOf(kBase));
  ASSERT_EQ(p.changes.size(), 1u);
  const Change& c = p.changes[0];
  EXPECT_EQ(c.op, Op::kChange);
  EXPECT_EQ(c.kind, Kind::kRule);
  EXPECT_EQ(c.key, "rule 0 ip classify");
  EXPECT_EQ(c.before, "saddr @s_v4 -> a mark 0x1");
  EXPECT_EQ(c.after, "saddr @s_v4 -> b mark 0x2");
  EXPECT_EQ(c.origin, "t.pbr:11");
}

TEST(Plan, AddedRuleAndChangedRoute) {
  Plan p = Diff(StateOf(With("gateway 198.51.100.1;", "gateway 198.51.100.7;")), StateOf(kBase));
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].kind, Kind::kRoute);
  EXPECT_EQ(p.changes[0].key, "ip table 1001 default");
  EXPECT_EQ(p.changes[0].after, "via 198.51.100.7 dev b0 proto 250");

  std::string more = With("from set s via a;", "from set s via a;\n  proto udp via b;");
  p = Diff(StateOf(more), StateOf(kBase));
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].op, Op::kAdd);
  EXPECT_EQ(p.changes[0].key, "rule 1 any classify");
  EXPECT_EQ(Summary(p), "plan: 1 to add, 0 to change, 0 to remove");
  // The other way round it is removed, with the origin it had.
  p = Diff(StateOf(kBase), StateOf(more));
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].op, Op::kRemove);
  EXPECT_EQ(p.changes[0].origin, "t.pbr:12");
}

TEST(Plan, NaturalOrderAndUniqueKeys) {
  EXPECT_TRUE(NaturalLess("rule 2 ip", "rule 10 ip"));
  EXPECT_FALSE(NaturalLess("rule 10 ip", "rule 2 ip"));
  EXPECT_TRUE(NaturalLess("a", "b"));
  State s;
  s.objects = {{Kind::kRoute, "x", "2", "", {}},
               {Kind::kRoute, "x", "1", "", {}},
               {Kind::kSet, "y", "", "", {}}};
  SortState(s);
  EXPECT_EQ(s.objects[0].key, "y");
  EXPECT_EQ(s.objects[1].key, "x");
  EXPECT_EQ(s.objects[2].key, "x #2");
}

Plan BigSetPlan() {
  std::vector<Interval> els;
  for (uint32_t i = 0; i < 12; ++i) els.push_back(V4(i * 4, i * 4));
  Object want{Kind::kSet, "big_v4 ip", "", "", IntervalList(els)};
  State d, c;
  d.objects = {want};
  c.objects = {{Kind::kSet, "big_v4 ip", "", "", IntervalList({V4(100, 200)})}};
  Plan p = Diff(d, c);
  p.current = "old\x1b.pbr";
  p.desired = "new`x`.pbr";
  return p;
}

TEST(Plan, TextShowsTheFirstElementsUnlessFull) {
  Plan p = BigSetPlan();
  std::string text = RenderText(p, {false, false});
  EXPECT_NE(text.find("~ set big_v4 ip: 12 added, 1 removed\n"), std::string::npos) << text;
  EXPECT_NE(text.find("... 7 more to add (--full shows all)"), std::string::npos) << text;
  EXPECT_NE(text.find("- 0.0.0.100-0.0.0.200"), std::string::npos) << text;
  EXPECT_NE(text.find("--- old\\x1b.pbr"), std::string::npos) << "control bytes escaped";
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "no colour unless asked";
  std::string full = RenderText(p, {false, true});
  EXPECT_EQ(full.find("more to add"), std::string::npos);
  EXPECT_NE(full.find("+ 0.0.0.44"), std::string::npos);
  EXPECT_NE(RenderText(p, {true, false}).find("\x1b[32m"), std::string::npos);
}

TEST(Plan, JsonAndMarkdown) {
  Plan p = BigSetPlan();
  std::string json = RenderJson(p, {});
  EXPECT_NE(json.find("\"schema\": \"pbrc-plan/1\""), std::string::npos);
  EXPECT_NE(json.find("\"complete\": false"), std::string::npos);
  EXPECT_NE(RenderJson(p, {false, true}).find("\"complete\": true"), std::string::npos);
  std::string md = RenderMarkdown(p, {true, false});
  EXPECT_NE(md.find("`` new`x`.pbr ``"), std::string::npos) << md;
  EXPECT_NE(md.find("```diff\n"), std::string::npos) << md;
  EXPECT_NE(md.find("\n+       0.0.0.0\n"), std::string::npos) << md;
  EXPECT_EQ(md.find('\x1b'), std::string::npos) << "markdown is never coloured";
}

}  // namespace
}  // namespace pbrc::plan
