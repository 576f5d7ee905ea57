// The plan in words, for `--emit ir` and explain: which rules went into which maps (and how
// many regions each holds), which stayed linear and why.
#include "pbrc/regions.h"

namespace pbrc::ir {
namespace {

// "rule=3" or "pin=wan1" for one entry of Program::rules.
std::string RuleName(const Program& p, size_t i) {
  const Classify& r = p.rules[i];
  if (r.rule) return std::to_string(*r.rule);
  return "pin:" + p.targets[r.target].name;
}

std::string Names(const Program& p, const Segment& s) {
  std::string out;
  for (size_t i = s.first; i < s.last; ++i) out += (i > s.first ? "," : "") + RuleName(p, i);
  return out;
}

std::string KeyText(const RegionMap& m, Direction d) {
  std::string k = m.iif.empty() ? "" : "iif " + m.iif + " ";
  k += m.family == Family::kV4 ? "ip" : "ip6";
  k += m.daddr_first ? " daddr.saddr" : " saddr.daddr";
  if (m.proto) k += ".l4proto";
  if (m.port) k += d == Direction::kForward ? ".dport" : ".sport";
  return k;
}

}  // namespace

std::string PlanText(const Program& p, const ClassifyPlan& plan) {
  const char* dir = plan.direction == Direction::kForward ? "forward" : "reply";
  std::string out;
  for (const Segment& s : plan.segments) {
    out += std::string("plan ") + dir + " rules=" + Names(p, s);
    if (!s.mapped) {
      out += " linear: " + s.why + "\n";
      continue;
    }
    out += " maps:";
    for (size_t k = 0; k < s.maps.size(); ++k) {
      out += (k ? ", " : " ") + KeyText(s.maps[k], plan.direction) + " " +
             std::to_string(s.maps[k].elements.size());
    }
    out += (s.why.empty() ? "" : " (" + s.why + ")") + std::string("\n");
  }
  out += std::string("plan ") + dir + " regions=" + std::to_string(plan.regions) + "\n";
  return out;
}

}  // namespace pbrc::ir
