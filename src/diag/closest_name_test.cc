#include <gtest/gtest.h>

#include "pbrc/diagnostics.h"

namespace pbrc {
namespace {

TEST(ClosestName, FindsTyposAndTranspositions) {
  EXPECT_EQ(ClosestName("wan3", {"wan1", "lan"}), "wan1");
  EXPECT_EQ(ClosestName("tpc", {"tcp", "udp"}), "tcp");
  EXPECT_EQ(ClosestName("chinanett", {"chinanet", "unicom"}), "chinanet");
}

TEST(ClosestName, SaysNothingWhenFar) {
  EXPECT_EQ(ClosestName("x", {"wan1"}), "");
  EXPECT_EQ(ClosestName("office", {"wan1", "lte"}), "");
}

TEST(Catalog, CodesAreUniqueAndInOrder) {
  std::set<std::string> ids;
  for (size_t i = 0; i < Catalog().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(Catalog()[i].code), i);
    EXPECT_TRUE(ids.insert(Catalog()[i].id).second) << Catalog()[i].id;
  }
}

TEST(Diagnostics, DeduplicatesAndCaps) {
  Diagnostics d;
  Range r;
  d.Error(Code::kSyntax, r, "a");
  d.Error(Code::kSyntax, r, "a again");
  EXPECT_EQ(d.ErrorCount(), 1u);
  for (uint32_t i = 1; i < 300; ++i) {
    Range ri;
    ri.begin.offset = i;
    d.Error(Code::kSyntax, ri, "x");
  }
  EXPECT_EQ(d.ErrorCount(), Diagnostics::kMaxErrors);
  EXPECT_EQ(d.Sorted().back().code, Code::kTooManyErrors);
}

}  // namespace
}  // namespace pbrc
