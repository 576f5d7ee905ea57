#include <gtest/gtest.h>

#include "pbrc/fmt.h"
#include "testing.h"

namespace pbrc {
namespace {

using testing::CompileText;

ast::File ParseText(const std::string& text, Diagnostics& diags, SourceManager& sm) {
  uint32_t id = sm.Add("t.pbr", "t.pbr", text);
  return ParseBuffer(sm, diags, id);
}

TEST(Parser, ThePhraseParsesExactlyAsWritten) {
  SourceManager sm;
  Diagnostics d;
  auto f = ParseText("policy { from set X to set Y via eth1; }", d, sm);
  ASSERT_FALSE(d.HasErrors());
  EXPECT_EQ(DumpAst(f), "policy\n  from set X to set Y via eth1;\n");
}

TEST(Parser, EveryConstruct) {
  const char* text = R"(import "std/special"; import "../x.pbr";
options { nft table t; mark mask 0xf; preference 1-9; table ids 1000-1999; protocol 99; counters on; comments off; }
set a = { 10.0.0.0/8, 10.1.0.1-10.1.0.9, set b, file "l.txt", 2001:db8::/32, } except { 10.2.0.0/16 } except set c;
ports p = 80, 8000-8080, https;
link w { device "eth0.100"; gateway 1.2.3.4; gateway fe80::1; address 1.2.3.5, ::1; table 7; mark 0x2;
  route 10.0.0.0/8 via 1.2.3.1; route 11.0.0.0/8; nat masquerade; nat snat; rp_filter loose; inbound off; }
policy { from !set a to { 1.1.1.1, 2.2.2.2 } proto tcp, udp, 47 sport !1-1023 dport p iif lan oif wan via dev wg0;
  via main; to 1.1.1.1 via table 300; from ::1 via w; })";
  SourceManager sm;
  Diagnostics d;
  auto f = ParseText(text, d, sm);
  EXPECT_FALSE(d.HasErrors()) << RenderText(d.Sorted(), sm, {});
  EXPECT_EQ(f.statements.size(), 7u);
}

TEST(Parser, ExactErrorTextAndRecoveryAtStatementBoundaries) {
  auto r = CompileText(
      "set a = { 10.0.0.1 ;\nset b = { 1.2.3.4 };\nlink { }\npolicy { from set b via ; }\n");
  EXPECT_EQ(r.diags,
            "t.pbr:1:20: error[E0001]: unexpected ';', expecting '}' or ',' or '/' or '-'\n"
            "1 | set a = { 10.0.0.1 ;\n"
            "  |                    ^\n"
            "t.pbr:3:6: error[E0001]: unexpected '{', expecting identifier or string\n"
            "3 | link { }\n"
            "  |      ^\n"
            "t.pbr:4:25: error[E0001]: unexpected ';', expecting 'dev' or 'main' or 'table' or "
            "identifier or string\n"
            "4 | policy { from set b via ; }\n"
            "  |                         ^\n");
}

TEST(Parser, OneTypoOneError) {
  auto r =
      CompileText("policy {\n  from 1.2.3.4 frm 5.6.7.8 via main;\n  to 9.9.9.9 via main;\n}\n");
  EXPECT_EQ(r.c->diags.ErrorCount(), 1u) << r.diags;
}

TEST(Robustness, BinaryGarbageAndNulBytes) {
  std::string junk;
  for (int i = 0; i < 200000; ++i) junk.push_back(static_cast<char>((i * 7919) % 256));
  auto r = CompileText(junk);
  EXPECT_TRUE(r.c->diags.HasErrors());
  auto n = CompileText(std::string("set a = { 1.2.3.4 };\0\0\0", 23));
  EXPECT_NE(n.diags.find("invalid byte"), std::string::npos) << n.diags;
}

TEST(Robustness, InvalidUtf8) {
  auto r = CompileText("# caf\xc3\xa9 ok\n# bad \xff\xfe\nset a = { 1.2.3.4 };\n");
  EXPECT_NE(r.diags.find("t.pbr:2:1: error[E0002]: invalid UTF-8 in comment"), std::string::npos)
      << r.diags;
}

TEST(Robustness, HugeNumbersAndUnterminatedThings) {
  auto r = CompileText("link a { device x; mark 99999999999999999999999999; }\n\"abc\n/* open");
  EXPECT_NE(r.diags.find("error[E0005]"), std::string::npos) << r.diags;
  EXPECT_NE(r.diags.find("error[E0003]: unterminated string"), std::string::npos);
  EXPECT_NE(r.diags.find("error[E0004]: unterminated comment"), std::string::npos);
}

TEST(Robustness, DeepNestingIsAnErrorNotACrash) {
  std::string deep =
      "set a = " + std::string(10000, '{') + "1.2.3.4" + std::string(10000, '}') + ";";
  auto r = CompileText(deep);
  EXPECT_TRUE(r.c->diags.HasErrors());
  std::string bangs = "policy { from " + std::string(10000, '!') + "1.2.3.4 via main; }";
  EXPECT_TRUE(CompileText(bangs).c->diags.HasErrors());
}

TEST(Robustness, LongChainsOfSetsAreCapped) {
  std::string chain;
  for (int i = 0; i < 10000; ++i)
    chain += "set s" + std::to_string(i) + " = { set s" + std::to_string(i + 1) + " };\n";
  chain += "set s10000 = { 10.0.0.0/8 };\npolicy { to set s0 via main; }\n";
  auto r = CompileText(chain);
  EXPECT_NE(r.diags.find("error[E0108]"), std::string::npos) << r.diags.substr(0, 500);
}

TEST(Robustness, TenMegabytesAndHundredThousandElements) {
  std::string big = "set big = {\n";
  for (int i = 0; i < 100000; ++i) {
    big += "  10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." +
           std::to_string(i % 256) + ",  # element number " + std::to_string(i) +
           " padding padding\n";
  }
  big += "};\npolicy { to set big via main; }\n";
  while (big.size() < 10u * 1024 * 1024)
    big += "# filler comment line to reach ten megabytes of input\n";
  auto r = CompileText(big);
  EXPECT_FALSE(r.c->diags.HasErrors()) << r.diags.substr(0, 2000);
  ASSERT_TRUE(r.c->ir);
  ASSERT_EQ(r.c->ir->sets.size(), 1u);
  EXPECT_EQ(r.c->ir->sets[0].elements.size(), 1u);  // 10.0.0.0-10.1.134.159 merges to one range
}

}  // namespace
}  // namespace pbrc
