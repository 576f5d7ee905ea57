// A libnftables JSON listing of one table -> plan objects. Sets are matched by name and
// family with their elements as normalized intervals (the kernel splits and joins intervals
// as it likes); chains by name; rules by chain and the policy rule id their comment starts
// with ("rule 7 ..."), or by chain and position when it has none, compared as their
// expression (ExprText, counter values left out), the comment being the origin. Both sides of
// a live plan go through here, so the same rule lists the same way.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "live.h"

namespace pbrc::live {
namespace {

using json = nlohmann::json;

std::optional<Interval> ElementInterval(const json& e) {
  if (e.is_object() && e.contains("elem")) {
    const json& inner = e["elem"];
    if (!inner.is_object() || !inner.contains("val")) return std::nullopt;
    return ElementInterval(inner["val"]);
  }
  if (e.is_string()) {
    auto a = ParseAddr(e.get<std::string>());
    if (a) return Interval{a->family, a->value, a->value};
  } else if (e.is_object() && e.contains("prefix")) {
    auto a = ParseAddr(e["prefix"].value("addr", ""));
    int len = e["prefix"].value("len", -1);
    if (a && len >= 0 && len <= Bits(a->family)) return ToInterval(Prefix{*a, len});
  } else if (e.is_object() && e.contains("range") && e["range"].size() == 2) {
    auto lo = ParseAddr(e["range"][0].is_string() ? e["range"][0].get<std::string>() : "");
    auto hi = ParseAddr(e["range"][1].is_string() ? e["range"][1].get<std::string>() : "");
    if (lo && hi && lo->family == hi->family) return Interval{lo->family, lo->value, hi->value};
  }
  return std::nullopt;
}

bool AddSet(const json& s, plan::State& out, std::string& err) {
  std::string type = s.value("type", "");
  std::string fam = type == "ipv4_addr" ? "ip" : type == "ipv6_addr" ? "ip6" : type;
  plan::Object o{plan::Kind::kSet, s.value("name", "") + " " + fam, "", "", {}};
  std::vector<Interval> els;
  if (s.contains("elem")) {
    for (const auto& e : s["elem"]) {
      auto iv = ElementInterval(e);
      if (!iv) {
        err = "set '" + s.value("name", "") + "': element not understood: " + e.dump();
        return false;
      }
      els.push_back(*iv);
    }
  }
  o.elements = IntervalList(Normalize(std::move(els)));
  out.objects.push_back(std::move(o));
  return true;
}

// A verdict map (`classify maps;`): its key type, data, flags and statements (`counter`
// under `counters on;`) on the first line, then its elements (verdicts included, counter
// values left out) as canonical text, one element a line in sorted order. apply updates
// elements in place only while the first line stays the same: an element the kernel adds
// takes the map's statements, so a change of `counters` replaces the table.
plan::Object MapObject(const json& m) {
  std::string attrs = m["type"].dump() + " " + m.value("map", "") + " " +
                      (m.contains("flags") ? m["flags"].dump() : "[]") +
                      (m.contains("stmt") ? " " + m["stmt"].dump() : "");
  std::vector<std::string> els;
  if (m.contains("elem")) {
    for (json e : m["elem"]) {
      if (e.is_array() && !e.empty() && e[0].is_object() && e[0].contains("elem")) {
        e[0]["elem"].erase("counter");
      }
      els.push_back(e.dump());
    }
  }
  std::sort(els.begin(), els.end());
  for (const auto& e : els) attrs += "\n" + e;
  return {plan::Kind::kMap, m.value("name", ""), attrs, "", {}};
}

std::string ChainAttrs(const json& c) {
  if (!c.contains("hook")) return "regular";
  return "type " + c.value("type", "") + " hook " + c.value("hook", "") + " prio " +
         c["prio"].dump() + " policy " + c.value("policy", "");
}

// Counter values change with traffic; a rule with a counter is the same rule at any count.
json WithoutCounts(json expr) {
  if (!expr.is_array()) return expr;
  for (auto& s : expr)
    if (s.is_object() && s.contains("counter")) s["counter"] = nullptr;
  return expr;
}

// "rule N" when a comment starts with pbrc's rule id ("rule 7 seed.pbr:28 -> wan1"), else "".
std::string IdOf(const std::string& comment) {
  if (comment.size() < 6 || comment.rfind("rule ", 0) != 0) return "";
  size_t end = comment.find_first_not_of("0123456789", 5);
  if (end == 5 || (end != std::string::npos && comment[end] != ' ')) return "";
  return comment.substr(0, end);
}

// "CHAIN rule N" for a rule with an id, "CHAIN #POSITION" otherwise. One policy rule gives
// several nft rules in a chain (one per family, a reply and a stop): the second with the
// same id is "CHAIN rule N #2", and so on, in listing order.
std::string RuleKey(const std::string& chain, const std::string& comment,
                    std::map<std::string, size_t>& seen) {
  std::string id = IdOf(comment);
  if (id.empty()) return chain + " #" + std::to_string(++seen[chain]);
  std::string key = chain + " " + id;
  size_t n = ++seen[key];
  return n == 1 ? key : key + " #" + std::to_string(n);
}

}  // namespace

bool NftObjects(const std::string& text, plan::State& out, std::string& err) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) {
    err = "nft listing is not libnftables JSON";
    return false;
  }
  std::map<std::string, size_t> seen;  // rules per chain, and per chain and rule id
  try {
    for (const auto& item : doc["nftables"]) {
      if (item.contains("table")) {
        const auto& t = item["table"];
        out.objects.push_back(
            {plan::Kind::kTable, t.value("family", "") + " " + t.value("name", ""), "", "", {}});
      } else if (item.contains("set")) {
        if (!AddSet(item["set"], out, err)) return false;
      } else if (item.contains("map")) {
        out.objects.push_back(MapObject(item["map"]));
      } else if (item.contains("chain")) {
        const auto& c = item["chain"];
        out.objects.push_back({plan::Kind::kChain, c.value("name", ""), ChainAttrs(c), "", {}});
      } else if (item.contains("rule")) {
        const auto& r = item["rule"];
        std::string chain = r.value("chain", "");
        std::string key = RuleKey(chain, r.value("comment", ""), seen);
        out.objects.push_back({plan::Kind::kRule,
                               key,
                               ExprText(WithoutCounts(r["expr"])),
                               r.value("comment", ""),
                               {}});
      }
    }
  } catch (const json::exception& e) {
    err = std::string("nft listing: unexpected JSON: ") + e.what();
    return false;
  }
  return true;
}

bool SetElements(const std::string& text, std::map<std::string, std::vector<Interval>>& out,
                 std::string& err) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) {
    err = "nft listing is not libnftables JSON";
    return false;
  }
  for (const auto& item : doc["nftables"]) {
    if (!item.contains("set") || !item["set"].is_object()) continue;
    const auto& s = item["set"];
    auto& els = out[s.value("name", "")];
    if (!s.contains("elem") || !s["elem"].is_array()) continue;
    for (const auto& e : s["elem"]) {
      auto iv = ElementInterval(e);
      if (!iv) {
        err = "set '" + s.value("name", "") + "': element not understood: " + e.dump();
        return false;
      }
      els.push_back(*iv);
    }
  }
  return true;
}

}  // namespace pbrc::live
