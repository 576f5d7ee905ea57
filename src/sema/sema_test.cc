#include "pbrc/sema.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace pbrc {
namespace {

using testing::CompileText;

bool Has(const testing::Result& r, const std::string& s) {
  return r.diags.find(s) != std::string::npos;
}

TEST(Imports, CycleIsReportedWithTheChain) {
  MemoryReader fs;
  fs.Add("a.pbr", "import \"b.pbr\";\n");
  fs.Add("b.pbr", "import \"a.pbr\";\n");
  auto r = CompileText("import \"a.pbr\";\n", fs);
  EXPECT_TRUE(Has(r, "b.pbr:1:1: error[E0104]: import cycle through 'a.pbr'")) << r.diags;
  EXPECT_TRUE(Has(r, "note: 'a.pbr' imports 'b.pbr'")) << r.diags;
}

TEST(Imports, DiamondIsLoadedOnce) {
  MemoryReader fs;
  fs.Add("a.pbr", "import \"c.pbr\";\n");
  fs.Add("b.pbr", "import \"c.pbr\";\n");
  fs.Add("c.pbr", "set c = { 1.2.3.4 };\n");
  auto r = CompileText("import \"a.pbr\"; import \"b.pbr\"; policy { to set c via main; }\n", fs);
  EXPECT_FALSE(r.c->diags.HasErrors()) << r.diags;
}

TEST(Imports, MissingFileAndModule) {
  auto r = CompileText("import \"nope.pbr\";\nimport \"std/servics\";\n");
  EXPECT_TRUE(
      Has(r, "t.pbr:1:8: error[E0103]: cannot import 'nope.pbr': No such file or directory"))
      << r.diags;
  EXPECT_TRUE(Has(r, "help: did you mean 'std/services'?")) << r.diags;
}

TEST(ListFiles, ErrorsPointIntoTheListFile) {
  MemoryReader fs;
  fs.Add("l.txt", "# carrier list\n1.0.1.0/24\n\n  1.0.2.1/24  # comment\n1.0.3.0/33\n");
  auto r = CompileText("set s = file \"l.txt\";\npolicy { to set s via main; }\n", fs);
  EXPECT_TRUE(Has(r, "l.txt:4:3: error[E0203]: host bits set in prefix '1.0.2.1/24'")) << r.diags;
  EXPECT_TRUE(Has(r, "l.txt:5:1: error[E0202]")) << r.diags;
}

TEST(ListFiles, CommentsAndRangesAreRead) {
  MemoryReader fs;
  fs.Add("l.txt", "# list\n1.0.1.0/24 # x\n1.0.2.0-1.0.2.255\n2001:db8::/32\n");
  auto r = CompileText("set s = file \"l.txt\";\npolicy { to set s via main; }\n", fs);
  ASSERT_TRUE(r.c->ir) << r.diags;
  EXPECT_EQ(r.c->ir->sets.size(), 2u);
  EXPECT_EQ(FormatInterval(r.c->ir->sets[0].elements[0]), "1.0.1.0-1.0.2.255");
}

TEST(Sets, CyclesEmptySetsAndExcept) {
  auto r = CompileText(
      "set a = { set b };\nset b = { set a };\nset e = { 10.0.0.0/8 } except { 0.0.0.0/0 };\n"
      "policy { to set a via main; to set e via main; to {} via main; }\n");
  EXPECT_TRUE(Has(r, "error[E0106]")) << r.diags;
  EXPECT_TRUE(Has(r, "t.pbr:3:5: error[E0206]: set 'e' is empty")) << r.diags;
  EXPECT_TRUE(Has(r, "t.pbr:4:51: error[E0206]: empty set")) << r.diags;
}

// 1000 rules over one set (named, inline list file, and a set that is only another set):
// the model and the IR hold one copy of its elements, every use shares it.
TEST(Sets, ManyRulesShareOneCopy) {
  MemoryReader fs;
  std::string list;
  for (int i = 0; i < 1000; ++i) {  // every other /24: nothing merges
    list += "100." + std::to_string(i / 125) + "." + std::to_string(i % 125 * 2) + ".0/24\n";
  }
  fs.Add("l.txt", list + "2001:db8::/32\n");
  std::string policy = "set big = file \"l.txt\";\nset alias = set big;\npolicy {\n";
  for (int i = 0; i < 1000; ++i) {
    std::string from = "from 10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200);
    const char* to[] = {"to set big", "to file \"l.txt\"", "to set alias"};
    policy += "  " + from + " " + to[i % 3] + " via main;\n";
  }
  auto r = CompileText(policy + "}\n", fs);
  ASSERT_TRUE(r.c->ir) << r.diags;
  const auto& sets = r.c->ir->sets;
  ASSERT_EQ(sets.size(), 4u);  // alias_v4, alias_v6, big_v4, big_v6
  EXPECT_EQ(sets[2].name, "big_v4");
  EXPECT_EQ(sets[2].elements.size(), 1000u);
  EXPECT_TRUE(sets[0].elements.SameStorage(sets[2].elements));
  EXPECT_TRUE(sets[1].elements.SameStorage(sets[3].elements));
  size_t inline_rules = 0;
  for (const auto& rule : r.c->ir->rules) {
    const ir::DaddrMatch* daddr = ir::Find<ir::DaddrMatch>(rule);
    if (!daddr || !daddr->set.empty()) continue;
    ++inline_rules;
    const auto& same = rule.family == Family::kV4 ? sets[2] : sets[3];
    EXPECT_TRUE(daddr->elements.SameStorage(same.elements));
  }
  EXPECT_EQ(inline_rules, 333u);  // the `to file` rules (IPv4 only: their source is)
}

// The same in the model (which Compile releases once lowered): sema alone.
TEST(Sets, ManyRulesShareOneCopyInTheModel) {
  MemoryReader fs;
  fs.Add("l.txt", "100.0.0.0/24\n100.0.2.0/24\n2001:db8::/32\n");
  std::string policy = "set big = file \"l.txt\";\nset alias = set big;\npolicy {\n";
  for (int i = 0; i < 300; ++i) {
    const char* to[] = {"to set big", "to file \"l.txt\"", "to set alias"};
    policy += "  from 10.0.0." + std::to_string(i % 200) + " " + to[i % 3] + " via main;\n";
  }
  fs.Add("t.pbr", policy + "}\n");
  SourceManager sm;
  Diagnostics diags;
  ParsedPolicy prog = LoadPolicy("t.pbr", sm, diags, fs);
  auto model = Analyze(prog, sm, diags, fs);
  ASSERT_TRUE(model) << RenderText(diags.Sorted(), sm, RenderOptions{});
  ASSERT_EQ(model->sets.size(), 2u);  // alias, big
  const model::AddrValue& big = model->sets[1].value;
  EXPECT_EQ(big.v4.size(), 2u);
  EXPECT_TRUE(model->sets[0].value.v4.SameStorage(big.v4));
  ASSERT_EQ(model->rules.size(), 300u);
  for (const auto& rule : model->rules) {
    EXPECT_TRUE(model::Find<model::ToCond>(rule)->value.v4.SameStorage(big.v4));
    EXPECT_TRUE(model::Find<model::ToCond>(rule)->value.v6.SameStorage(big.v6));
  }
}

TEST(Checks, MarksTablesAndInterfaces) {
  auto r = CompileText(
      "options { mark mask 0xf; }\n"
      "link a { device eth1; mark 0x2; table 100; }\n"
      "link b { device eth2; mark 0x2; table 100; }\n"
      "link c { device \"eth:3\"; mark 0x10; table 255; }\n"
      "link d { device eth4; table 4294967296; }\n");
  EXPECT_TRUE(Has(r, "t.pbr:3:28: error[E0403]: mark 0x2 is used by two links")) << r.diags;
  EXPECT_TRUE(Has(r, "t.pbr:3:39: error[E0502]: table 100 is used by two links")) << r.diags;
  EXPECT_TRUE(Has(r, "error[E0602]: invalid interface name 'eth:3'")) << r.diags;
  EXPECT_TRUE(Has(r, "error[E0402]: mark 0x10 has bits outside the mark mask 0xf")) << r.diags;
  EXPECT_TRUE(Has(r, "error[E0501]: table id 255 is reserved for 'local'")) << r.diags;
  EXPECT_TRUE(Has(r, "error[E0503]")) << r.diags;
}

TEST(Checks, RoutesOfOneLinkDoNotOverrideEachOther) {
  auto r = CompileText(
      "link a { device eth1; gateway 10.0.0.1; route 10.9.0.0/16 via 10.0.0.5;\n"
      "  route 10.9.0.0/16 via 10.0.0.5; route 10.8.0.0/16; route 10.8.0.0/16 via 10.0.0.6; }\n");
  EXPECT_TRUE(Has(r, "t.pbr:2:3: error[E0102]: route 10.9.0.0/16 given twice in link 'a'"))
      << r.diags;
  EXPECT_TRUE(Has(r,
                  "t.pbr:2:54: error[E0706]: route 10.8.0.0/16 via 10.0.0.6 conflicts with route "
                  "10.8.0.0/16 without next hop in link 'a'"))
      << r.diags;
}

TEST(Checks, DefaultRouteOfTheOtherFamilyIsNoConflict) {
  // Only an IPv4 gateway: `route ::/0;` is the link's IPv6 default, so no E0706 and no W0801.
  auto r = CompileText(
      "link a { device eth1; gateway 10.0.0.1; route ::/0; }\npolicy { iif lan0 via a; }\n");
  EXPECT_FALSE(r.c->diags.HasErrors()) << r.diags;
  EXPECT_FALSE(Has(r, "W0801")) << r.diags;
  ASSERT_TRUE(r.c->ir) << r.diags;
  std::string ir = ir::Print(*r.c->ir);
  EXPECT_NE(ir.find("route ip6 table=1000 ::/0 dev eth1"), std::string::npos) << ir;
}

TEST(Checks, NoRouteWarningNamesTheFamilyAndOnlyWhenPacketsLeak) {
  auto r = CompileText(
      "link a { device eth1; gateway fd00::1; }\n"
      "policy { iif lan0 via a; proto icmpv6 via a; to fd01::/16 via a; }\n");
  EXPECT_TRUE(Has(r, "t.pbr:2:10: warning[W0801]: link 'a' has no IPv4 route")) << r.diags;
  EXPECT_TRUE(Has(r, "limit the rule to IPv6 addresses, e.g. 'to ::/0'")) << r.diags;
  EXPECT_EQ(r.diags.find("W0801", r.diags.find("W0801") + 1), std::string::npos) << r.diags;
}

TEST(Checks, DidYouMeanForLinksSetsAndPorts) {
  auto r = CompileText(
      "import \"std/services\";\nset office = { 10.0.0.0/8 };\nlink wan1 { device eth1; }\n"
      "policy { from set offise proto tcp dport htps via wan2; }\n");
  EXPECT_TRUE(Has(r, "help: did you mean 'office'?")) << r.diags;
  EXPECT_TRUE(Has(r, "help: did you mean 'https'?")) << r.diags;
  EXPECT_TRUE(Has(r, "help: did you mean 'wan1'?")) << r.diags;
}

TEST(Checks, DiagnosticsComeInSourceOrder) {
  auto r = CompileText("policy { to 300.0.0.1 via main; }\nset a = { 1.2.3.4/33 };\n");
  size_t first = r.diags.find("E0201"), second = r.diags.find("E0202");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
}

// W0803 only for a rule whose `iif` is its own pinned link's device: `iif eth2 ... via wan1`
// is the documented way to override wan2's pin and must stay quiet.
TEST(Warnings, IifOfItsOwnPinnedLink) {
  const std::string links =
      "link wan1 { device eth1; gateway 192.0.2.1; }\n"
      "link wan2 { device eth2; gateway 198.51.100.1; }\n";
  auto own = CompileText(links + "policy { iif eth2 proto tcp dport 80 via wan2; }\n");
  EXPECT_TRUE(Has(own,
                  "warning[W0803]: every new connection arriving on 'eth2' is pinned to "
                  "link 'wan2'"))
      << own.diags;
  auto off = CompileText(
      "link wan1 { device eth1; gateway 192.0.2.1; }\n"
      "link wan2 { device eth2; gateway 198.51.100.1; inbound off; }\n"
      "policy { iif eth2 proto tcp dport 80 via wan2; }\n");
  EXPECT_FALSE(Has(off, "W0803")) << off.diags;
  auto other = CompileText(links + "policy { iif eth2 proto tcp dport 25 via wan1; }\n");
  EXPECT_FALSE(Has(other, "W0803")) << other.diags;
}

}  // namespace
}  // namespace pbrc

namespace pbrc {
namespace {

// List lines that are plain IPv4 addresses or prefixes take a fast parse; the same networks
// written as ranges take the general one: both give the same intervals. Lines the fast parse
// leaves alone (a length with a leading zero) still parse, and host bits are still an error.
TEST(ListFiles, PlainIpv4LinesGiveWhatTheGeneralParseGives) {
  MemoryReader fs;
  fs.Add("p.txt",
         "\xEF\xBB\xBF"
         "1.2.3.4\n  192.168.0.0/16  # home\n255.255.255.255/32\n172.16.0.0/012\n"
         "0.0.0.0/31\n100.64.0.0/10\n");
  fs.Add("r.txt",
         "1.2.3.4-1.2.3.4\n192.168.0.0-192.168.255.255\n255.255.255.255-255.255.255.255\n"
         "172.16.0.0-172.31.255.255\n0.0.0.0-0.0.0.1\n100.64.0.0-100.127.255.255\n");
  auto r = CompileText(
      "set p = file \"p.txt\";\nset q = file \"r.txt\";\n"
      "policy {\n  to set p via main;\n  from set q via main;\n}\n",
      fs);
  ASSERT_TRUE(r.c->ir) << r.diags;
  const auto& sets = r.c->ir->sets;
  ASSERT_EQ(sets.size(), 2u);  // p_v4, q_v4
  EXPECT_EQ(sets[0].elements.size(), 6u);
  EXPECT_EQ(sets[0].elements.vec(), sets[1].elements.vec());

  fs.Add("bad.txt", "10.0.0.1/8\n1.2.3.04\n1.2.3.4/33\n");
  auto bad = CompileText("set b = file \"bad.txt\";\npolicy { to set b via main; }\n", fs);
  EXPECT_TRUE(Has(bad, "bad.txt:1:1: error[E0203]")) << bad.diags;
  EXPECT_TRUE(Has(bad, "bad.txt:3:")) << bad.diags;
}

}  // namespace
}  // namespace pbrc
