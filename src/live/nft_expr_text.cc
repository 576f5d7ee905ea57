// A rule's libnftables JSON expression list as nft-like text, for people reading a live plan:
// `ip saddr @A_v4 meta mark set meta mark & 0xfffffff2 | 0x00000002 return`. Only the
// statements pbrc writes are spelled out; anything else is shown as its JSON, so no
// difference between two rules is ever hidden by this rendering.
#include <cstdio>

#include "live.h"

namespace pbrc::live {
namespace {

using json = nlohmann::json;

std::string Value(const json& v, bool hex);

std::string Number(const json& v, bool hex) {
  if (!hex || !v.is_number_unsigned()) return v.dump();
  char buf[24];
  snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v.get<uint64_t>()));
  return buf;
}

std::string Binary(const json& args, const char* op, bool hex) {
  if (!args.is_array() || args.size() != 2) return args.dump();
  return Value(args[0], hex) + " " + op + " " + Value(args[1], hex);
}

std::string Value(const json& v, bool hex) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return Number(v, hex);
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v) out += (out.empty() ? "" : ",") + Value(e, hex);
    return out;
  }
  if (!v.is_object() || v.size() != 1) return v.dump();
  const std::string key = v.begin().key();
  const json& arg = v.begin().value();
  if (key == "payload" && arg.contains("protocol") && arg.contains("field"))
    return arg["protocol"].get<std::string>() + " " + arg["field"].get<std::string>();
  if ((key == "meta" || key == "ct") && arg.contains("key") && arg.size() == 1)
    return key + " " + arg["key"].get<std::string>();
  if (key == "&" || key == "|") return Binary(arg, key.c_str(), hex);
  if (key == "prefix" && arg.is_object() && arg.contains("addr") && arg.contains("len"))
    return Value(arg["addr"], hex) + "/" + Value(arg["len"], false);
  if (key == "range" && arg.is_array() && arg.size() == 2)
    return Value(arg[0], hex) + "-" + Value(arg[1], hex);
  if (key == "concat" && arg.is_array()) {
    std::string out;
    for (const auto& e : arg) out += (out.empty() ? "" : " . ") + Value(e, hex);
    return out;
  }
  if (key == "set" && arg.is_array()) {
    std::string out;
    for (const auto& e : arg) out += (out.empty() ? "" : ", ") + Value(e, hex);
    return "{ " + out + " }";
  }
  return v.dump();
}

bool IsMark(const json& v) { return v.dump().find("\"mark\"") != std::string::npos; }

std::string Statement(const json& s) {
  if (!s.is_object() || s.size() != 1) return s.dump();
  const std::string key = s.begin().key();
  const json& arg = s.begin().value();
  if (key == "match" && arg.contains("left") && arg.contains("right")) {
    bool hex = IsMark(arg["left"]);
    std::string op = arg.value("op", "==");
    op = op == "==" || op == "in" ? " " : " " + op + " ";
    return Value(arg["left"], hex) + op + Value(arg["right"], hex);
  }
  if (key == "mangle" && arg.contains("key") && arg.contains("value")) {
    bool hex = IsMark(arg["key"]);
    return Value(arg["key"], hex) + " set " + Value(arg["value"], hex);
  }
  if (key == "vmap" && arg.is_object() && arg.contains("key") && arg.contains("data"))
    return Value(arg["key"], false) + " vmap " + Value(arg["data"], false);
  if (arg.is_null()) return key;  // return, accept, drop, masquerade, counter
  if ((key == "jump" || key == "goto") && arg.contains("target"))
    return key + " " + arg["target"].get<std::string>();
  if (key == "snat" && arg.contains("addr") && arg.size() <= 2)
    return "snat " + arg.value("family", "") + (arg.contains("family") ? " " : "") + "to " +
           Value(arg["addr"], false);
  return s.dump();
}

}  // namespace

std::string ExprText(const json& expr) {
  if (!expr.is_array()) return expr.dump();
  std::string out;
  for (const auto& s : expr) out += (out.empty() ? "" : " ") + Statement(s);
  return out;
}

}  // namespace pbrc::live
