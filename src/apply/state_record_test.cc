// The nft-state record: a round trip keeps every object and interval (both families, the
// extremes of the address space), and a cut, a flipped byte or another version is refused,
// so the next apply takes the slow path instead of planning from a wrong table.
#include <gtest/gtest.h>

#include "internal.h"

namespace pbrc::apply {
namespace {

plan::State Sample() {
  plan::State s;
  s.objects.push_back({plan::Kind::kTable, "inet pbr", "mask 0xff", "", {}});
  plan::Object set{plan::Kind::kSet, "big ip", "", "", {}};
  set.elements = IntervalList({{Family::kV4, 0, 0},
                               {Family::kV4, 0x0a000000, 0x0a0000ff},
                               {Family::kV4, 0xffffffff, 0xffffffff}});
  s.objects.push_back(set);
  plan::Object set6{plan::Kind::kSet, "big ip6", "", "", {}};
  U128 top = ~U128(0);
  set6.elements =
      IntervalList({{Family::kV6, U128(1) << 120, (U128(1) << 121) - 1}, {Family::kV6, top, top}});
  s.objects.push_back(set6);
  s.objects.push_back(
      {plan::Kind::kRule, "rule 1 ip classify", "saddr @big -> wan1", "a.pbr:3", {}});
  s.objects.push_back({plan::Kind::kChain, "odd\nname\xff", std::string("a\0b", 3), "", {}});
  return s;
}

std::string Encode(const plan::State& s) {
  std::vector<const plan::Object*> all;
  for (const auto& o : s.objects) all.push_back(&o);
  return EncodeNftState(all, "table inet pbr {\n}\n");
}

TEST(NftStateRecord, RoundTripKeepsEveryObjectAndInterval) {
  plan::State s = Sample();
  NftStateRecord rec;
  std::string err;
  ASSERT_TRUE(DecodeNftState(Encode(s), rec, err)) << err;
  EXPECT_EQ(rec.listing_text, "table inet pbr {\n}\n");
  const plan::State& back = rec.state;
  ASSERT_EQ(back.objects.size(), s.objects.size());
  for (size_t i = 0; i < s.objects.size(); ++i) {
    EXPECT_EQ(back.objects[i].kind, s.objects[i].kind);
    EXPECT_EQ(back.objects[i].key, s.objects[i].key);
    EXPECT_EQ(back.objects[i].attrs, s.objects[i].attrs);
    EXPECT_EQ(back.objects[i].origin, s.objects[i].origin);
    EXPECT_EQ(back.objects[i].elements, s.objects[i].elements) << s.objects[i].key;
  }
}

TEST(NftStateRecord, DamagedRecordsAreRefused) {
  std::string good = Encode(Sample()), err;
  NftStateRecord back;
  for (size_t cut = 0; cut < good.size(); ++cut)
    EXPECT_FALSE(DecodeNftState(good.substr(0, cut), back, err)) << "cut at " << cut;
  for (size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    EXPECT_FALSE(DecodeNftState(bad, back, err)) << "flipped at " << at;
  }
  EXPECT_FALSE(DecodeNftState(good + "x", back, err));
  std::string other = good;
  other.replace(other.find("/1"), 2, "/2");
  EXPECT_FALSE(DecodeNftState(other, back, err));
  EXPECT_FALSE(err.empty());
}

}  // namespace
}  // namespace pbrc::apply
