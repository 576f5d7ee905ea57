// Port lists are evaluated by the same cycle-safe guard as sets (sema/name_chain.h).
#include <gtest/gtest.h>

#include <string>

#include "testing.h"

namespace pbrc {
namespace {

using testing::CompileText;

bool Has(const testing::Result& r, const std::string& s) {
  return r.diags.find(s) != std::string::npos;
}

const char* kLinkAndRule = "link a { device eth1; }\npolicy { proto tcp dport p0 via a; }\n";

// p0 = p1, p1 = p2, ... p{n-1} = 1000: acyclic, n deep.
std::string Chain(int n) {
  std::string s;
  for (int i = 0; i + 1 < n; ++i) {
    s += "ports p" + std::to_string(i) + " = p" + std::to_string(i + 1) + ";\n";
  }
  return s + "ports p" + std::to_string(n - 1) + " = 1000;\n";
}

TEST(PortLists, AcyclicChainDeeperThanSixteenIsNotACycle) {
  auto r = CompileText(Chain(21) + kLinkAndRule);
  EXPECT_FALSE(r.c->diags.HasErrors()) << r.diags;
}

TEST(PortLists, CycleIsReportedWithTheChain) {
  auto r = CompileText("ports p0 = p1, 22;\nports p1 = p0;\n" + std::string(kLinkAndRule));
  EXPECT_TRUE(Has(r, "error[E0106]: port list 'p0' is defined in terms of itself")) << r.diags;
  EXPECT_TRUE(Has(r, "note: 'p0' uses 'p1'")) << r.diags;
  EXPECT_TRUE(Has(r, "note: 'p1' uses 'p0'")) << r.diags;
}

TEST(PortLists, ChainDeeperThanTheLimitIsTooDeepNotACycle) {
  auto r = CompileText(Chain(300) + kLinkAndRule);
  EXPECT_TRUE(Has(r, "error[E0108]: port lists nested more than 256 deep")) << r.diags;
  EXPECT_FALSE(Has(r, "itself")) << r.diags;
}

// Each level names the next twice: without evaluating a list once, 2^40 expansions.
TEST(PortLists, DiamondIsEvaluatedOnce) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    s += "ports p" + std::to_string(i) + " = p" + std::to_string(i + 1) + ", p" +
         std::to_string(i + 1) + ";\n";
  }
  auto r = CompileText(s + "ports p40 = 1000-1010;\n" + kLinkAndRule);
  EXPECT_FALSE(r.c->diags.HasErrors()) << r.diags;
}

}  // namespace
}  // namespace pbrc
