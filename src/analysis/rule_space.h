// The one place of the analysis that reads a classification rule's individual match fields
// (addresses, protocols, ports, input device): whether a packet matches a rule, why not, and
// the rule's packets as a product of interval lists (for lint). When the IR's match types
// change, only rule_space.cc changes.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pbrc/analysis.h"

namespace pbrc::analysis {

// A rule's conditions by kind, pointing into the rule. `unmodelled` is the keyword of a
// condition the packet model has no field for (`dscp`, `mac`): explain treats such a rule as
// not matching, and lint uses it as a coverer of no other rule (its space is widened over the
// condition, so it may still be found shadowed, never shadowing).
struct RuleView {
  const ir::AddrMatch* saddr = nullptr;
  const ir::AddrMatch* daddr = nullptr;
  const std::string* iif = nullptr;
  const std::vector<uint8_t>* protos = nullptr;
  const ir::PortMatch* sport = nullptr;
  const ir::PortMatch* dport = nullptr;
  std::string unmodelled;
};
RuleView View(const ir::Classify& r);
// The addresses an address match reads: its set's elements or its own (rules over one set
// share one list, which lint uses to build that set's spans once).
const IntervalList& Elements(const ir::Program& p, const ir::AddrMatch& m);

// The conditions of `r` the packet fails (empty: it matches). Reversed: as classify_stateless
// tries a reply (source and destination swapped, ports swapped, `iif` not tested).
std::vector<std::string> Misses(const ir::Program& p, const ir::Classify& r, const Packet& pkt,
                                bool reversed = false);
inline bool Matches(const ir::Program& p, const ir::Classify& r, const Packet& pkt,
                    bool reversed = false) {
  return Misses(p, r, pkt, reversed).empty();
}

// An inclusive range of one dimension's values.
struct Span {
  U128 lo = 0, hi = 0;
  friend bool operator==(const Span&, const Span&) = default;
};
using Spans = std::vector<Span>;  // sorted, disjoint, not adjacent

// The protocols whose packets carry ports (nft's `th sport`/`th dport`).
inline bool HasPorts(uint8_t proto) {
  return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

// The dimensions of a packet, for one family: source, destination, protocol, source port,
// destination port, input device (an index of Devices; 0 is "from the router itself").
enum Dim { kSrc, kDst, kProto, kSport, kDport, kIif, kDims };
using Space = std::array<Spans, kDims>;

// Input devices as indexes: 0 from the router, 1..n the devices the rules name, n + 1 any
// other device.
class Devices {
 public:
  explicit Devices(const ir::Program& p);
  U128 Index(const std::string& dev) const;
  U128 Other() const { return names_.size() + 1; }
  std::string Name(U128 index) const;  // "" for the router; Other() is a name no rule uses

 private:
  std::vector<std::string> names_;  // sorted
};

// One dimension of the space of the rule viewed as `v` (empty: it matches nothing there).
Spans DimSpans(const ir::Program& p, const RuleView& v, Dim d, Family f, const Devices& devs);
// The packets of family `f` rule `r` matches; nullopt when it matches none of that family.
std::optional<Space> SpaceOf(const ir::Program& p, const ir::Classify& r, Family f,
                             const Devices& devs);
// One packet of a non-empty space, with a readable choice of values (udp or tcp first).
Packet Witness(const Space& s, Family f, const Devices& devs);

}  // namespace pbrc::analysis
