// Reading a libnftables JSON listing: every element spelling the kernel uses, and a
// listing that is not one.
#include <gtest/gtest.h>

#include "live.h"

namespace pbrc::live {
namespace {

const char* kListing = R"({"nftables": [{"metainfo": {"version": "1.0.6"}},
 {"table": {"family": "inet", "name": "pbr", "handle": 7}},
 {"set": {"family": "inet", "name": "A_v4", "table": "pbr", "type": "ipv4_addr",
   "handle": 2, "flags": ["interval"],
   "elem": ["10.0.0.1", {"prefix": {"addr": "10.1.0.0", "len": 25}},
            {"prefix": {"addr": "10.1.0.128", "len": 25}},
            {"range": ["10.2.0.1", "10.2.0.9"]},
            {"elem": {"val": "10.3.0.1", "counter": {"packets": 0, "bytes": 0}}}]}},
 {"set": {"family": "inet", "name": "B_v6", "table": "pbr", "type": "ipv6_addr",
   "handle": 3, "flags": ["interval"]}},
 {"chain": {"family": "inet", "table": "pbr", "name": "classify", "handle": 4}},
 {"chain": {"family": "inet", "table": "pbr", "name": "prerouting", "handle": 5,
   "type": "filter", "hook": "prerouting", "prio": -150, "policy": "accept"}},
 {"rule": {"family": "inet", "table": "pbr", "chain": "classify", "handle": 8,
   "comment": "t.pbr:3 -> a", "expr": [
     {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                "right": "@A_v4"}},
     {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                "right": {"set": [80, {"range": [8000, 8080]}]}}},
     {"counter": {"packets": 12, "bytes": 3400}},
     {"mangle": {"key": {"meta": {"key": "mark"}},
                 "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967282]}, 2]}}},
     {"return": null}]}},
 {"rule": {"family": "inet", "table": "pbr", "chain": "classify", "handle": 9,
   "expr": [{"drop": null}]}}]})";

TEST(NftObjects, ReadsEveryElementSpelling) {
  plan::State s;
  std::string err;
  ASSERT_TRUE(NftObjects(kListing, s, err)) << err;
  plan::SortState(s);
  ASSERT_EQ(s.objects.size(), 7u);
  EXPECT_EQ(s.objects[0].key, "inet pbr");
  EXPECT_EQ(s.objects[1].key, "A_v4 ip");
  std::string els;
  for (const auto& e : s.objects[1].elements) els += FormatInterval(e) + " ";
  // The two halves are joined: the same set as pbrc's one prefix.
  EXPECT_EQ(els, "10.0.0.1 10.1.0.0/24 10.2.0.1-10.2.0.9 10.3.0.1 ");
  EXPECT_EQ(s.objects[2].key, "B_v6 ip6");
  EXPECT_TRUE(s.objects[2].elements.empty());
  EXPECT_EQ(s.objects[3].key, "classify");
  EXPECT_EQ(s.objects[4].attrs, "type filter hook prerouting prio -150 policy accept");
  EXPECT_EQ(s.objects[5].key, "classify #1");
  EXPECT_EQ(s.objects[5].origin, "t.pbr:3 -> a");
  EXPECT_EQ(s.objects[5].attrs,
            "ip saddr @A_v4 tcp dport != { 80, 8000-8080 } counter meta mark set meta mark & "
            "0xfffffff2 | 0x00000002 return");
  EXPECT_EQ(s.objects[6].attrs, R"(drop)");
  EXPECT_EQ(s.objects[6].key, "classify #2");
}

TEST(NftObjects, RejectsWhatItCannotRead) {
  plan::State s;
  std::string err;
  EXPECT_FALSE(NftObjects("table inet pbr {}", s, err));
  EXPECT_EQ(err, "nft listing is not libnftables JSON");
  std::string bad = R"({"nftables": [{"set": {"name": "x", "type": "ipv4_addr",
    "elem": [{"concat": ["a", "b"]}]}}]})";
  EXPECT_FALSE(NftObjects(bad, s, err));
  EXPECT_NE(err.find("set 'x': element not understood"), std::string::npos) << err;
  EXPECT_FALSE(NftObjects(R"({"nftables": [{"set": {"name": 5}}]})", s, err));
  EXPECT_FALSE(
      NftObjects(R"({"nftables": [{"set": {"name": "x", "elem": [{"elem": 1}]}}]})", s, err));
  // Statements it does not know, or malformed ones, stay JSON rather than being guessed.
  plan::State r;
  ASSERT_TRUE(NftObjects(R"({"nftables": [{"rule": {"chain": "c", "expr": [
      {"match": {"op": "==", "left": {"prefix": {"len": 8}}, "right": 1}},
      {"queue": {"num": 3}}]}}]})",
                         r, err))
      << err;
  EXPECT_EQ(r.objects[0].attrs, R"({"prefix":{"len":8}} 1 {"queue":{"num":3}})");
}

// pbrc writes the policy rule id first in each classification rule's comment: the key.
TEST(NftObjects, RuleIdFromTheComment) {
  auto rule = [](const std::string& comment) {
    return R"({"rule": {"chain": "classify", "comment": ")" + comment +
           R"(", "expr": [{"return": null}]}})";
  };
  std::string listing = R"({"nftables": [)" + rule("rule 7 t.pbr:3 -> a") + "," +
                        rule("rule 7 t.pbr:3 -> a") + "," + rule("rule 12") + "," +
                        rule("rule x t.pbr:4 -> a") + "," + rule("rules 7") + "," +
                        rule("rule 7x") + "]}";
  plan::State s;
  std::string err;
  ASSERT_TRUE(NftObjects(listing, s, err)) << err;
  std::vector<std::string> keys;
  for (const auto& o : s.objects) keys.push_back(o.key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"classify rule 7", "classify rule 7 #2", "classify rule 12",
                                      "classify #1", "classify #2", "classify #3"}));
  EXPECT_EQ(s.objects[0].origin, "rule 7 t.pbr:3 -> a");
}

}  // namespace
}  // namespace pbrc::live
