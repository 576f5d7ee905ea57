#include "pbrc/render_escape.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace pbrc {
namespace {

TEST(EscapeMessage, ControlBytesAndBadUtf8AreShownAsHex) {
  EXPECT_EQ(EscapeMessage("set 'a\x1b[31mb' \x7f"), "set 'a\\x1B[31mb' \\x7F");
  EXPECT_EQ(EscapeMessage("'\xc2\x9b' x"), "'\\xC2\\x9B' x");  // C1 CSI
  EXPECT_EQ(EscapeMessage("'\xff\xed\xa0\x80' \xc3\xa9"), "'\\xFF\\xED\\xA0\\x80' \xc3\xa9");
  EXPECT_EQ(EscapeName("dir\n/f.pbr"), "dir\\x0A/f.pbr");
}

TEST(EscapeMessage, LongQuotedNamesAreCut) {
  std::string name(100, 'n');
  std::string out = EscapeMessage("set '" + name + "' is never used");
  EXPECT_EQ(out, "set '" + std::string(64, 'n') + "…' is never used");
  EXPECT_EQ(EscapeMessage("'" + std::string(64, 'n') + "'"), "'" + std::string(64, 'n') + "'");
  // Never inside a character: 63 ASCII bytes then a 2-byte character.
  EXPECT_EQ(EscapeMessage("'" + std::string(63, 'n') + "\xc3\xa9x'"),
            "'" + std::string(63, 'n') + "…'");
  EXPECT_LE(EscapeMessage(std::string(100000, 'u')).size(), kMaxMessage + 3);
}

TEST(EscapeMessage, RenderersUseIt) {
  std::string name(10000, 'n');
  auto r = testing::CompileText("set " + name + " = { 1.2.3.4 };\n");
  EXPECT_NE(r.diags.find("warning[W0802]: set '" + std::string(64, 'n') + "…' is never used"),
            std::string::npos)
      << r.diags.substr(0, 500);
  EXPECT_LT(r.diags.size(), 1000u);
  std::string json = RenderJson(r.c->diags.Sorted(), r.c->sm);
  EXPECT_NE(json.find("set '" + std::string(64, 'n') + "…' is never used"), std::string::npos);
}

}  // namespace
}  // namespace pbrc
