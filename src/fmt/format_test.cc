#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pbrc/fmt.h"
#include "pbrc/parse.h"

namespace pbrc {
namespace {

struct Parsed {
  SourceManager sm;
  Diagnostics diags;
  ast::File file;
  uint32_t id = 0;
};

std::unique_ptr<Parsed> Parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  p->id = p->sm.Add("t.pbr", "t.pbr", text);
  p->file = ParseBuffer(p->sm, p->diags, p->id);
  return p;
}

std::string Fmt(const std::string& text) {
  auto p = Parse(text);
  EXPECT_FALSE(p->diags.HasErrors());
  return Format(p->file, p->sm.Get(p->id));
}

TEST(Fmt, CanonicalLayout) {
  EXPECT_EQ(Fmt("set a={1.2.3.4,5.6.7.8};policy{from set a   via main;}"),
            "set a = { 1.2.3.4, 5.6.7.8 };\npolicy {\n  from set a via main;\n}\n");
}

TEST(Fmt, KeepsEveryComment) {
  std::string in =
      "# head\n\n# about a\nset a = { # inside\n  1.2.3.4, # one\n  /* two */ 5.6.7.8\n};  # "
      "after\n"
      "policy { # open\n  via main; # rule\n  # end of block\n}\n# tail\n";
  std::string out = Fmt(in);
  for (const char* c : {"# head", "# about a", "# inside", "# one", "/* two */", "# after",
                        "# open", "# rule", "# end of block", "# tail"}) {
    EXPECT_NE(out.find(c), std::string::npos) << c << "\n" << out;
  }
  EXPECT_EQ(Fmt(out), out);
}

TEST(Fmt, TrailingCarriageReturnsInCommentsAreIdempotent) {
  // Found by the fuzzer: each pass used to drop one of several trailing '\r'.
  std::string once = Fmt("# a comment\r\r\r\r\nset a = { 1.2.3.4 };  # b \t\r\r\n");
  EXPECT_EQ(once, "# a comment\nset a = { 1.2.3.4 };  # b\n");
  EXPECT_EQ(Fmt(once), once);
}

TEST(Fmt, CommentBetweenRulesStaysBeforeTheNextRule) {
  // Found by the fuzzer: a rule's range used to start at the previous rule's ';'.
  std::string once = Fmt("policy {\n  via main;  # a\n  # b\n  to 1.2.3.4 via main;\n}\n");
  EXPECT_EQ(once, "policy {\n  via main;  # a\n  # b\n  to 1.2.3.4 via main;\n}\n");
  EXPECT_EQ(Fmt(once), once);
}

TEST(Fmt, KeepsOneBlankLineBetweenItems) {
  EXPECT_EQ(Fmt("set a = { 1.2.3.4 };\n\n\n\nset b = { 1.2.3.5 };\nset c = { 1.2.3.6 };\n"),
            "set a = { 1.2.3.4 };\n\nset b = { 1.2.3.5 };\nset c = { 1.2.3.6 };\n");
}

TEST(Fmt, QuotesNamesThatNeedIt) {
  EXPECT_EQ(Fmt("link \"main\" { device \"eth0.100\"; }\n"),
            "link \"main\" {\n  device eth0.100;\n}\n");
}

// Every example and golden policy: formatting is idempotent, keeps the tree, and the files
// in the repository are already formatted.
TEST(Fmt, RoundTripOverEveryPolicyInTheRepository) {
  namespace fs = std::filesystem;
  int seen = 0;
  for (const char* dir : {"examples", "tests/golden", "stdlib"}) {
    for (const auto& e : fs::directory_iterator(fs::path(PBRC_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".pbr") continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      auto orig = Parse(ss.str());
      ASSERT_FALSE(orig->diags.HasErrors()) << e.path();
      std::string once = Format(orig->file, orig->sm.Get(orig->id));
      auto again = Parse(once);
      ASSERT_FALSE(again->diags.HasErrors()) << e.path() << "\n" << once;
      EXPECT_EQ(DumpAst(again->file), DumpAst(orig->file)) << e.path();
      EXPECT_EQ(Format(again->file, again->sm.Get(again->id)), once) << e.path();
      EXPECT_EQ(once, ss.str()) << e.path() << " is not formatted (run pbrc fmt --write)";
      ++seen;
    }
  }
  EXPECT_GE(seen, 6);
}

}  // namespace
}  // namespace pbrc
