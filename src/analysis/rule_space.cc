// Matching one classification rule, the way nft evaluates the rule pbrc emits for it
// (src/emit/nft_build.cc: Matches), and the same rule as a space of packets for lint.
#include "rule_space.h"

#include <algorithm>
#include <stdexcept>

namespace pbrc::analysis {
namespace {

const ir::Set& SetOf(const ir::Program& p, const ir::AddrMatch& m) {
  auto it = std::lower_bound(p.sets.begin(), p.sets.end(), m.set,
                             [](const ir::Set& s, const std::string& n) { return s.name < n; });
  if (it == p.sets.end() || it->name != m.set) throw std::logic_error("unknown set " + m.set);
  return *it;
}

bool Contains(const IntervalList& els, U128 v) {
  auto it = std::upper_bound(els.begin(), els.end(), v,
                             [](U128 x, const Interval& iv) { return x < iv.lo; });
  return it != els.begin() && std::prev(it)->hi >= v;
}

std::string AddrWhat(const ir::Program& p, const ir::AddrMatch& m) {
  return m.set.empty() ? std::string("the rule's addresses") : "set '" + SetOf(p, m).source + "'";
}

void CheckAddr(const ir::Program& p, const ir::AddrMatch* m, const Addr& a, const char* what,
               std::vector<std::string>& out) {
  if (!m) return;
  bool in = Contains(Elements(p, *m), a.value);
  if (in == !m->negated) return;
  out.push_back(std::string(what) + " " + FormatAddr(a) + (in ? " is in " : " is not in ") +
                AddrWhat(p, *m));
}

void CheckPort(const ir::PortMatch* m, std::optional<uint16_t> port, const char* what,
               std::vector<std::string>& out) {
  if (!m) return;
  if (!port) {
    out.push_back(std::string("the packet has no ") + what);
    return;
  }
  bool in = std::any_of(m->ranges.begin(), m->ranges.end(),
                        [&](const PortRange& r) { return r.lo <= *port && *port <= r.hi; });
  if (in != !m->negated)
    out.push_back(std::string(what) + " " + std::to_string(*port) +
                  (in ? " is excluded" : " is not in the rule's ports"));
}

// One overload per alternative of ir::Cond, so a new kind must say how the model reads it.
struct ViewOf {
  RuleView& v;
  void operator()(const ir::SaddrMatch& m) const { v.saddr = &m; }
  void operator()(const ir::DaddrMatch& m) const { v.daddr = &m; }
  void operator()(const ir::IifMatch& m) const { v.iif = &m.device; }
  void operator()(const ir::ProtoMatch& m) const { v.protos = &m.protos; }
  void operator()(const ir::SportMatch& m) const { v.sport = &m; }
  void operator()(const ir::DportMatch& m) const { v.dport = &m; }
  template <class Def>
  void operator()(const ir::ValueMatch<Def>&) const {
    if (v.unmodelled.empty()) v.unmodelled = Def::kKeyword;
  }
};

}  // namespace

const IntervalList& Elements(const ir::Program& p, const ir::AddrMatch& m) {
  return m.set.empty() ? m.elements : SetOf(p, m).elements;
}

RuleView View(const ir::Classify& r) {
  RuleView v;
  for (const auto& c : r.conds) std::visit(ViewOf{v}, c);
  return v;
}

std::vector<std::string> Misses(const ir::Program& p, const ir::Classify& r, const Packet& pkt,
                                bool reversed) {
  std::vector<std::string> out;
  if (r.family && *r.family != pkt.family) {
    out.push_back(std::string("the rule matches ") + FamilyName(*r.family) + " only");
    return out;
  }
  RuleView v = View(r);
  CheckAddr(p, reversed ? v.daddr : v.saddr, pkt.src, "source", out);
  CheckAddr(p, reversed ? v.saddr : v.daddr, pkt.dst, "destination", out);
  if (!reversed && v.iif && pkt.iif != *v.iif) {
    out.push_back(pkt.from_router ? "the rule needs input device '" + *v.iif +
                                        "'; the router's own packets have none"
                                  : "input device '" + pkt.iif + "' is not '" + *v.iif + "'");
  }
  if (v.protos && (!pkt.proto ||
                   std::find(v.protos->begin(), v.protos->end(), *pkt.proto) == v.protos->end())) {
    out.push_back("protocol " + (pkt.proto ? std::to_string(*pkt.proto) : std::string("(none)")) +
                  " is not one of the rule's");
  }
  CheckPort(reversed ? v.dport : v.sport, pkt.sport, "source port", out);
  CheckPort(reversed ? v.sport : v.dport, pkt.dport, "destination port", out);
  if (!v.unmodelled.empty())
    out.push_back("the rule matches '" + v.unmodelled + "', which a packet here cannot give");
  return out;
}

Devices::Devices(const ir::Program& p) {
  for (const auto& r : p.rules) {
    if (const std::string* d = View(r).iif) names_.push_back(*d);
  }
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
}

U128 Devices::Index(const std::string& dev) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), dev);
  if (it == names_.end() || *it != dev) return Other();
  return U128(it - names_.begin()) + 1;
}

std::string Devices::Name(U128 index) const {
  if (index == 0) return "";
  if (index <= names_.size()) return names_[size_t(index - 1)];
  std::string other = "eth9";  // any device no rule names
  while (std::binary_search(names_.begin(), names_.end(), other)) other += "9";
  return other;
}

namespace {

U128 MaxOf(Family f) { return f == Family::kV4 ? U128(0xffffffff) : ~U128(0); }

Spans Complement(const Spans& in, U128 max) {
  Spans out;
  U128 next = 0;
  bool done = false;
  for (const auto& s : in) {
    if (s.lo > next) out.push_back({next, s.lo - 1});
    if (s.hi == max) {
      done = true;
      break;
    }
    next = s.hi + 1;
  }
  if (!done) out.push_back({next, max});
  return out;
}

Spans AddrSpans(const ir::Program& p, const ir::AddrMatch* m, Family f) {
  if (!m) return {{0, MaxOf(f)}};
  Spans s;
  for (const auto& iv : Elements(p, *m)) s.push_back({iv.lo, iv.hi});
  return m->negated ? Complement(s, MaxOf(f)) : s;
}

Spans PortSpans(const ir::PortMatch* m) {
  if (!m) return {{0, 65535}};
  std::vector<Interval> ivs;  // normalized through the address helper: same arithmetic
  for (const auto& r : m->ranges) ivs.push_back({Family::kV4, r.lo, r.hi});
  Spans s;
  for (const auto& iv : Normalize(ivs)) s.push_back({iv.lo, iv.hi});
  return m->negated ? Complement(s, 65535) : s;
}

}  // namespace

Spans DimSpans(const ir::Program& p, const RuleView& v, Dim d, Family f, const Devices& devs) {
  switch (d) {
    case kSrc:
      return AddrSpans(p, v.saddr, f);
    case kDst:
      return AddrSpans(p, v.daddr, f);
    case kProto: {
      if (!v.protos) return {{0, 255}};
      std::vector<Interval> ivs;
      for (uint8_t pr : *v.protos) ivs.push_back({Family::kV4, pr, pr});
      Spans s;
      for (const auto& iv : Normalize(ivs)) s.push_back({iv.lo, iv.hi});
      return s;
    }
    case kSport:
      return PortSpans(v.sport);
    case kDport:
      return PortSpans(v.dport);
    case kIif:
    case kDims:
      break;
  }
  if (!v.iif) return {{0, devs.Other()}};
  U128 i = devs.Index(*v.iif);
  return {{i, i}};
}

std::optional<Space> SpaceOf(const ir::Program& p, const ir::Classify& r, Family f,
                             const Devices& devs) {
  if (r.family && *r.family != f) return std::nullopt;
  Space s;
  RuleView v = View(r);
  for (int d = 0; d < kDims; ++d) {
    s[d] = DimSpans(p, v, Dim(d), f, devs);
    if (s[d].empty()) return std::nullopt;
  }
  return s;
}

namespace {

bool In(const Spans& s, U128 v) {
  return std::any_of(s.begin(), s.end(), [&](const Span& x) { return x.lo <= v && v <= x.hi; });
}

// A readable value of `s`: `prefer` when it is in, else the second value of its first span
// (a prefix's network address, 0.0.0.0 and port 0 are legal but look like mistakes).
U128 Pick(const Spans& s, std::initializer_list<U128> prefer) {
  for (U128 v : prefer) {
    if (In(s, v)) return v;
  }
  return s[0].hi > s[0].lo ? s[0].lo + 1 : s[0].lo;
}

}  // namespace

Packet Witness(const Space& s, Family f, const Devices& devs) {
  Packet pkt;
  pkt.family = f;
  U128 host = f == Family::kV4 ? U128(0x0a000001) : (U128(0x20010db8) << 96) | 1;
  pkt.src = Addr{f, Pick(s[kSrc], {host})};
  pkt.dst = Addr{f, Pick(s[kDst], {host + 1})};
  uint8_t proto = uint8_t(Pick(s[kProto], {17, 6}));
  pkt.proto = proto;
  if (HasPorts(proto)) {
    pkt.sport = uint16_t(Pick(s[kSport], {40000}));
    pkt.dport = uint16_t(Pick(s[kDport], {53, 443}));
  }
  // A forwarded packet reads more plainly: a named device first, then any other, then the
  // router itself.
  const Spans& d = s[kIif];
  U128 dev = d[0].lo == 0 ? (d[0].hi > 0 ? 1 : d.size() > 1 ? d[1].lo : 0) : d[0].lo;
  pkt.from_router = dev == 0;
  pkt.iif = devs.Name(dev);
  return pkt;
}

}  // namespace pbrc::analysis
