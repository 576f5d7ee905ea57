// Lint findings as diagnostics: the rule's range, the rules involved as labels, a witness
// packet in the message, and help on what to change.
#include "lint_checks.h"

namespace pbrc::analysis {
namespace {

std::string Line(const ir::Classify& r) { return "line " + std::to_string(r.range.begin.line); }

std::string TargetName(const ir::Program& p, const ir::Classify& r) {
  const ir::Target& t = p.targets[r.target];
  return t.kind == ir::TargetKind::kLink ? "link '" + t.name + "'" : "'" + t.name + "'";
}

std::string Label(const ir::Program& p, const ir::Classify& r) {
  if (r.inbound) return "the inbound pin of link '" + p.targets[r.target].name + "' takes these";
  return "this rule (via " + p.targets[r.target].name + ") takes these";
}

}  // namespace

bool Allowed(const SourceManager& sm, const Range& r, Code code) {
  std::string line(sm.Line(r.begin.file, r.begin.line));
  size_t at = line.find("pbrc: allow");
  if (at == std::string::npos || line.rfind('#', at) == std::string::npos) return false;
  std::string rest = line.substr(at + 11);
  std::string id = Info(code).id;
  for (size_t i = rest.find(id); i != std::string::npos; i = rest.find(id, i + 1)) {
    bool before = i == 0 || rest[i - 1] == ' ' || rest[i - 1] == ',';
    bool after =
        i + id.size() == rest.size() || rest[i + id.size()] == ' ' || rest[i + id.size()] == ',';
    if (before && after) return true;
  }
  return false;
}

void Findings::Shadowed(size_t rule, const std::vector<size_t>& covering) {
  const ir::Classify& r = p.rules[rule];
  if (Allowed(sm, r.range, Code::kShadowed)) return;
  auto& d = diags.Warning(Code::kShadowed, r.range,
                          "this rule never matches: earlier rules take all of its packets");
  constexpr size_t kShown = 6;
  for (size_t k = 0; k < covering.size() && k < kShown; ++k) {
    const ir::Classify& q = p.rules[covering[k]];
    d.secondary.push_back({q.range, Label(p, q)});
  }
  if (covering.size() > kShown) {
    d.notes.push_back("and " + std::to_string(covering.size() - kShown) + " more rules");
  }
  d.help = "remove it, or move it before the rules that cover it";
}

void Findings::Overlap(size_t rule, size_t earlier, const Packet& w) {
  const ir::Classify& r = p.rules[rule];
  const ir::Classify& q = p.rules[earlier];
  if (Allowed(sm, r.range, Code::kOverlap)) return;
  auto& d = diags.Warning(Code::kOverlap, r.range,
                          "this rule partly overlaps " + Line(q) + ", which steers to " +
                              TargetName(p, q) + " instead");
  d.secondary.push_back({q.range, "takes the shared packets first"});
  d.notes.push_back("the packet (" + FormatPacket(w) + ") matches " + Line(q) +
                    ", so this rule never sees it");
  d.help =
      "if that is intended, add '# pbrc: allow W0902' to this rule's line; otherwise narrow "
      "one of the rules or swap them";
}

void Findings::NoEffect(size_t rule) {
  const ir::Classify& r = p.rules[rule];
  if (Allowed(sm, r.range, Code::kNoEffect)) return;
  auto& d = diags.Warning(Code::kNoEffect, r.range,
                          "this 'via main' changes nothing: no later rule would take its "
                          "packets, so they follow the main table anyway");
  d.help = "remove it, or move it before the rule it is meant to exempt from";
}

void Findings::RouterTraffic(size_t rule, const Packet& w) {
  const ir::Classify& r = p.rules[rule];
  if (Allowed(sm, r.range, Code::kRouterTraffic)) return;
  auto& d = diags.Warning(Code::kRouterTraffic, r.range,
                          "this rule has no address match, so it also steers the router's own "
                          "DNS, DHCP and NTP to " +
                              TargetName(p, r));
  d.notes.push_back("e.g. the packet (" + FormatPacket(w) + ")");
  d.help =
      "exempt local networks before it, e.g. 'import \"std/special\";' and 'to set private "
      "via main;' (and 'to set link_local via main;')";
}

std::vector<Space> LinkAddressSpaces(const ir::Program& p, Family f) {
  std::vector<Space> out;
  for (const auto& r : p.ip_rules) {
    if (r.kind != ir::IpRuleKind::kLinkAddress || r.family != f || !r.from) continue;
    Interval iv = ToInterval(*r.from);
    U128 max = f == Family::kV4 ? U128(0xffffffff) : ~U128(0);
    out.push_back(Space{Spans{{iv.lo, iv.hi}}, Spans{{0, max}}, Spans{{0, 255}}, Spans{{0, 65535}},
                        Spans{{0, 65535}}, Spans{{0, 0}}});
  }
  return out;
}

Space RouterServiceSpace(Family f) {
  std::vector<const char*> nets =
      f == Family::kV4 ? std::vector<const char*>{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                  "169.254.0.0/16", "255.255.255.255/32"}
                       : std::vector<const char*>{"fc00::/7", "fe80::/10", "ff00::/8"};
  std::vector<Interval> ivs;
  for (const char* n : nets) {
    std::string s(n);
    size_t slash = s.find('/');
    ivs.push_back(
        ToInterval(Prefix{*ParseAddr(s.substr(0, slash)), std::stoi(s.substr(slash + 1))}));
  }
  Spans dst;
  for (const auto& iv : Normalize(ivs)) dst.push_back({iv.lo, iv.hi});
  U128 max = f == Family::kV4 ? U128(0xffffffff) : ~U128(0);
  // DNS 53, DHCP 67 (server port; DHCPv6 547), NTP 123.
  Spans ports = f == Family::kV4 ? Spans{{53, 53}, {67, 67}, {123, 123}}
                                 : Spans{{53, 53}, {123, 123}, {547, 547}};
  return Space{Spans{{0, max}},   dst,   Spans{{6, 6}, {17, 17}},
               Spans{{0, 65535}}, ports, Spans{{0, 0}}};
}

}  // namespace pbrc::analysis
