// The classification rules as lookups: first-match order resolved at compile time. Runs of
// rules whose conditions fit one key (addresses, protocol, one port field) become maps of
// disjoint regions, each keeping the target of the earliest rule that covers it; the other
// rules stay linear, in order between the maps. Backend-neutral: the nft emitters render the
// plan (verdict maps), `--emit ir` and `explain` report it, tests evaluate it.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pbrc/ir.h"

namespace pbrc::ir {

// Bounds (docs/architecture.md, "Classification maps"): a map may hold kMaxMapRegions
// elements, a program kMaxRegions in all (both directions); a rule that would need more
// stays linear. They keep the artifact and the compile time O(regions) with a ceiling, and
// one nft map well inside what nft 1.0.6 loads in a second.
inline constexpr size_t kMaxMapRegions = 4096;
inline constexpr size_t kMaxRegions = 65536;
// A segment keeps one copy of its maps per input device its rules name with `iif` (plus the
// one for every other packet): at most this many devices, so a segment's regions grow at
// most 9-fold and a packet passes at most 8 devices' guarded lookups per segment; a rule
// naming one more device starts the next segment.
inline constexpr size_t kMaxSegmentDevices = 8;

// An inclusive range of one key field.
struct Span {
  U128 lo = 0, hi = 0;
  friend bool operator==(const Span&, const Span&) = default;
};
// The key fields, in key order: source, destination, IP protocol, port.
enum KeyField { kKeySaddr, kKeyDaddr, kKeyProto, kKeyPort, kKeyFields };
using Box = std::array<Span, kKeyFields>;

// Which direction the rules are read in: as written (classify, classify_stateless_forward)
// or reversed (classify_stateless: a reply of the flow, addresses and ports swapped).
enum class Direction { kForward, kReply };

// One verdict map of one family. Its key is saddr . daddr, then the protocol when
// `proto`, then the port (dport forward, sport reversed) when `port`. A packet whose
// port or protocol cannot be read (a non-first fragment) breaks the lookup in the kernel,
// so a segment follows a map with ports by one without (the rules without a port
// condition), and one with a protocol by one with addresses only: the next lookup then
// answers as the linear rules would have.
struct RegionMap {
  // Only packets from this input device are looked up (`iifname IIF` before the lookup);
  // empty: every packet. Such a map holds the segment's rules as a packet from IIF meets
  // them (its `iif` rules and those without `iif`); the maps without IIF come last and hold
  // the rules without `iif`, for packets from any other device and the router's own.
  std::string iif;
  Family family = Family::kV4;
  bool proto = false;
  bool port = false;
  // The key starts daddr . saddr: the kernel's interval maps (nft_set_pipapo) match field by
  // field and then walk every element still matching, so the field with more distinct
  // conditions among the map's rules goes first (policies that share one source and differ
  // in destinations would otherwise walk every element per packet: docs/architecture.md,
  // "Classification maps"). Conditions, not spans: a list file's change keeps the order.
  bool daddr_first = false;
  struct Element {
    Box key;      // fields the map does not key on are full
    size_t rule;  // index into Program::rules
  };
  std::vector<Element> elements;  // disjoint; in rule order
};

// A run of rules [first, last) of Program::rules: one lookup per map (in order), or each
// rule linear. `why` says why a rule is linear, or for a mapped segment why it ended before
// the next rule when that rule could have joined it (a bound; empty otherwise).
struct Segment {
  size_t first = 0, last = 0;
  bool mapped = false;
  std::vector<RegionMap> maps;
  std::string why;
};

struct ClassifyPlan {
  Direction direction = Direction::kForward;
  std::vector<Segment> segments;
  size_t regions = 0;  // elements in all maps
};

// Budget shared by the two directions of one program (kMaxRegions).
struct RegionBudget {
  size_t left = kMaxRegions;
};

// The plan for p.rules; with p.opts.classify linear, one linear segment per rule. Reversed,
// a rule a reply cannot decide (`iif`, `dscp`, `mac`) is read as what the reply walk does
// with it: `iif` its link's device (or nothing when its target is not a link).
ClassifyPlan PlanClassify(const Program& p, Direction d, RegionBudget& budget);
// Both directions, sharing one budget.
std::array<ClassifyPlan, 2> PlanClassify(const Program& p);

// The rule a packet with these key values meets first in the plan's maps, evaluated as the
// kernel does: lookups in order; a segment's linear rules are not evaluated here (nullopt
// with *linear = the segment). For tests and explain.
struct KeyPacket {
  Family family = Family::kV4;
  U128 saddr = 0, daddr = 0;
  uint8_t proto = 0;
  std::optional<uint16_t> port;  // nullopt: not readable (fragment)
  std::string iif;               // the input device; empty: none (the output hook)
};
std::optional<size_t> Lookup(const Segment& s, const KeyPacket& k);

// "rules 0-4 map (v4 12 regions, v6 3)" lines for `--emit ir` and explain.
std::string PlanText(const Program& p, const ClassifyPlan& plan);

}  // namespace pbrc::ir
