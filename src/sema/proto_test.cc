#include <gtest/gtest.h>

#include "testing.h"

namespace pbrc {
namespace {

using testing::CompileText;

TEST(Proto, NumbersMayBeHex) {
  auto hex = CompileText("policy { proto 0x6, 0X11 to 1.2.3.4 via main; }\n");
  auto dec = CompileText("policy { proto 6, 17 to 1.2.3.4 via main; }\n");
  ASSERT_TRUE(hex.c->ir) << hex.diags;
  ASSERT_TRUE(dec.c->ir) << dec.diags;
  EXPECT_EQ(Emit(*hex.c->ir, {"nft"})[0].Text(), Emit(*dec.c->ir, {"nft"})[0].Text());
}

TEST(Proto, PastTwoFiftyFiveIsOutOfRange) {
  for (const char* n : {"256", "0x100", "99999999999"}) {
    auto r = CompileText(std::string("policy { proto ") + n + " via main; }\n");
    EXPECT_NE(r.diags.find(std::string("error[E0302]: proto ") + n + " is out of range"),
              std::string::npos)
        << r.diags;
  }
  auto ok = CompileText("policy { proto 255 via main; proto 0xff via main; }\n");
  EXPECT_FALSE(ok.c->diags.HasErrors()) << ok.diags;
}

}  // namespace
}  // namespace pbrc
