// explain's two renderers. Policy text (file names, source lines, device names) passes
// EscapeMessage: control bytes never reach the terminal raw.
#include <filesystem>

#include "pbrc/analysis.h"
#include "pbrc/regions.h"
#include "pbrc/render_escape.h"
#include "pbrc/text.h"

namespace pbrc::analysis {
namespace {

std::string Where(const SourceManager& sm, const Range& r) {
  return sm.Get(r.begin.file).name + ":" + std::to_string(r.begin.line);
}

std::string SourceLine(const SourceManager& sm, const Range& r) {
  std::string_view line = sm.Line(r.begin.file, r.begin.line);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return std::string(line);
}

std::string TableName(uint32_t t) { return t == ir::kMainTable ? "main" : std::to_string(t); }

std::string RuleText(const ir::Program& p, const SourceManager& sm, size_t i) {
  const ir::Classify& r = p.rules[i];
  const ir::Target& t = p.targets[r.target];
  if (r.inbound) {
    return "inbound pin of link '" + t.name + "' (" + Where(sm, r.range) +
           "): a new connection arriving on '" + t.device + "' keeps that link";
  }
  return Where(sm, r.range) + ": " + SourceLine(sm, r.range);
}

// Whose lookups in a mapped segment took a packet from `iif` ("" for the router's own):
// its device's maps when the segment has them, else the ones for every other packet.
std::string DeviceText(const ir::Segment& seg, const std::string& iif) {
  bool devices = false, own = false;
  for (const auto& m : seg.maps) {
    devices |= !m.iif.empty();
    own |= !iif.empty() && m.iif == iif;
  }
  if (!devices) return "";
  if (own) return ", those of input device '" + iif + "'";
  return ", the fall-through ones (other devices, the router's own)";
}

// With `classify maps;`: where the rule sits in the chain the packet took, a map segment or
// a linear rule (and why), as `--emit ir` lists the plan.
std::string LookupText(const ir::Program& p, size_t rule, bool reply, const std::string& iif) {
  auto plans = ir::PlanClassify(p);
  const ir::ClassifyPlan& plan = plans[reply ? 1 : 0];
  for (size_t s = 0; s < plan.segments.size(); ++s) {
    const ir::Segment& seg = plan.segments[s];
    if (rule < seg.first || rule >= seg.last) continue;
    if (!seg.mapped) return "lookup:  a linear rule (" + seg.why + ")\n";
    return std::string("lookup:  ") + (reply ? "reply" : "forward") + " segment " +
           std::to_string(s) + ", a verdict map of " + std::to_string(seg.maps.size()) +
           " lookup(s)" + DeviceText(seg, iif) + "\n";
  }
  return "";
}

// The rule's segment in the plan of its direction: mapped or linear.
bool Mapped(const ir::ClassifyPlan& plan, size_t rule) {
  for (const auto& seg : plan.segments) {
    if (rule >= seg.first && rule < seg.last) return seg.mapped;
  }
  return false;
}

// Each hit with what identifies it in the kernel: `id` is how its nft comment starts (up to
// " -> "), `lookup` whether a map element or a linear rule counts it (`position` is the
// rule's place in the linear form's chain).
nlohmann::ordered_json HitsJson(const ir::Program& p, const Verdict& v) {
  using J = nlohmann::ordered_json;
  std::optional<std::array<ir::ClassifyPlan, 2>> plans;
  if (p.opts.classify == ClassifyForm::kMaps && !v.hits.empty()) plans = ir::PlanClassify(p);
  J hits = J::array();
  for (const auto& h : v.hits) {
    const ir::Classify& r = p.rules[h.rule];
    std::string id = (r.rule ? "rule " + std::to_string(*r.rule) + " " : std::string()) + r.origin +
                     (r.inbound ? " inbound"
                      : h.reply ? " reply"
                                : "");
    bool mapped = plans && Mapped((*plans)[h.reply ? 1 : 0], h.rule);
    hits.push_back({{"chain", h.chain},
                    {"position", h.position},
                    {"id", EscapeMessage(id)},
                    {"stop", h.stop},
                    {"lookup", mapped ? "map" : "linear"}});
  }
  return hits;
}

}  // namespace

std::string IpRuleText(const ir::Program& p, const ir::IpRule& r) {
  std::string s = std::to_string(r.pref) + ":";
  if (!r.from && !r.to) s += " from all";
  if (r.from) s += " from " + FormatPrefix(*r.from);
  if (r.to) s += " to " + FormatPrefix(*r.to);
  if (!r.iif.empty()) s += " iif " + r.iif;
  if (!r.oif.empty()) s += " oif " + r.oif;
  if (r.kind == ir::IpRuleKind::kFwmark)
    s += " fwmark " + Hex(r.fwmark) + "/" + Hex(p.opts.mark_mask);
  s += " lookup " + TableName(r.table);
  if (r.kind == ir::IpRuleKind::kSuppressMain) s += " suppress_prefixlength 0";
  return s;
}

std::string RouteText(const Route& r) {
  std::string s = r.dst.len == 0 ? "default" : FormatPrefix(r.dst);
  if (r.via) s += " via " + FormatAddr(*r.via);
  return s + " dev " + r.device + " table " + TableName(r.table);
}

std::string ExplainText(const ir::Program& p, const SourceManager& sm, const Packet& pkt,
                        const Verdict& v, bool main_known) {
  std::string o = "packet:  " + FormatPacket(pkt) + "\n";
  if (v.rule) {
    const ir::Target& t = p.targets[p.rules[*v.rule].target];
    o += "rule:    " + RuleText(p, sm, *v.rule) + "\n";
    o += "chain:   " + v.chain + (v.as_reply ? " (as the reply of a flow this rule steered)" : "") +
         "\n";
    if (p.opts.classify == ClassifyForm::kMaps) o += LookupText(p, *v.rule, v.as_reply, pkt.iif);
    o += "mark:    " + Hex(v.mark) + "/" + Hex(p.opts.mark_mask) + " (" + t.name + ")\n";
  } else {
    o += "rule:    none matches (chain " + v.chain + "); the packet keeps mark 0 in mask " +
         Hex(p.opts.mark_mask) + "\n";
    for (const auto& m : v.near) {
      o += "  near:  " + RuleText(p, sm, m.rule) + "\n         " + m.why + "\n";
    }
  }
  if (v.ip_rule) {
    o += "ip rule: " + IpRuleText(p, p.ip_rules[*v.ip_rule]) + "\n";
  } else {
    o += "ip rule: none of pbrc's found a route; the kernel's 32766: from all lookup main\n";
  }
  if (v.route) {
    o += "route:   " + RouteText(*v.route) + "\n";
    o += "device:  " + v.route->device +
         (v.route->via ? " via " + FormatAddr(*v.route->via) : std::string(" (on link)")) + "\n";
  } else if (main_known) {
    o += "route:   none: the kernel answers 'network unreachable'\n";
  } else {
    o += "route:   none in pbrc's tables; the main table decides (read it with --live)\n";
  }
  // Escaped line by line: the newlines are ours, everything between them may be policy text.
  std::string out;
  for (size_t b = 0, e; b < o.size(); b = e + 1) {
    e = o.find('\n', b);
    out += EscapeMessage(o.substr(b, e - b)) + "\n";
  }
  return out;
}

nlohmann::ordered_json ExplainJson(const ir::Program& p, const SourceManager& sm, const Packet& pkt,
                                   const Verdict& v) {
  using J = nlohmann::ordered_json;
  auto text = [](const std::string& s) { return EscapeMessage(s); };
  J j = {{"packet", text(FormatPacket(pkt))}, {"chain", v.chain}};
  if (v.rule) {
    const ir::Classify& r = p.rules[*v.rule];
    j["rule"] = {{"index", *v.rule},
                 {"file", text(sm.Get(r.range.begin.file).name)},
                 {"line", r.range.begin.line},
                 {"source", text(SourceLine(sm, r.range))},
                 {"inbound", r.inbound},
                 {"as_reply", v.as_reply},
                 {"target", text(p.targets[r.target].name)}};
  } else {
    j["rule"] = nullptr;
    J near = J::array();
    for (const auto& m : v.near) {
      const ir::Classify& r = p.rules[m.rule];
      near.push_back({{"file", text(sm.Get(r.range.begin.file).name)},
                      {"line", r.range.begin.line},
                      {"why", text(m.why)}});
    }
    j["near"] = near;
  }
  j["nft_rules"] = HitsJson(p, v);
  j["mark"] = Hex(v.mark);
  j["ip_rule"] = v.ip_rule ? J(text(IpRuleText(p, p.ip_rules[*v.ip_rule]))) : J(nullptr);
  j["table"] = v.table;
  if (v.route) {
    j["route"] = {{"dst", v.route->dst.len ? FormatPrefix(v.route->dst) : "default"},
                  {"via", v.route->via ? J(FormatAddr(*v.route->via)) : J(nullptr)},
                  {"dev", text(v.route->device)}};
  } else {
    j["route"] = nullptr;
  }
  return j;
}

}  // namespace pbrc::analysis
