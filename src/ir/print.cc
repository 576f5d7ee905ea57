// `--emit ir`: the allocated IR as stable text, one fact a line. Goldens diff this.
#include <sstream>
#include <utility>

#include "pbrc/ir.h"
#include "pbrc/regions.h"
#include "pbrc/text.h"

namespace pbrc::ir {
namespace {

const char* Fam(Family f) { return f == Family::kV4 ? "ip" : "ip6"; }

std::string Addr(const AddrMatch& m) {
  std::string out = m.negated ? "!" : "";
  if (!m.set.empty()) return out + "@" + m.set;
  out += "{";
  for (size_t i = 0; i < m.elements.size(); ++i)
    out += (i ? " " : "") + FormatInterval(m.elements[i]);
  return out + "}";
}

std::string Protos(const std::vector<uint8_t>& protos) {
  std::string out;
  for (size_t i = 0; i < protos.size(); ++i) out += (i ? "," : "") + std::to_string(protos[i]);
  return out;
}

// ` key=value` of each condition; one overload per alternative of ir::Cond.
struct CondText {
  std::string operator()(const SaddrMatch& m) const { return " saddr=" + Addr(m); }
  std::string operator()(const DaddrMatch& m) const { return " daddr=" + Addr(m); }
  std::string operator()(const IifMatch& m) const { return " iif=" + m.device; }
  std::string operator()(const ProtoMatch& m) const { return " proto=" + Protos(m.protos); }
  std::string operator()(const SportMatch& m) const { return " sport=" + PortMatchText(m); }
  std::string operator()(const DportMatch& m) const { return " dport=" + PortMatchText(m); }
  template <class Def>
  std::string operator()(const ValueMatch<Def>& m) const {
    std::string out = " " + std::string(Def::kKeyword) + "=";
    for (size_t i = 0; i < m.values.size(); ++i) out += (i ? "," : "") + Def::Text(m.values[i]);
    return out;
  }
};

}  // namespace

void Print(const Program& p, Sink& out) {
  std::ostringstream os;
  // A line per rule and element: the text goes to `out` in pieces, never whole.
  auto step = [&] {
    if (os.tellp() < static_cast<std::streamoff>(ChunkedWriter::kChunk)) return;
    out.Write(std::move(os).str());
    os.str("");
  };
  const auto& o = p.opts;
  os << "options table=" << o.nft_table << " mask=" << Hex(o.mark_mask)
     << " protocol=" << o.protocol << " preference=" << o.pref_lo << "-" << o.pref_hi
     << " table-ids=" << o.table_lo << "-" << o.table_hi
     << " counters=" << (o.counters ? "on" : "off") << " comments=" << (o.comments ? "on" : "off")
     << " ipv6=" << (p.uses_v6 ? "yes" : "no")
     << " classify=" << (o.classify == ClassifyForm::kMaps ? "maps" : "linear") << "\n";
  static const char* kKinds[] = {"link", "table", "main"};
  for (const auto& t : p.targets) {
    os << "target " << t.name << " kind=" << kKinds[static_cast<int>(t.kind)];
    if (!t.device.empty()) os << " dev=" << t.device;
    os << " mark=" << Hex(t.mark) << (t.mark_explicit ? "" : "(auto)") << " table=" << t.table
       << (t.table_explicit ? "" : "(auto)") << "\n";
  }
  for (const auto& s : p.sets) {
    os << "set " << s.name << " " << Fam(s.family) << " from=" << s.source
       << " elements=" << s.elements.size() << "\n";
    for (const auto& e : s.elements) {
      os << "  " << FormatInterval(e) << "\n";
      step();
    }
  }
  for (const auto& r : p.rules) {
    os << "classify";
    if (r.rule) os << " rule=" << *r.rule;
    os << " " << r.origin << " family=" << (r.family ? Fam(*r.family) : "any");
    for (const auto& c : r.conds) os << std::visit(CondText{}, c);
    os << " -> " << p.targets[r.target].name << " mark=" << Hex(p.targets[r.target].mark)
       << (r.inbound ? " (inbound)" : "") << "\n";
    step();
  }
  if (o.classify == ClassifyForm::kMaps) {
    for (const auto& plan : PlanClassify(p)) os << PlanText(p, plan);
  }
  for (const auto& r : p.ip_rules) {
    os << "ip-rule " << Fam(r.family) << " pref=" << r.pref << " " << Describe(r.kind).name;
    if (r.rule) os << " rule=" << *r.rule;
    if (r.from) os << " from=" << FormatPrefix(*r.from);
    if (r.to) os << " to=" << FormatPrefix(*r.to);
    if (!r.iif.empty()) os << " iif=" << r.iif;
    if (!r.oif.empty()) os << " oif=" << r.oif;
    if (r.kind == IpRuleKind::kFwmark) os << " fwmark=" << Hex(r.fwmark) << "/" << Hex(o.mark_mask);
    os << " table=" << r.table << " owner=protocol:" << o.protocol;
    if (!r.origin.empty()) os << " (" << r.origin << ")";
    os << "\n";
  }
  for (const auto& r : p.routes) {
    os << "route " << Fam(r.family) << " table=" << r.table << " "
       << (r.dst ? FormatPrefix(*r.dst) : "default");
    if (r.via) os << " via " << FormatAddr(*r.via);
    os << " dev " << r.device << " owner=protocol:" << o.protocol << " (" << r.origin << ")\n";
  }
  for (const auto& n : p.nat) {
    os << "nat oif=" << n.device << " "
       << (n.kind == NatKind::kMasquerade ? "masquerade" : "snat to " + FormatAddr(*n.to)) << "\n";
  }
  for (const auto& s : p.sysctls) os << "sysctl " << s.key << "=" << s.value << "\n";
  out.Write(std::move(os).str());
}

std::string Print(const Program& p) {
  StringSink s;
  Print(p, s);
  return std::move(s.text);
}

}  // namespace pbrc::ir
