// libnftables JSON (schema version 1): the same commands as the text script, in order:
// add table, delete table, add table, add sets, add chains, add rules.
#include <nlohmann/json.hpp>

#include "emit/nft_model.h"
#include "pbrc/syntax.h"

namespace pbrc::nft {
namespace {

using json = nlohmann::ordered_json;

// Every string that comes from the policy (names, comments) goes through this: the JSON
// library throws on invalid UTF-8, and nft's parser rejects \u0000.
json Text(const std::string& s) { return syntax::JsonText(s); }

json Interval(const pbrc::Interval& iv) {
  if (auto p = AsPrefix(iv)) {
    if (p->len == Bits(iv.family)) return FormatAddr(p->addr);
    return json{{"prefix", {{"addr", FormatAddr(p->addr)}, {"len", p->len}}}};
  }
  return json{{"range", {FormatAddr(Addr{iv.family, iv.lo}), FormatAddr(Addr{iv.family, iv.hi})}}};
}

json Match(const char* op, json left, json right) {
  return json{{"match", {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}}}};
}

json Meta(const char* key) { return json{{"meta", {{"key", key}}}}; }
json Ct(const char* key) { return json{{"ct", {{"key", key}}}}; }

json Proto(uint8_t p) {
  const char* n = ProtoName(p);
  return n ? json(n) : json(p);
}

json PortValue(const model::PortRange& r) {
  return r.lo == r.hi ? json(r.lo) : json{{"range", {r.lo, r.hi}}};
}

struct StmtJson {
  json operator()(const MatchAddr& m) const {
    json left{{"payload",
               {{"protocol", m.family == Family::kV4 ? "ip" : "ip6"},
                {"field", m.source ? "saddr" : "daddr"}}}};
    json right;
    if (!m.set.empty()) {
      right = Text("@" + m.set);
    } else if (m.elements.size() == 1) {
      right = Interval(m.elements[0]);
    } else {
      json set = json::array();
      for (const auto& e : m.elements) set.push_back(Interval(e));
      right = json{{"set", set}};
    }
    return Match(m.negated ? "!=" : "==", left, right);
  }
  json operator()(const MatchNfproto& m) const {
    return Match("==", Meta("nfproto"), m.family == Family::kV4 ? "ipv4" : "ipv6");
  }
  json operator()(const MatchL4proto& m) const {
    if (m.protos.size() == 1) return Match("==", Meta("l4proto"), Proto(m.protos[0]));
    json set = json::array();
    for (auto p : m.protos) set.push_back(Proto(p));
    return Match("==", Meta("l4proto"), json{{"set", set}});
  }
  json operator()(const MatchPorts& m) const {
    json left{{"payload", {{"protocol", "th"}, {"field", m.source ? "sport" : "dport"}}}};
    json right;
    if (m.ranges.size() == 1) {
      right = PortValue(m.ranges[0]);
    } else {
      json set = json::array();
      for (const auto& r : m.ranges) set.push_back(PortValue(r));
      right = json{{"set", set}};
    }
    return Match(m.negated ? "!=" : "==", left, right);
  }
  json operator()(const MatchIfname& m) const {
    return Match("==", Meta(m.input ? "iifname" : "oifname"), Text(m.name));
  }
  json operator()(const MatchMark& m) const {
    return Match("==", json{{"&", {m.ct ? Ct("mark") : Meta("mark"), m.mask}}}, m.value);
  }
  json operator()(const MatchCtState& m) const {
    json states = json::array();
    for (const auto& s : m.states) states.push_back(s);
    return Match("in", Ct("state"), states.size() == 1 ? states[0] : states);
  }
  json operator()(const SetMark& m) const {
    json key = m.ct ? Ct("mark") : Meta("mark");
    return json{
        {"mangle", {{"key", key}, {"value", {{"|", {json{{"&", {key, m.keep}}}, m.value}}}}}}};
  }
  json operator()(const Counter&) const {
    return json{{"counter", {{"packets", 0}, {"bytes", 0}}}};
  }
  json operator()(const Jump& j) const { return json{{"jump", {{"target", Text(j.chain)}}}}; }
  json operator()(const Goto& g) const { return json{{"goto", {{"target", Text(g.chain)}}}}; }
  json operator()(const Return&) const { return json{{"return", nullptr}}; }
  json operator()(const Masquerade&) const { return json{{"masquerade", nullptr}}; }
  json operator()(const Snat& s) const {
    return json{
        {"snat", {{"family", s.family == Family::kV4 ? "ip" : "ip6"}, {"addr", FormatAddr(s.to)}}}};
  }
};

}  // namespace

std::string RenderJson(const Table& t) {
  json cmds = json::array();
  cmds.push_back(json{{"metainfo", {{"json_schema_version", 1}}}});
  json table{{"family", "inet"}, {"name", Text(t.name)}};
  cmds.push_back(json{{"add", {{"table", table}}}});
  cmds.push_back(json{{"delete", {{"table", table}}}});
  cmds.push_back(json{{"add", {{"table", table}}}});
  for (const auto& s : t.sets) {
    json elems = json::array();
    for (const auto& e : s.elements) elems.push_back(Interval(e));
    cmds.push_back(json{{"add",
                         {{"set",
                           {{"family", "inet"},
                            {"table", Text(t.name)},
                            {"name", Text(s.name)},
                            {"type", s.family == Family::kV4 ? "ipv4_addr" : "ipv6_addr"},
                            {"flags", {"interval"}},
                            {"elem", elems}}}}}});
  }
  for (const auto& c : t.chains) {
    json chain{{"family", "inet"}, {"table", Text(t.name)}, {"name", Text(c.name)}};
    if (c.hook) {
      chain["type"] = c.hook->type;
      chain["hook"] = c.hook->hook;
      chain["prio"] = c.hook->prio_value;
      chain["policy"] = "accept";
    }
    cmds.push_back(json{{"add", {{"chain", chain}}}});
  }
  for (const auto& c : t.chains) {
    for (const auto& r : c.rules) {
      json expr = json::array();
      for (const auto& s : r.stmts) expr.push_back(std::visit(StmtJson{}, s));
      json rule{{"family", "inet"}, {"table", Text(t.name)}, {"chain", Text(c.name)}};
      if (!r.comment.empty()) rule["comment"] = Text(r.comment);
      rule["expr"] = expr;
      cmds.push_back(json{{"add", {{"rule", rule}}}});
    }
  }
  return json{{"nftables", cmds}}.dump(1, '\t') + "\n";
}

}  // namespace pbrc::nft
