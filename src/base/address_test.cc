#include "pbrc/address.h"

#include <gtest/gtest.h>

#include <random>

namespace pbrc {
namespace {

Interval V4(const char* lo, const char* hi) {
  return Interval{Family::kV4, ParseAddr(lo)->value, ParseAddr(hi)->value};
}

Interval P(const char* text) {
  std::string s(text);
  size_t slash = s.find('/');
  Addr a = *ParseAddr(s.substr(0, slash));
  int len = slash == std::string::npos ? Bits(a.family) : std::stoi(s.substr(slash + 1));
  return ToInterval(Prefix{a, len});
}

std::string Str(const std::vector<Interval>& v) {
  std::string out;
  for (const auto& iv : v) out += (out.empty() ? "" : " ") + FormatInterval(iv);
  return out;
}

TEST(Address, ParsesAndFormatsBothFamilies) {
  EXPECT_EQ(FormatAddr(*ParseAddr("10.0.0.1")), "10.0.0.1");
  EXPECT_EQ(FormatAddr(*ParseAddr("2001:DB8:0:0::1")), "2001:db8::1");
  EXPECT_EQ(FormatAddr(*ParseAddr("::ffff:1.2.3.4")), "::ffff:1.2.3.4");
  EXPECT_FALSE(ParseAddr("300.1.1.1"));
  EXPECT_FALSE(ParseAddr("1.2.3"));
  EXPECT_FALSE(ParseAddr("01.2.3.4"));
  EXPECT_FALSE(ParseAddr("1::2::3"));
  EXPECT_FALSE(ParseAddr(""));
}

TEST(Normalize, MergesOverlappingAndAdjacent) {
  auto out = Normalize({P("10.0.0.0/25"), P("10.0.0.128/25"), P("10.0.1.0/24"), P("10.0.0.5")});
  EXPECT_EQ(Str(out), "10.0.0.0/23");
  out = Normalize(
      {V4("10.0.0.1", "10.0.0.9"), V4("10.0.0.5", "10.0.0.20"), V4("10.0.0.22", "10.0.0.22")});
  EXPECT_EQ(Str(out), "10.0.0.1-10.0.0.20 10.0.0.22");
}

TEST(Normalize, KeepsGapsAndSorts) {
  auto out = Normalize({P("192.168.0.0/16"), P("10.0.0.0/8"), P("172.16.0.0/12")});
  EXPECT_EQ(Str(out), "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16");
}

TEST(Normalize, EdgesOfTheAddressSpace) {
  EXPECT_EQ(Str(Normalize({P("0.0.0.0/0"), P("10.0.0.0/8")})), "0.0.0.0/0");
  EXPECT_EQ(Str(Normalize({P("255.255.255.255"), P("255.255.255.254")})), "255.255.255.254/31");
  EXPECT_EQ(Str(Normalize({P("::/0"), P("::1")})), "::/0");
  EXPECT_EQ(Str(Normalize({P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), P("::")})),
            ":: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_EQ(Str(Normalize({P("10.0.0.1/32")})), "10.0.0.1");
  EXPECT_EQ(Str(Normalize({P("2001:db8::1/128")})), "2001:db8::1");
}

TEST(Normalize, KeepsFamiliesApart) {
  Interval v4 = P("0.0.0.0/0");
  Interval v6 = P("::/96");  // same numeric range as all of IPv4
  auto out = Normalize({v6, v4});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].family, Family::kV4);
  EXPECT_EQ(out[1].family, Family::kV6);
}

TEST(Subtract, CutsHolesAndEdges) {
  auto in = Normalize({P("10.0.0.0/8")});
  auto minus = Normalize({P("10.0.0.0/24"), P("10.128.0.0/9")});
  EXPECT_EQ(Str(Subtract(in, minus)), "10.0.1.0-10.127.255.255");
  EXPECT_EQ(Str(Subtract(in, Normalize({P("0.0.0.0/0")}))), "");
  EXPECT_EQ(Str(Subtract(in, Normalize({P("11.0.0.0/8")}))), "10.0.0.0/8");
}

// Random normalized lists of one family inside a small space, so they overlap often.
std::vector<Interval> RandomList(std::mt19937_64& rng, Family f, size_t max_n, U128 space) {
  std::vector<Interval> v;
  size_t n = rng() % (max_n + 1);
  for (size_t i = 0; i < n; ++i) {
    U128 lo = rng() % space, len = rng() % 12;
    v.push_back(Interval{f, lo, lo + len >= space ? space - 1 : lo + len});
  }
  return Normalize(std::move(v));
}

// One sweep over the union of the excepts gives what subtracting them one by one gave
// (the old semantics), on random inputs of both families.
TEST(SubtractAll, EqualsSubtractingOneByOne) {
  std::mt19937_64 rng(1234);
  for (int round = 0; round < 2000; ++round) {
    Family f = round % 2 ? Family::kV6 : Family::kV4;
    U128 space = round % 3 == 0 ? (U128(1) << 32) : 200;
    std::vector<Interval> in = RandomList(rng, f, 30, space);
    std::vector<std::vector<Interval>> minus(rng() % 6);
    for (auto& m : minus) m = RandomList(rng, f, 8, space);
    std::vector<Interval> want = in;
    std::vector<const std::vector<Interval>*> ptrs;
    for (const auto& m : minus) {
      want = Subtract(want, m);
      ptrs.push_back(&m);
    }
    ASSERT_EQ(SubtractAll(in, ptrs), want) << "round " << round;
  }
}

TEST(SubtractAll, ManyExceptsOfOneBigList) {
  std::vector<Interval> in;
  for (uint32_t i = 0; i < 100000; ++i) in.push_back(Interval{Family::kV4, i * 4u, i * 4u + 1});
  std::vector<std::vector<Interval>> minus;
  for (uint32_t k = 0; k < 1000; ++k) minus.push_back({Interval{Family::kV4, k * 400u, k * 400u}});
  std::vector<const std::vector<Interval>*> ptrs;
  for (const auto& m : minus) ptrs.push_back(&m);
  auto out = SubtractAll(in, ptrs);
  // Each except removes the first address of one pair, leaving its second.
  ASSERT_EQ(out.size(), 100000u);
  EXPECT_EQ(out[0], (Interval{Family::kV4, 1, 1}));
  EXPECT_EQ(out[1], (Interval{Family::kV4, 4, 5}));
  EXPECT_EQ(out[100], (Interval{Family::kV4, 401, 401}));
}

TEST(IntervalList, CopiesShareOneBuffer) {
  IntervalList a(std::vector<Interval>{P("10.0.0.0/8"), P("11.0.0.0/8")});
  IntervalList b = a;
  EXPECT_TRUE(a.SameStorage(b));
  EXPECT_EQ(&a.vec(), &b.vec());
  IntervalList c(a.vec());
  EXPECT_FALSE(a.SameStorage(c));
  EXPECT_EQ(a, c);
  EXPECT_TRUE(IntervalList().empty());
  EXPECT_EQ(IntervalList(std::vector<Interval>{}).size(), 0u);
}

TEST(AsPrefix, OnlyExactPrefixes) {
  EXPECT_TRUE(AsPrefix(P("10.0.0.0/8")));
  EXPECT_EQ(AsPrefix(P("0.0.0.0/0"))->len, 0);
  EXPECT_EQ(AsPrefix(P("::/0"))->len, 0);
  EXPECT_FALSE(AsPrefix(V4("10.0.0.1", "10.0.0.2")));
  EXPECT_FALSE(AsPrefix(V4("10.0.0.0", "10.0.0.2")));
  EXPECT_EQ(AsPrefix(V4("10.0.0.2", "10.0.0.3"))->len, 31);
}

TEST(Normalize, MillionPrefixesStayCorrect) {
  std::vector<Interval> in;
  for (uint32_t i = 0; i < 1000000; ++i) {
    in.push_back(Interval{Family::kV4, U128(i) * 4, U128(i) * 4 + (i % 2 ? 3 : 1)});
  }
  auto out = Normalize(in);
  // Odd i covers its whole /30 and touches the next (even) block: (1,2), (3,4), ... merge;
  // block 0 and the last odd block stay alone.
  ASSERT_EQ(out.size(), 500001u);
  EXPECT_EQ(out[0].hi, 1u);
  EXPECT_EQ(out[1].lo, 4u);
  EXPECT_EQ(out[1].hi, 9u);
}

}  // namespace
}  // namespace pbrc
