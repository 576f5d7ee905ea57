// Canonical text of names, elements, options, link properties, matches and rules.
#include "print_syntax.h"

#include <algorithm>

#include "pbrc/keywords.h"

namespace pbrc::fmt {
namespace {

bool IsKeyword(const std::string& s) {
  return std::find(kKeywords.begin(), kKeywords.end(), s) != kKeywords.end() ||
         ValueMatchIndex(s) >= 0;
}

bool IsIdent(const std::string& s) {
  if (s.empty() || !(isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  }
  // A keyword written bare would be read as the keyword.
  return !IsKeyword(s);
}

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

}  // namespace

std::string QuotedPolicyString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string NameText(const ast::Name& n) {
  return IsIdent(n.text) ? n.text : QuotedPolicyString(n.text);
}

std::string ElementText(const ast::Element& e) {
  if (auto* p = std::get_if<ast::PrefixElem>(&e)) {
    return p->addr.text + (p->len ? "/" + p->len->text : "");
  }
  if (auto* r = std::get_if<ast::RangeElem>(&e)) return r->lo.text + "-" + r->hi.text;
  if (auto* s = std::get_if<ast::SetRef>(&e)) return "set " + NameText(s->name);
  return "file " + QuotedPolicyString(std::get<ast::FileRef>(e).path.text);
}

std::string BodyInline(const ast::SetBody& b) {
  if (!b.braced) return ElementText(b.elements.at(0));
  if (b.elements.empty()) return "{}";
  std::vector<std::string> parts;
  for (const auto& e : b.elements) parts.push_back(ElementText(e));
  return "{ " + Join(parts, ", ") + " }";
}

std::string PortItemsText(const std::vector<ast::PortItem>& items) {
  std::vector<std::string> parts;
  for (const auto& it : items) {
    if (it.name) {
      parts.push_back(NameText(*it.name));
    } else {
      parts.push_back(it.lo->text + (it.hi ? "-" + it.hi->text : ""));
    }
  }
  return Join(parts, ", ");
}

std::string OptionText(const ast::Option& o) {
  switch (o.kind) {
    case ast::OptionKind::kNftTable:
      return "nft table " + NameText(*o.name) + ";";
    case ast::OptionKind::kMarkMask:
      return "mark mask " + o.numbers[0].text + ";";
    case ast::OptionKind::kPreference:
      return "preference " + o.numbers[0].text + "-" + o.numbers[1].text + ";";
    case ast::OptionKind::kTableIds:
      return "table ids " + o.numbers[0].text + "-" + o.numbers[1].text + ";";
    case ast::OptionKind::kProtocol:
      return "protocol " + o.numbers[0].text + ";";
    case ast::OptionKind::kCounters:
      return std::string("counters ") + (o.flag ? "on" : "off") + ";";
    case ast::OptionKind::kComments:
      return std::string("comments ") + (o.flag ? "on" : "off") + ";";
    case ast::OptionKind::kClassify:
      return "classify " + NameText(*o.name) + ";";
  }
  return "";
}

std::string LinkPropText(const ast::LinkProp& p) {
  switch (p.kind) {
    case ast::LinkPropKind::kDevice:
      return "device " + NameText(*p.device) + ";";
    case ast::LinkPropKind::kGateway:
      return "gateway " + p.addrs[0].text + ";";
    case ast::LinkPropKind::kAddress: {
      std::vector<std::string> parts;
      for (const auto& a : p.addrs) parts.push_back(a.text);
      return "address " + Join(parts, ", ") + ";";
    }
    case ast::LinkPropKind::kTable:
      return "table " + p.number->text + ";";
    case ast::LinkPropKind::kMark:
      return "mark " + p.number->text + ";";
    case ast::LinkPropKind::kRoute:
      return "route " + ElementText(*p.route) + (p.via ? " via " + p.via->text : "") + ";";
    case ast::LinkPropKind::kNat:
      return std::string("nat ") + (p.nat == ast::NatKind::kSnat ? "snat" : "masquerade") + ";";
    case ast::LinkPropKind::kInbound:
      return std::string("inbound ") + (p.flag ? "on" : "off") + ";";
    case ast::LinkPropKind::kRpFilter:
      return std::string("rp_filter ") +
             (p.rp == ast::RpFilter::kStrict  ? "strict"
              : p.rp == ast::RpFilter::kLoose ? "loose"
                                              : "off") +
             ";";
  }
  return "";
}

std::string AddrText(const char* keyword, const ast::AddrMatch& m) {
  return std::string(keyword) + " " + (m.negated ? "!" : "") + BodyInline(m.body);
}

std::string PortsText(const char* keyword, const ast::PortMatch& m) {
  return std::string(keyword) + " " + (m.negated ? "!" : "") + PortItemsText(m.items);
}

std::string WordsText(std::string_view keyword, const std::vector<ast::Name>& words) {
  std::vector<std::string> parts;
  for (const auto& w : words) parts.push_back(w.text);
  return std::string(keyword) + " " + Join(parts, ", ");
}

// One case per alternative of ast::Match: a new match kind does not compile until fmt prints it.
struct MatchPrinter {
  std::string operator()(const ast::FromMatch& m) const { return AddrText("from", m.addr); }
  std::string operator()(const ast::ToMatch& m) const { return AddrText("to", m.addr); }
  std::string operator()(const ast::ProtoMatch& m) const { return WordsText("proto", m.protos); }
  std::string operator()(const ast::SportMatch& m) const { return PortsText("sport", m.ports); }
  std::string operator()(const ast::DportMatch& m) const { return PortsText("dport", m.ports); }
  std::string operator()(const ast::IifMatch& m) const { return "iif " + NameText(m.name); }
  std::string operator()(const ast::OifMatch& m) const { return "oif " + NameText(m.name); }
  template <class Def>
  std::string operator()(const ast::ValueMatch<Def>& m) const {
    return WordsText(Def::kKeyword, m.values);
  }
};

std::string MatchText(const ast::Match& m) { return std::visit(MatchPrinter{}, m); }

std::string TargetText(const ast::Target& t) {
  switch (t.kind) {
    case ast::TargetSyntax::kName:
      return NameText(t.name);
    case ast::TargetSyntax::kDevice:
      return "dev " + NameText(t.name);
    case ast::TargetSyntax::kMain:
      return "main";
    case ast::TargetSyntax::kTable:
      return "table " + t.table->text;
  }
  return "";
}

std::string RuleText(const ast::Rule& r) {
  std::string out;
  for (const auto& m : r.matches) out += MatchText(m) + " ";
  return out + "via " + TargetText(r.target) + ";";
}

}  // namespace pbrc::fmt
