// A verdict map's attrs (src/live/nft_objects.cc): its key, data and flags on the first
// line, then one libnftables JSON element a line, sorted. The plan renders a changed map as
// the elements only one side has, in nft's own notation, instead of the whole map twice.
#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

#include "pbrc/plan.h"

namespace pbrc::plan {
namespace {

using json = nlohmann::json;

std::string Field(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  if (v.is_object() && v.size() == 1) {
    const json& arg = v.begin().value();
    if (v.contains("prefix") && arg.is_object())
      return Field(arg.value("addr", json())) + "/" + Field(arg.value("len", json()));
    if (v.contains("range") && arg.is_array() && arg.size() == 2)
      return Field(arg[0]) + "-" + Field(arg[1]);
  }
  return v.dump();
}

}  // namespace

MapLines SplitMap(std::string_view attrs) {
  size_t nl = attrs.find('\n');
  MapLines out{attrs.substr(0, nl), {}};
  while (nl != std::string_view::npos) {
    size_t next = attrs.find('\n', nl + 1);
    out.elements.push_back(
        attrs.substr(nl + 1, next == std::string_view::npos ? next : next - nl - 1));
    nl = next;
  }
  return out;
}

void MapElementDiff(const Change& c, std::vector<std::string_view>& added,
                    std::vector<std::string_view>& removed) {
  MapLines was = SplitMap(c.before), want = SplitMap(c.after);
  if (c.op == Op::kAdd) was.elements.clear();
  if (c.op == Op::kRemove) want.elements.clear();
  std::set_difference(want.elements.begin(), want.elements.end(), was.elements.begin(),
                      was.elements.end(), std::back_inserter(added));
  std::set_difference(was.elements.begin(), was.elements.end(), want.elements.begin(),
                      want.elements.end(), std::back_inserter(removed));
}

std::string MapElementText(std::string_view line) {
  json e = json::parse(line, nullptr, false);
  if (!e.is_array() || e.size() != 2) return std::string(line);
  json val = e[0];
  std::string comment;
  if (val.is_object() && val.contains("elem") && val["elem"].is_object()) {
    comment = val["elem"].value("comment", "");
    val = val["elem"].value("val", json());
  }
  std::string out;
  if (val.is_object() && val.contains("concat") && val["concat"].is_array()) {
    for (const auto& f : val["concat"]) out += (out.empty() ? "" : " . ") + Field(f);
  } else {
    out = Field(val);
  }
  if (!comment.empty()) out += " comment " + json(comment).dump();
  const json& v = e[1];
  if (v.is_object() && v.size() == 1 && v.begin().value().is_object() &&
      v.begin().value().contains("target"))
    return out + " : " + v.begin().key() + " " + Field(v.begin().value()["target"]);
  return out + " : " + v.dump();
}

}  // namespace pbrc::plan
