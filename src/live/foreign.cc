// Other tables are never pbrc's and never part of the plan, but a rule there that writes the
// mark bits pbrc owns decides, in effect, how pbrc's traffic is routed: warn about it.
#include <cstdio>

#include "live.h"

namespace pbrc::live {
namespace {

using json = nlohmann::json;

bool IsMarkOf(const json& v, const char* kind) {
  return v.is_object() && v.contains(kind) && v[kind].is_object() &&
         v[kind].value("key", "") == "mark";
}

bool IsMark(const json& v) { return IsMarkOf(v, "meta") || IsMarkOf(v, "ct"); }

std::string Hex(uint32_t v) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// One binary operator whose left side is `left` and right side a number.
bool Op(const json& v, const char* op, json& left, uint32_t& number) {
  if (!v.is_object() || !v.contains(op) || !v[op].is_array() || v[op].size() != 2) return false;
  if (!v[op][1].is_number_unsigned()) return false;
  left = v[op][0];
  number = v[op][1].get<uint32_t>();
  return true;
}

void CheckRule(const TableName& t, const json& rule, uint32_t mask,
               std::vector<std::string>& warnings) {
  if (!rule.contains("expr") || !rule["expr"].is_array()) return;
  for (const auto& s : rule["expr"]) {
    if (!s.is_object() || !s.contains("mangle") || !s["mangle"].is_object()) continue;
    const auto& m = s["mangle"];
    if (!m.contains("key") || !IsMark(m["key"]) || !m.contains("value")) continue;
    uint32_t bits = WrittenMarkBits(m["value"], mask);
    if (!bits) continue;
    warnings.push_back("table " + t.family + " " + t.name + ", chain " + rule.value("chain", "") +
                       ": a rule writes mark bits " + Hex(bits) + " of pbrc's mask " + Hex(mask) +
                       "; pbrc leaves it alone, but it can change where pbrc's "
                       "traffic is routed");
  }
}

}  // namespace

uint32_t WrittenMarkBits(const json& value, uint32_t mask) {
  json inner, mark;
  uint32_t a = 0, o = 0;
  if (Op(value, "|", inner, o)) {
    if (IsMark(inner)) return o & mask;
    if (Op(inner, "&", mark, a) && IsMark(mark)) return (~a | o) & mask;
    return mask;
  }
  if (Op(value, "&", inner, a) && IsMark(inner)) return ~a & mask;
  if (Op(value, "^", inner, o) && IsMark(inner)) return o & mask;
  return mask;
}

bool WarnMarkWriters(const std::string& own, uint32_t mask, std::vector<std::string>& warnings,
                     std::string& err) {
  std::vector<TableName> tables;
  if (!ListNftTables(tables, err)) return false;
  for (const auto& t : tables) {
    if (t.family == "inet" && t.name == own) continue;
    std::string text, why;
    if (!ListNftTableOf(t, text, why)) {
      warnings.push_back("cannot read table " + t.family + " " + t.name + " (" + why +
                         "); it is not checked for rules that write pbrc's mark bits");
      continue;
    }
    json doc = json::parse(text, nullptr, false);
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) continue;
    for (const auto& item : doc["nftables"])
      if (item.is_object() && item.contains("rule")) CheckRule(t, item["rule"], mask, warnings);
  }
  return true;
}

}  // namespace pbrc::live
