#include "pbrc/syntax.h"

#include <gtest/gtest.h>

namespace pbrc::syntax {
namespace {

TEST(SyntaxTest, StrictUtf8) {
  EXPECT_TRUE(ValidUtf8("plain"));
  EXPECT_TRUE(ValidUtf8("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"));  // é 中 😀
  EXPECT_FALSE(ValidUtf8("\xed\xa0\x80"));                         // a surrogate
  EXPECT_FALSE(ValidUtf8("\xe0\x80\xaf"));                         // overlong '/'
  EXPECT_FALSE(ValidUtf8("\xf4\x90\x80\x80"));                     // above U+10FFFF
  EXPECT_FALSE(ValidUtf8("\xe4\xb8"));                             // cut character
  EXPECT_FALSE(ValidUtf8("\xff"));
}

TEST(SyntaxTest, IfnameProblems) {
  for (const char* ok : {"eth0", "eth0.100", "br-lan", "wg_0", "a", "123456789012345"}) {
    EXPECT_FALSE(IfnameProblem(ok)) << ok;
  }
  for (const char* bad : {"", ".", "..", "all", "default", "eth1#", "eth0:1", "a/b", "a b", "a\tb",
                          "a\"b", "a'b", "a\\b", "a=b", "wg?", "e[0]", "\xc3\xa9"}) {
    EXPECT_TRUE(IfnameProblem(bad)) << bad;
  }
  EXPECT_EQ(*IfnameProblem("eth1#"), "'#' starts a comment in ip -batch and sysctl.d");
  EXPECT_TRUE(IfnameWildcard("wg*"));
  EXPECT_FALSE(IfnameWildcard("wg0"));
}

TEST(SyntaxTest, NftTableNames) {
  EXPECT_FALSE(NftTableNameProblem("pbr"));
  EXPECT_FALSE(NftTableNameProblem("filter"));  // a chain type, not a keyword
  EXPECT_FALSE(NftTableNameProblem("_x9"));
  EXPECT_TRUE(NftTableNameProblem("ip"));
  EXPECT_TRUE(NftTableNameProblem("counter"));
  EXPECT_TRUE(NftTableNameProblem("xt"));  // the last keyword: the list is searched sorted
  EXPECT_TRUE(NftTableNameProblem("accept"));
  EXPECT_TRUE(NftTableNameProblem("9a"));
  EXPECT_TRUE(NftTableNameProblem(std::string(65, 'a')));
  EXPECT_FALSE(NftTableNameProblem(std::string(64, 'a')));
}

TEST(SyntaxTest, SetStemsAreIdentifiersAndStable) {
  EXPECT_EQ(NftSetStem("lan"), "lan");
  EXPECT_EQ(NftSetStem("a b-c"), "a_b_c");
  EXPECT_EQ(NftSetStem("9x"), "s_9x");
  EXPECT_EQ(NftSetStem("\xc3\xa9"), "__");
  std::string a(300, 'a'), b = a;
  b[299] = 'b';
  EXPECT_EQ(NftSetStem(a).size(), kMaxSetStem);
  EXPECT_EQ(NftSetStem(a), NftSetStem(a));
  EXPECT_NE(NftSetStem(a), NftSetStem(b));  // the hash tells names apart that the cut joins
  EXPECT_EQ(NftSetStem(a).substr(0, 20), std::string(20, 'a'));
}

TEST(SyntaxTest, NftCommentIsSafeAndCutAtACharacter) {
  EXPECT_EQ(NftComment("p.pbr:3 -> wan1"), "p.pbr:3 -> wan1");
  EXPECT_EQ(NftComment("a\"b\\c\nd\x01"), "a'b/c?d?");
  EXPECT_EQ(NftComment("\xed\xa0\x80|\xff"), "???|?");  // each invalid byte alone
  EXPECT_EQ(NftComment(std::string(300, 'x')).size(), kNftCommentMax);
  // 127 ASCII bytes then 'é' (2 bytes): the character does not fit and is left out whole.
  std::string s = std::string(127, 'x') + "\xc3\xa9";
  EXPECT_EQ(NftComment(s), std::string(127, 'x'));
  EXPECT_TRUE(ValidUtf8(NftComment(std::string(125, 'x') + "\xe4\xb8\xad\xe4\xb8\xad")));
}

TEST(SyntaxTest, CommentLineCannotStartALine) {
  EXPECT_EQ(CommentLine("seed.pbr"), "seed.pbr");
  EXPECT_EQ(CommentLine("x\nflush ruleset"), "x\\x0aflush ruleset");
  EXPECT_EQ(CommentLine("a\\b\r\x1b\xff"), "a\\x5cb\\x0d\\x1b\\xff");
  EXPECT_EQ(CommentLine("\xc3\xa9\xc2\x85"), "\xc3\xa9\\xc2\\x85");  // é kept, NEL escaped
  EXPECT_EQ(CommentLine("\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

TEST(SyntaxTest, JsonTextIsValidUtf8WithoutControls) {
  EXPECT_EQ(JsonText(std::string("a\0b", 3)), "a?b");
  EXPECT_EQ(JsonText("\xed\xa0\x80\xc3\xa9"), "???\xc3\xa9");
  EXPECT_EQ(JsonText("tab\there"), "tab?here");
}

}  // namespace
}  // namespace pbrc::syntax
