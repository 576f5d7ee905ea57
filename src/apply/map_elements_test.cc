// Map elements as apply sends them: the bytes must be what nft 1.0.6 sends for the same
// element (`nft --debug=netlink add element`: fields in network order, each padded to 4
// bytes, the range's last key apart), and anything apply cannot encode is refused, so the
// table is replaced instead of updated wrongly.
#include <gtest/gtest.h>

#include "internal.h"

namespace pbrc::apply {
namespace {

std::string Hex(const std::string& b) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) out += {k[c >> 4], k[c & 15]};
  return out;
}

TEST(MapElements, EncodesTheKeyAsNftDoes) {
  MapShape shape;
  std::string err;
  ASSERT_TRUE(ReadMapHeader(
      R"(["ipv4_addr","ipv4_addr","inet_proto","inet_service"] verdict ["interval"] [{"counter":null}])",
      shape, err))
      << err;
  EXPECT_TRUE(shape.interval);
  MapElementBytes e;
  ASSERT_TRUE(EncodeMapElement(
      shape,
      R"([{"elem":{"comment":"rule 9 x -> y","val":{"concat":[{"prefix":{"addr":"10.0.0.0","len":8}},"1.2.3.4","udp",53]}}},{"goto":{"target":"mark_t0"}}])",
      e, err))
      << err;
  // What nft sent for `10.0.0.0/8 . 1.2.3.4 . udp . 53 comment "rule 9 x -> y" : goto mark_t0`.
  EXPECT_EQ(Hex(e.key),
            "0a000000"
            "01020304"
            "11000000"
            "00350000");
  EXPECT_EQ(Hex(e.key_end),
            "0affffff"
            "01020304"
            "11000000"
            "00350000");
  EXPECT_TRUE(e.verdict_goto);
  EXPECT_EQ(e.chain, "mark_t0");
  EXPECT_EQ(e.comment, "rule 9 x -> y");
}

TEST(MapElements, ReadsRangesNumbersAndIpv6) {
  MapShape shape;
  std::string err;
  ASSERT_TRUE(
      ReadMapHeader(R"(["ipv6_addr","ipv6_addr","inet_proto"] verdict ["interval"])", shape, err));
  MapElementBytes e;
  ASSERT_TRUE(EncodeMapElement(
      shape,
      R"([{"concat":[{"range":["2001:db8::","2001:db8::ff"]},{"prefix":{"addr":"::","len":0}},{"range":[0,255]}]},{"jump":{"target":"c"}}])",
      e, err))
      << err;
  EXPECT_EQ(Hex(e.key).substr(0, 32), "20010db8000000000000000000000000");
  EXPECT_EQ(Hex(e.key_end).substr(0, 32), "20010db80000000000000000000000ff");
  EXPECT_EQ(Hex(e.key_end).substr(32, 32), std::string(32, 'f'));
  EXPECT_EQ(Hex(e.key).substr(64), "00000000");
  EXPECT_EQ(Hex(e.key_end).substr(64), "ff000000");
  EXPECT_FALSE(e.verdict_goto);
  EXPECT_TRUE(e.comment.empty());
}

TEST(MapElements, RefusesWhatItCannotEncode) {
  MapShape shape;
  std::string err;
  EXPECT_FALSE(ReadMapHeader(R"("ipv4_addr" verdict ["interval"])", shape, err));
  EXPECT_FALSE(ReadMapHeader(R"(["ipv4_addr","ipv4_addr"] verdict)", shape, err));
  EXPECT_FALSE(ReadMapHeader(R"(["ipv4_addr","mark"] verdict ["interval"])", shape, err));
  EXPECT_FALSE(ReadMapHeader(R"(["ifname","ipv4_addr"] verdict ["interval"])", shape, err));
  EXPECT_FALSE(ReadMapHeader(R"(["ipv4_addr","ipv4_addr"] mark ["interval"])", shape, err));
  ASSERT_TRUE(ReadMapHeader(R"(["ipv4_addr","ipv4_addr"] verdict ["interval"])", shape, err));
  MapElementBytes e;
  const char* bad[] = {
      R"([{"concat":["1.2.3.4"]},{"goto":{"target":"c"}}])",        // one field short
      R"([{"concat":["1.2.3.4","::1"]},{"goto":{"target":"c"}}])",  // wrong family
      R"([{"concat":["1.2.3.4","1.2.3.5"]},"accept"])",             // not goto/jump
      R"([{"concat":[{"range":["1.2.3.9","1.2.3.4"]},"1.2.3.5"]},{"goto":{"target":"c"}}])",
      R"(not json)",
  };
  for (const char* line : bad) EXPECT_FALSE(EncodeMapElement(shape, line, e, err)) << line;
}

}  // namespace
}  // namespace pbrc::apply
