// The packet's path, in the kernel's order: pbrc's nft chains set the mark (prerouting for
// forwarded packets, output for the router's own), then the ip rules by preference pick a
// table, then the longest prefix of that table picks the route.
#include <algorithm>

#include "pbrc/analysis.h"
#include "rule_space.h"

namespace pbrc::analysis {
namespace {

// The `classify` walk (and `classify_stateless_forward`: same rules, same order).
std::optional<size_t> FirstMatch(const ir::Program& p, const Packet& pkt) {
  for (size_t i = 0; i < p.rules.size(); ++i) {
    if (Matches(p, p.rules[i], pkt)) return i;
  }
  return std::nullopt;
}

// classify_stateless: the reversed rules; a link's rule marks a reply arriving on its device,
// any other first reversed match ends the walk. Returns the marking rule, if any. The chain
// holds, per rule, the marking rule (link targets) and the stop rule (rules without iif).
std::optional<size_t> ReplyMatch(const ir::Program& p, const Packet& pkt, Verdict& v) {
  size_t pos = 0;
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const ir::Classify& r = p.rules[i];
    if (r.inbound) continue;
    const ir::Target& t = p.targets[r.target];
    if (t.kind == ir::TargetKind::kLink) {
      if (!pkt.from_router && pkt.iif == t.device && Matches(p, r, pkt, true)) {
        v.hits.push_back({ir::kChainStateless, pos, i, true, false});
        return i;
      }
      ++pos;
    }
    if (!ir::Reversed(r).decidable) continue;  // as nft_build.cc: no stop rule
    if (Matches(p, r, pkt, true)) {
      v.hits.push_back({ir::kChainStateless, pos, i, true, true});
      return std::nullopt;
    }
    ++pos;
  }
  return std::nullopt;
}

// Without a match: the rules that failed the fewest conditions, at most three.
std::vector<Miss> Nearest(const ir::Program& p, const Packet& pkt) {
  std::vector<std::pair<size_t, Miss>> all;
  for (size_t i = 0; i < p.rules.size(); ++i) {
    auto why = Misses(p, p.rules[i], pkt);
    std::string text;
    for (const auto& w : why) text += (text.empty() ? "" : "; ") + w;
    all.push_back({why.size(), Miss{i, text}});
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Miss> out;
  for (size_t i = 0; i < all.size() && i < 3; ++i) out.push_back(all[i].second);
  return out;
}

// ICMP of the other family (next header 1 in IPv6, protocol 58 in IPv4): nft's `meta
// l4proto icmp` matches it, but each conntrack ICMP tracker refuses a packet of the other
// family (icmp_packet / icmpv6_packet return -NF_ACCEPT), so every such packet is INVALID
// whatever state was asked for: no connection of it is ever established.
bool ForeignIcmp(const Packet& pkt) {
  if (!pkt.proto) return false;
  return pkt.family == Family::kV6 ? *pkt.proto == 1 : *pkt.proto == 58;
}

void Classify(const ir::Program& p, const Packet& pkt, Verdict& v) {
  if (pkt.state == CtState::kInvalid || ForeignIcmp(pkt)) {
    v.rule = ReplyMatch(p, pkt, v);
    v.as_reply = v.rule.has_value();
    v.chain = v.rule ? ir::kChainStateless : ir::kChainStatelessForward;
  }
  if (!v.rule) {
    v.rule = FirstMatch(p, pkt);
    if (v.chain.empty()) v.chain = ir::kChainClassify;
    // Same rules, same order in both chains: the position is the rule's index.
    if (v.rule) v.hits.push_back({v.chain, *v.rule, *v.rule, false, false});
  }
  if (v.rule) {
    v.mark = p.targets[p.rules[*v.rule].target].mark;
  } else {
    v.near = Nearest(p, pkt);
  }
}

bool InPrefix(const Prefix& pre, const Addr& a) {
  if (pre.addr.family != a.family) return false;
  return (a.value & ~HostMask(a.family, pre.len)) == pre.addr.value;
}

// The longest prefix of `table` holding `dst`: what `ip route get` finds there.
std::optional<Route> Lookup(const std::vector<Route>& routes, uint32_t table, const Addr& dst) {
  std::optional<Route> best;
  for (const auto& r : routes) {
    if (r.table != table || !InPrefix(r.dst, dst)) continue;
    if (!best || r.dst.len > best->dst.len) best = r;
  }
  return best;
}

bool Selects(const ir::Program& p, const ir::IpRule& r, const Packet& pkt, uint32_t mark) {
  if (r.family != pkt.family) return false;
  if (r.from && !InPrefix(*r.from, pkt.src)) return false;
  if (r.to && !InPrefix(*r.to, pkt.dst)) return false;
  // The kernel gives the router's own packets input device `lo`.
  if (!r.iif.empty() && r.iif != (pkt.from_router ? "lo" : pkt.iif)) return false;
  if (!r.oif.empty() && r.oif != pkt.oif) return false;
  if (r.kind == ir::IpRuleKind::kFwmark && (mark & p.opts.mark_mask) != r.fwmark) return false;
  return true;
}

}  // namespace

std::vector<Route> IrRoutes(const ir::Program& p) {
  std::vector<Route> out;
  for (const auto& r : p.routes) {
    Prefix dst = r.dst ? *r.dst : Prefix{Addr{r.family, 0}, 0};
    out.push_back(Route{r.family, r.table, dst, r.via, r.device, true});
  }
  return out;
}

Verdict Evaluate(const ir::Program& p, const Packet& pkt, const std::vector<Route>& main) {
  Verdict v;
  Classify(p, pkt, v);
  std::vector<Route> routes = IrRoutes(p);
  for (auto r : main) {
    r.table = ir::kMainTable;
    r.from_ir = false;
    routes.push_back(r);
  }
  for (size_t i = 0; i < p.ip_rules.size(); ++i) {
    const ir::IpRule& r = p.ip_rules[i];
    if (!Selects(p, r, pkt, v.mark)) continue;
    auto route = Lookup(routes, r.table, pkt.dst);
    // suppress_prefixlength 0: a route of prefix length 0 (the default) is ignored.
    if (!route || (r.kind == ir::IpRuleKind::kSuppressMain && route->dst.len == 0)) continue;
    v.ip_rule = i;
    v.table = r.table;
    v.route = route;
    return v;
  }
  // The kernel's own rules after pbrc's band: main (32766), then default (253, empty).
  if (auto route = Lookup(routes, ir::kMainTable, pkt.dst)) {
    v.table = ir::kMainTable;
    v.route = route;
  }
  return v;
}

}  // namespace pbrc::analysis
