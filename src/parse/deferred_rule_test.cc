// RuleTrees::kDefer: a deferred rule parses again to exactly the tree the whole parse built,
// source ranges included (diagnostics quote them), whatever the text around it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pbrc/fmt.h"
#include "pbrc/parse.h"

namespace pbrc {
namespace {

std::string Where(const Range& r) {
  auto pos = [](const Pos& p) {
    return std::to_string(p.file) + ":" + std::to_string(p.line) + ":" + std::to_string(p.col) +
           "@" + std::to_string(p.offset);
  };
  return pos(r.begin) + "-" + pos(r.end);
}

// Every range a rule holds that diagnostics use: the rule's, each match's, the target's.
std::string Ranges(const ast::Rule& r) {
  std::string out = Where(r.range);
  for (const auto& m : r.matches) out += " " + Where(ast::RangeOf(m));
  return out + " " + Where(r.target.range) + " " + Where(r.target.name.range);
}

// Parses `text` both ways and checks that re-parsing each deferred rule gives the kept tree.
// Returns the number of rules compared.
size_t ExpectSameTrees(const std::string& text, const std::string& what) {
  SourceManager sm;
  Diagnostics kept_diags, deferred_diags;
  uint32_t id = sm.Add("t.pbr", "t.pbr", text);
  ast::File kept = ParseBuffer(sm, kept_diags, id, RuleTrees::kKeep);
  ast::File deferred = ParseBuffer(sm, deferred_diags, id, RuleTrees::kDefer);
  EXPECT_EQ(kept_diags.ErrorCount(), deferred_diags.ErrorCount()) << what;
  EXPECT_EQ(kept.statements.size(), deferred.statements.size()) << what;
  size_t compared = 0;
  for (size_t i = 0; i < kept.statements.size() && i < deferred.statements.size(); ++i) {
    auto* k = std::get_if<ast::PolicyBlock>(&kept.statements[i]);
    auto* d = std::get_if<ast::PolicyBlock>(&deferred.statements[i]);
    if (!k || !d) continue;
    EXPECT_TRUE(d->rules.empty()) << what;
    EXPECT_EQ(Where(k->range), Where(d->range)) << what;
    EXPECT_EQ(k->rules.size(), d->deferred.size()) << what;
    std::vector<ast::Rule> again;
    for (const auto& where : d->deferred) again.push_back(ParseDeferredRule(sm, where));
    for (size_t r = 0; r < again.size() && r < k->rules.size(); ++r) {
      EXPECT_EQ(Ranges(again[r]), Ranges(k->rules[r])) << what << ", rule " << r;
      ++compared;
    }
    d->rules = std::move(again);
  }
  EXPECT_EQ(DumpAst(deferred), DumpAst(kept)) << what;
  return compared;
}

TEST(DeferredRule, ParsesAgainToTheSameTreeAndRanges) {
  const char* text =
      "set a = { 10.0.0.0/8 };\n"
      "policy {\n"
      "  from !set a to { 1.1.1.1, 2.2.2.2 } # a comment\n"
      "    proto tcp, 0x11 sport !1-1023 dport 80, https iif lan via dev \"wg\\\"0\";\r\n"
      "\tvia main; /* between */ to ::1 /* inside */ via table 300;\n"
      "  dscp ef mac 02:00:5e:10:00:01 via w;\n"
      "}\n"
      "policy { from 1.2.3.4 via x; }\n";
  EXPECT_EQ(ExpectSameTrees(text, "constructs"), 5u);
}

// A rule the scanner complained about (a bad number, control bytes, invalid UTF-8) still
// parses; its re-parse reports nothing and gives the same tree.
TEST(DeferredRule, ScannerErrorsAreNotReportedTwice) {
  std::string text = "policy {\n  from 1.2.3.4 dport 99999999999999999999x via \"a\x01\xff\";\n}\n";
  EXPECT_EQ(ExpectSameTrees(text, "scanner errors"), 1u);
}

// Rules after a syntax error: the broken rule is dropped in both ways, the rest agree.
TEST(DeferredRule, RulesAroundASyntaxError) {
  EXPECT_EQ(ExpectSameTrees("policy { via a; from via ; to 1.1.1.1 via b; }\n", "error"), 2u);
}

// A range that is not a rule's is a broken invariant (an internal error), never a wrong tree.
TEST(DeferredRule, ARangeThatIsNoRuleThrows) {
  SourceManager sm;
  Diagnostics d;
  uint32_t id = sm.Add("t.pbr", "t.pbr", "policy { via a; }\n");
  ast::File f = ParseBuffer(sm, d, id, RuleTrees::kDefer);
  Range bad = std::get<ast::PolicyBlock>(f.statements[0]).deferred.at(0);
  bad.end.offset -= 1;  // without its ';'
  EXPECT_THROW(ParseDeferredRule(sm, bad), std::logic_error);
  bad.end.offset = 1000;
  EXPECT_THROW(ParseDeferredRule(sm, bad), std::logic_error);
}

TEST(DeferredRule, EveryPolicyInTheRepository) {
  namespace fs = std::filesystem;
  size_t rules = 0;
  for (const char* dir : {"examples", "tests/golden", "tests/diag", "stdlib"}) {
    for (const auto& e : fs::directory_iterator(fs::path(PBRC_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".pbr") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      rules += ExpectSameTrees(ss.str(), e.path().string());
    }
  }
  EXPECT_GE(rules, 100u);
}

}  // namespace
}  // namespace pbrc
