#include "json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pbrc::emit {
namespace {

// The writer's layout is nlohmann's dump(1, '\t'): the goldens were made with it.
TEST(JsonWriter, SameLayoutAsNlohmannPrettyDump) {
  std::string out;
  JsonWriter w(out);
  w.Object().Key("a").Array().Int(1).Int(-150).Null().End();
  w.Key("empty_array").Array().End().Key("empty_object").Object().End();
  w.Key("nested").Object().Key("s").String("x y").Key("list").Array();
  w.Object().Key("k").String("v").End().String("w").End().End();
  w.End();
  nlohmann::ordered_json j = {{"a", {1, -150, nullptr}},
                              {"empty_array", nlohmann::ordered_json::array()},
                              {"empty_object", nlohmann::ordered_json::object()},
                              {"nested", {{"s", "x y"}, {"list", {{{"k", "v"}}, "w"}}}}};
  EXPECT_EQ(out, j.dump(1, '\t'));
}

TEST(JsonWriter, StringsAreEscapedLikeNlohmann) {
  for (std::string s : {std::string("plain"), std::string("q\"uote\\"), std::string("caf\xc3\xa9"),
                        std::string("\xe2\x86\x92 wan1"), std::string()}) {
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(out, nlohmann::json(s).dump()) << s;
  }
}

// The JSON rule of pbrc/syntax.h: control bytes and invalid UTF-8 never reach the artifact
// (nft rejects \u0000; the JSON library throws on bad UTF-8). Each becomes '?'.
TEST(JsonWriter, ControlBytesAndBadUtf8BecomeQuestionMarks) {
  struct Case {
    std::string in, want;
  } cases[] = {{"tab\tnl\n", "\"tab?nl?\""},
               {std::string("nul\0in", 6), "\"nul?in\""},
               {"\x01\x1f\x7f", "\"???\""},
               {"cut \xc3", "\"cut ?\""},
               {"surrogate \xed\xa0\x80", "\"surrogate ???\""}};
  for (const auto& c : cases) {
    std::string out;
    AppendJsonString(out, c.in);
    EXPECT_EQ(out, c.want) << c.in;
    EXPECT_TRUE(nlohmann::json::accept(out)) << out;
  }
}

}  // namespace
}  // namespace pbrc::emit
