// libnftables JSON (schema version 1): the same commands as the text script, in order:
// add table, delete table, add table, add sets, add chains, add rules. Streamed into the
// output in pieces (emit/json_writer.h, pbrc/sink.h): no document tree and no whole text, so
// a million rules cost one rule and one piece of text at a time.
#include "json_writer.h"
#include "nft_model.h"

namespace pbrc::nft {
namespace {

using emit::JsonWriter;

void Interval(JsonWriter& w, const pbrc::Interval& iv) {
  if (auto p = AsPrefix(iv)) {
    if (p->len == Bits(iv.family)) {
      w.String(FormatAddr(p->addr));
      return;
    }
    w.Object().Key("prefix").Object();
    w.Key("addr").String(FormatAddr(p->addr)).Key("len").Int(p->len);
    w.End().End();
    return;
  }
  w.Object().Key("range").Array();
  w.String(FormatAddr(Addr{iv.family, iv.lo})).String(FormatAddr(Addr{iv.family, iv.hi}));
  w.End().End();
}

// {"match": {"op": OP, "left": ..., "right": ...}}, with the two sides written by callbacks.
template <typename Left, typename Right>
void Match(JsonWriter& w, const char* op, Left left, Right right) {
  w.Object().Key("match").Object().Key("op").String(op).Key("left");
  left();
  w.Key("right");
  right();
  w.End().End();
}

// {"meta": {"key": KEY}} or {"ct": {"key": KEY}}
void Key(JsonWriter& w, const char* kind, const char* key) {
  w.Object().Key(kind).Object().Key("key").String(key).End().End();
}

void Payload(JsonWriter& w, const char* protocol, const char* field) {
  w.Object().Key("payload").Object();
  w.Key("protocol").String(protocol).Key("field").String(field);
  w.End().End();
}

void Proto(JsonWriter& w, uint8_t p) {
  const char* n = ProtoName(p);
  n ? w.String(n) : w.Int(p);
}

void PortValue(JsonWriter& w, const PortRange& r) {
  if (r.lo == r.hi) {
    w.Int(r.lo);
    return;
  }
  w.Object().Key("range").Array().Int(r.lo).Int(r.hi).End().End();
}

// One value, or {"set": [values...]} for several.
template <typename List, typename One>
void OneOrSet(JsonWriter& w, const List& list, One one) {
  if (list.size() == 1) {
    one(w, list[0]);
    return;
  }
  w.Object().Key("set").Array();
  for (const auto& e : list) one(w, e);
  w.End().End();
}

// (meta|ct) mark & keep
void MarkAnd(JsonWriter& w, bool ct, uint32_t mask) {
  w.Object().Key("&").Array();
  Key(w, ct ? "ct" : "meta", "mark");
  w.Int(mask).End().End();
}

struct StmtJson {
  JsonWriter& w;
  void operator()(const MatchAddr& m) const {
    const char* proto = m.family == Family::kV4 ? "ip" : "ip6";
    Match(
        w, m.negated ? "!=" : "==", [&] { Payload(w, proto, m.source ? "saddr" : "daddr"); },
        [&] {
          if (!m.set->empty()) {
            w.String("@" + *m.set);
          } else {
            OneOrSet(w, *m.elements, Interval);
          }
        });
  }
  void operator()(const MatchNfproto& m) const {
    Match(
        w, "==", [&] { Key(w, "meta", "nfproto"); },
        [&] { w.String(m.family == Family::kV4 ? "ipv4" : "ipv6"); });
  }
  void operator()(const MatchL4proto& m) const {
    Match(
        w, "==", [&] { Key(w, "meta", "l4proto"); }, [&] { OneOrSet(w, *m.protos, Proto); });
  }
  void operator()(const MatchPorts& m) const {
    Match(
        w, m.negated ? "!=" : "==", [&] { Payload(w, "th", m.source ? "sport" : "dport"); },
        [&] { OneOrSet(w, *m.ranges, PortValue); });
  }
  void operator()(const MatchPayload& m) const {
    Match(
        w, "==", [&] { Payload(w, m.field.protocol, m.field.field); },
        [&] {
          OneOrSet(w, m.values, [&](JsonWriter& out, uint64_t v) {
            m.json_number ? out.Int(v) : out.String(m.text(v));
          });
        });
  }
  void operator()(const MatchIfname& m) const {
    Match(
        w, "==", [&] { Key(w, "meta", m.input ? "iifname" : "oifname"); },
        [&] { w.String(m.name); });
  }
  void operator()(const MatchMark& m) const {
    Match(
        w, "==", [&] { MarkAnd(w, m.ct, m.mask); }, [&] { w.Int(m.value); });
  }
  void operator()(const MatchCtState& m) const {
    Match(
        w, "in", [&] { Key(w, "ct", "state"); },
        [&] {
          if (m.states.size() == 1) {
            w.String(m.states[0]);
          } else {
            w.Array();
            for (const auto& s : m.states) w.String(s);
            w.End();
          }
        });
  }
  void operator()(const SetMark& m) const {
    const char* kind = m.ct ? "ct" : "meta";
    w.Object().Key("mangle").Object().Key("key");
    Key(w, kind, "mark");
    w.Key("value").Object().Key("|").Array();
    MarkAnd(w, m.ct, m.keep);
    w.Int(m.value).End().End();
    w.End().End();
  }
  void operator()(const Counter&) const {
    w.Object().Key("counter").Object().Key("packets").Int(0).Key("bytes").Int(0).End().End();
  }
  void operator()(const Jump& j) const {
    w.Object().Key("jump").Object().Key("target").String(j.chain).End().End();
  }
  void operator()(const Goto& g) const {
    w.Object().Key("goto").Object().Key("target").String(g.chain).End().End();
  }
  void operator()(const Return&) const { w.Object().Key("return").Null().End(); }
  void operator()(const Vmap& v) const {
    const char* ip = v.family == Family::kV4 ? "ip" : "ip6";
    w.Object().Key("vmap").Object().Key("key").Object().Key("concat").Array();
    Payload(w, ip, v.daddr_first ? "daddr" : "saddr");
    Payload(w, ip, v.daddr_first ? "saddr" : "daddr");
    if (v.proto) Key(w, "meta", "l4proto");
    if (v.port) Payload(w, "th", v.reply ? "sport" : "dport");
    w.End().End().Key("data").String("@" + v.map).End().End();
  }
  void operator()(const MarkVmap& v) const {
    w.Object().Key("vmap").Object().Key("key");
    MarkAnd(w, true, v.mask);
    w.Key("data").Object().Key("set").Array();
    for (const auto& [mark, chain] : v.entries) {
      w.Array().Int(mark);
      w.Object().Key("goto").Object().Key("target").String(chain).End().End();
      w.End();
    }
    w.End().End().End().End();
  }
  void operator()(const Masquerade&) const { w.Object().Key("masquerade").Null().End(); }
  void operator()(const Snat& s) const {
    w.Object().Key("snat").Object();
    w.Key("family").String(s.family == Family::kV4 ? "ip" : "ip6");
    w.Key("addr").String(FormatAddr(s.to));
    w.End().End();
  }
};

// {"VERB": {"OBJECT": { "family": "inet", "table": T, ...
// (the caller writes the rest and closes three levels)
void Command(JsonWriter& w, const char* verb, const char* object, const std::string& table) {
  w.Object().Key(verb).Object().Key(object).Object();
  w.Key("family").String("inet").Key(std::string_view(object) == "table" ? "name" : "table");
  w.String(table);
}

void AddSet(JsonWriter& w, ChunkedWriter& out, const std::string& table, const ir::Set& s) {
  Command(w, "add", "set", table);
  w.Key("name").String(s.name);
  w.Key("type").String(s.family == Family::kV4 ? "ipv4_addr" : "ipv6_addr");
  w.Key("flags").Array().String("interval").End();
  w.Key("elem").Array();
  for (const auto& e : s.elements) {
    Interval(w, e);
    out.Step();
  }
  w.End().End().End().End();
}

// One key field of a map element, as nft's JSON writes it.
void KeyField(JsonWriter& w, const ir::Span& s, int field, Family f) {
  if (field == ir::kKeySaddr || field == ir::kKeyDaddr) return Interval(w, {f, s.lo, s.hi});
  if (field == ir::kKeyProto && s.lo == s.hi) return Proto(w, static_cast<uint8_t>(s.lo));
  PortValue(w, {static_cast<uint16_t>(s.lo), static_cast<uint16_t>(s.hi)});
}

// A verdict map (see EmitMap in nft_text.cc); added after the chains its elements name.
void AddMap(JsonWriter& w, ChunkedWriter& out, const TableBuilder& t, size_t i) {
  const MapHead& m = t.Maps()[i];
  const ir::RegionMap& r = *m.map;
  Command(w, "add", "map", t.Name());
  const char* addr = r.family == Family::kV4 ? "ipv4_addr" : "ipv6_addr";
  w.Key("name").String(m.name).Key("type").Array().String(addr).String(addr);
  if (r.proto) w.String("inet_proto");
  if (r.port) w.String("inet_service");
  w.End().Key("map").String("verdict").Key("flags").Array().String("interval").End();
  if (m.counter) w.Key("stmt").Array().Object().Key("counter").Null().End().End();
  w.Key("elem").Array();
  int fields = 2 + r.proto + r.port;  // a port implies a proto
  t.ForEachElement(i, [&](const MapElement& e) {
    w.Array().Object().Key("elem").Object().Key("val").Object().Key("concat").Array();
    for (int f = 0; f < fields; ++f) {
      int k = f < 2 && r.daddr_first ? 1 - f : f;  // as nft_text.cc
      KeyField(w, (*e.key)[k], k, r.family);
    }
    w.End().End();
    if (!e.comment.empty()) w.Key("comment").String(e.comment);
    if (m.counter) {
      w.Key("counter").Object().Key("packets").Int(0).Key("bytes").Int(0).End();
    }
    w.End().End();
    w.Object().Key("goto").Object().Key("target").String(e.chain).End().End();
    w.End();
    out.Step();
  });
  w.End().End().End().End();
}

void AddChain(JsonWriter& w, const std::string& table, const ChainHead& c) {
  Command(w, "add", "chain", table);
  w.Key("name").String(c.name);
  if (c.hook) {
    w.Key("type").String(c.hook->type).Key("hook").String(c.hook->hook);
    w.Key("prio").Int(c.hook->prio_value).Key("policy").String("accept");
  }
  w.End().End().End();
}

void AddRule(JsonWriter& w, const std::string& table, const std::string& chain,
             const nft::Rule& r) {
  Command(w, "add", "rule", table);
  w.Key("chain").String(chain);
  if (!r.comment.empty()) w.Key("comment").String(r.comment);
  w.Key("expr").Array();
  for (const auto& s : r.stmts) std::visit(StmtJson{w}, s);
  w.End().End().End().End();
}

}  // namespace

void RenderJson(const TableBuilder& t, Sink& sink) {
  ChunkedWriter out(sink);
  JsonWriter w(out.buf());
  const std::string& table = t.Name();
  w.Object().Key("nftables").Array();
  w.Object().Key("metainfo").Object().Key("json_schema_version").Int(1).End().End();
  for (const char* verb : {"add", "delete", "add"}) {
    Command(w, verb, "table", table);
    w.End().End().End();
  }
  for (const auto& s : t.Sets()) AddSet(w, out, table, s);
  const auto& chains = t.Chains();
  for (const auto& c : chains) AddChain(w, table, c);
  for (size_t i = 0; i < t.Maps().size(); ++i) AddMap(w, out, t, i);
  for (size_t i = 0; i < chains.size(); ++i) {
    t.ForEachRule(i, [&](const Rule& r) {
      AddRule(w, table, chains[i].name, r);
      out.Step();
    });
  }
  w.End().End();
  out.buf() += '\n';
  out.Finish();
}

}  // namespace pbrc::nft
