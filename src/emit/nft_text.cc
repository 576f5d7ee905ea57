// nft text: one script that replaces pbrc's table in one transaction. `table X {}` makes the
// delete valid when the table does not exist yet (nft 1.0.6 has no `destroy`), `delete`
// drops the old table with all its sets, and the new table follows.
#include "nft_model.h"
#include "pbrc/regions.h"
#include "pbrc/syntax.h"
#include "pbrc/text.h"

namespace pbrc::nft {
namespace {

// An nft double-quoted string. nft has no escape inside one, so a quote becomes `'`; device
// names are checked by the front end and comments made safe by syntax::NftComment, so this
// only keeps a stray quote from ever ending the string early. (fmt::QuotedPolicyString
// writes the policy language's strings, which escape with a backslash.)
std::string QuotedNftString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' ? '\'' : c);
  return out + "\"";
}

std::string AddrKeyword(Family f) { return f == Family::kV4 ? "ip" : "ip6"; }

std::string Elements(const IntervalList& els) {
  if (els.size() == 1) return FormatInterval(els[0]);
  std::string out = "{ ";
  for (size_t i = 0; i < els.size(); ++i) out += (i ? ", " : "") + FormatInterval(els[i]);
  return out + " }";
}

std::string Ports(const std::vector<PortRange>& rs) {
  if (rs.size() == 1) return FormatPortRange(rs[0]);
  std::string out = "{ ";
  for (size_t i = 0; i < rs.size(); ++i) out += (i ? ", " : "") + FormatPortRange(rs[i]);
  return out + " }";
}

std::string Proto(uint8_t p) {
  const char* n = ProtoName(p);
  return n ? n : std::to_string(p);
}

struct StmtText {
  std::string operator()(const MatchAddr& m) const {
    std::string rhs = m.set->empty() ? Elements(*m.elements) : "@" + *m.set;
    return AddrKeyword(m.family) + (m.source ? " saddr " : " daddr ") + (m.negated ? "!= " : "") +
           rhs;
  }
  std::string operator()(const MatchNfproto& m) const {
    return std::string("meta nfproto ") + (m.family == Family::kV4 ? "ipv4" : "ipv6");
  }
  std::string operator()(const MatchL4proto& m) const {
    const auto& ps = *m.protos;
    if (ps.size() == 1) return "meta l4proto " + Proto(ps[0]);
    std::string out = "meta l4proto { ";
    for (size_t i = 0; i < ps.size(); ++i) out += (i ? ", " : "") + Proto(ps[i]);
    return out + " }";
  }
  std::string operator()(const MatchPorts& m) const {
    return std::string("th ") + (m.source ? "sport " : "dport ") + (m.negated ? "!= " : "") +
           Ports(*m.ranges);
  }
  std::string operator()(const MatchPayload& m) const {
    std::string out = std::string(m.field.protocol) + " " + m.field.field + " ";
    if (m.values.size() == 1) return out + m.text(m.values[0]);
    out += "{ ";
    for (size_t i = 0; i < m.values.size(); ++i) out += (i ? ", " : "") + m.text(m.values[i]);
    return out + " }";
  }
  std::string operator()(const MatchIfname& m) const {
    return std::string(m.input ? "iifname " : "oifname ") + QuotedNftString(m.name);
  }
  std::string operator()(const MatchMark& m) const {
    return std::string(m.ct ? "ct" : "meta") + " mark & " + Hex8(m.mask) + " == " + Hex8(m.value);
  }
  std::string operator()(const MatchCtState& m) const {
    std::string out = "ct state ";
    for (size_t i = 0; i < m.states.size(); ++i) out += (i ? "," : "") + m.states[i];
    return out;
  }
  std::string operator()(const SetMark& m) const {
    std::string k = m.ct ? "ct" : "meta";
    return k + " mark set " + k + " mark & " + Hex8(m.keep) + " | " + Hex8(m.value);
  }
  std::string operator()(const Counter&) const { return "counter"; }
  std::string operator()(const Jump& j) const { return "jump " + j.chain; }
  std::string operator()(const Goto& g) const { return "goto " + g.chain; }
  std::string operator()(const Return&) const { return "return"; }
  std::string operator()(const Vmap& v) const {
    std::string ip = AddrKeyword(v.family);
    std::string k =
        v.daddr_first ? ip + " daddr . " + ip + " saddr" : ip + " saddr . " + ip + " daddr";
    if (v.proto) k += " . meta l4proto";
    if (v.port) k += v.reply ? " . th sport" : " . th dport";
    return k + " vmap @" + v.map;
  }
  std::string operator()(const MarkVmap& v) const {
    std::string out = "ct mark & " + Hex8(v.mask) + " vmap { ";
    for (size_t i = 0; i < v.entries.size(); ++i)
      out += (i ? ", " : "") + Hex8(v.entries[i].first) + " : goto " + v.entries[i].second;
    return out + " }";
  }
  std::string operator()(const Masquerade&) const { return "masquerade"; }
  std::string operator()(const Snat& s) const {
    return "snat " + AddrKeyword(s.family) + " to " + FormatAddr(s.to);
  }
};

void EmitSet(ChunkedWriter& w, const ir::Set& s, bool staged) {
  std::string& os = w.buf();
  os += "\tset " + s.name + " {\n\t\ttype " +
        (s.family == Family::kV4 ? "ipv4_addr" : "ipv6_addr") + "\n\t\tflags interval\n";
  if (staged) {
    os += "\t}\n\n";
    return;
  }
  os += "\t\telements = {";
  size_t col = 100;
  for (size_t i = 0; i < s.elements.size(); ++i) {
    std::string e = FormatInterval(s.elements[i]) + (i + 1 < s.elements.size() ? "," : "");
    if (col + e.size() + 1 > 96) {
      os += "\n\t\t\t";
      col = 24;
    } else {
      os += ' ';
      ++col;
    }
    os += e;
    col += e.size();
    w.Step();
  }
  os += "\n\t\t}\n\t}\n\n";
}

// One key field of a map element as nft writes it.
std::string KeyField(const ir::Span& s, int field, Family f) {
  if (field == ir::kKeySaddr || field == ir::kKeyDaddr) return FormatInterval({f, s.lo, s.hi});
  if (field == ir::kKeyProto && s.lo == s.hi) return Proto(static_cast<uint8_t>(s.lo));
  auto lo = static_cast<uint16_t>(s.lo), hi = static_cast<uint16_t>(s.hi);
  return FormatPortRange({lo, hi});  // protocols as numbers 0-255, ports 0-65535
}

// A verdict map of regions: typed by its key, `flags interval` (concatenated ranges need
// it), per-element counters with `counters on;`, one element per line with its rule.
void EmitMap(ChunkedWriter& w, const TableBuilder& t, size_t i) {
  const MapHead& m = t.Maps()[i];
  const ir::RegionMap& r = *m.map;
  std::string& os = w.buf();
  std::string addr = r.family == Family::kV4 ? "ipv4_addr" : "ipv6_addr";
  os += "\tmap " + m.name + " {\n\t\ttype " + addr + " . " + addr;
  if (r.proto) os += " . inet_proto";
  if (r.port) os += " . inet_service";
  os += " : verdict\n\t\tflags interval\n";
  if (m.counter) os += "\t\tcounter\n";
  os += "\t\telements = {";
  int fields = 2 + r.proto + r.port;
  const char* sep = " ";
  t.ForEachElement(i, [&](const MapElement& e) {
    os += sep;
    sep = ",\n\t\t\t     ";
    for (int f = 0; f < fields; ++f) {
      int k = f < 2 && r.daddr_first ? 1 - f : f;  // a port implies a proto
      os += (f ? " . " : "") + KeyField((*e.key)[k], k, r.family);
    }
    if (!e.comment.empty()) os += " comment " + QuotedNftString(e.comment);
    os += " : goto " + e.chain;
    w.Step();
  });
  os += " }\n\t}\n\n";
}

void EmitRule(ChunkedWriter& w, const Rule& r) {
  std::string& os = w.buf();
  os += "\t\t";
  for (size_t k = 0; k < r.stmts.size(); ++k) {
    if (k) os += ' ';
    os += std::visit(StmtText{}, r.stmts[k]);
  }
  if (!r.comment.empty()) os += " comment " + QuotedNftString(r.comment);
  os += '\n';
  w.Step();
}

}  // namespace

void RenderText(const TableBuilder& t, const ir::Program& p, Sink& out, bool staged) {
  ChunkedWriter w(out);
  std::string& os = w.buf();
  const std::string& name = t.Name();
  os += "#!/usr/sbin/nft -f\n# Generated by pbrc from " + syntax::CommentLine(p.policy_name) +
        ". Do not edit.\n# Replaces table inet " + name +
        " in one transaction; touches no other table.\n# Mark mask " + Hex8(p.opts.mark_mask) +
        ": no bit outside it is read or written.\ntable inet " + name + " {}\ndelete table inet " +
        name + "\ntable inet " + name + " {\n";
  if (staged) os += "\tflags dormant\n\n";
  for (const auto& s : t.Sets()) EmitSet(w, s, staged);
  for (size_t i = 0; i < t.Maps().size(); ++i) EmitMap(w, t, i);
  const auto& chains = t.Chains();
  for (size_t i = 0; i < chains.size(); ++i) {
    const ChainHead& c = chains[i];
    os += "\tchain " + c.name + " {\n";
    if (c.hook) {
      os += std::string("\t\ttype ") + c.hook->type + " hook " + c.hook->hook + " priority " +
            c.hook->prio + "; policy accept;\n";
    }
    t.ForEachRule(i, [&](const Rule& r) { EmitRule(w, r); });
    os += "\t}\n";
    if (i + 1 < chains.size()) os += '\n';
  }
  os += "}\n";
  w.Finish();
}

}  // namespace pbrc::nft
