// The region compiler against first match: random programs (overlapping prefixes and sets,
// negation, protocols, ports, iif of five devices, dscp, pins, both families and rules of
// either), random packets on the edges of every interval, from six devices or the router
// itself, both directions, packets whose port the kernel cannot read. The reference is a plain walk
// over the rules written here, not the compiler's own reading of the conditions.
#include "pbrc/regions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <type_traits>

#include "region_keys.h"

namespace pbrc::ir {
namespace {

struct Pkt {
  KeyPacket k;
  std::optional<uint16_t> sport, dport;  // nullopt: unreadable (non-first fragment)
  std::string iif;
  bool dscp = false;  // whether the packet has the one dscp value rules name
};

bool InAddr(const Program& p, const AddrMatch& m, U128 a) {
  const IntervalList* els = &m.elements;
  for (const Set& s : p.sets) {
    if (!m.set.empty() && s.name == m.set) els = &s.elements;
  }
  bool in = false;
  for (const Interval& iv : *els) in |= iv.lo <= a && a <= iv.hi;
  return in != m.negated;
}

bool InPorts(const PortMatch& m, std::optional<uint16_t> port) {
  if (!port) return false;  // the kernel's `th` load breaks: the rule does not match
  bool in = false;
  for (const PortRange& r : m.ranges) in |= r.lo <= *port && *port <= r.hi;
  return in != m.negated;
}

// One rule's conditions as the linear chain tests them.
bool RefMatch(const Program& p, const std::vector<Cond>& conds, const Pkt& pkt) {
  for (const Cond& c : conds) {
    bool ok = std::visit(
        [&](const auto& m) -> bool {
          using T = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<T, SaddrMatch>) return InAddr(p, m, pkt.k.saddr);
          if constexpr (std::is_same_v<T, DaddrMatch>) return InAddr(p, m, pkt.k.daddr);
          if constexpr (std::is_same_v<T, IifMatch>) return pkt.iif == m.device;
          if constexpr (std::is_same_v<T, ProtoMatch>) {
            return std::find(m.protos.begin(), m.protos.end(), pkt.k.proto) != m.protos.end();
          }
          if constexpr (std::is_same_v<T, SportMatch>) return InPorts(m, pkt.sport);
          if constexpr (std::is_same_v<T, DportMatch>) return InPorts(m, pkt.dport);
          return pkt.dscp;  // value matches
        },
        c);
    if (!ok) return false;
  }
  return true;
}

// Whether rule i ends the walk for the packet, as the linear chains do (emit's Classify and
// StatelessReply): forward, its conditions; reversed, the reply's form of them, where a
// rule a reply cannot decide (`iif`, `dscp`) ends the walk only for a reply arriving on its
// link's device and does nothing else, and a pin does nothing.
bool Meets(const Program& p, size_t i, const Pkt& pkt, bool reply) {
  const Classify& r = p.rules[i];
  if (r.family && *r.family != pkt.k.family) return false;
  if (!reply) return RefMatch(p, r.conds, pkt);
  if (r.inbound) return false;
  Reply rep = Reversed(r);
  const Target& t = p.targets[r.target];
  if (!rep.decidable && (t.kind != TargetKind::kLink || pkt.iif != t.device)) return false;
  return RefMatch(p, rep.conds, pkt);
}

std::optional<size_t> Linear(const Program& p, const Pkt& pkt, bool reply) {
  for (size_t i = 0; i < p.rules.size(); ++i) {
    if (Meets(p, i, pkt, reply)) return i;
  }
  return std::nullopt;
}

std::optional<size_t> Planned(const Program& p, const ClassifyPlan& plan, const Pkt& pkt) {
  bool reply = plan.direction == Direction::kReply;
  KeyPacket k = pkt.k;
  k.port = reply ? pkt.sport : pkt.dport;
  k.iif = pkt.iif;
  for (const Segment& s : plan.segments) {
    if (s.mapped) {
      if (auto hit = Lookup(s, k)) return hit;
      continue;
    }
    for (size_t i = s.first; i < s.last; ++i) {
      if (Meets(p, i, pkt, reply)) return i;
    }
  }
  return std::nullopt;
}

// Prefixes that nest and overlap, so first match matters.
const std::vector<std::pair<uint32_t, int>> kV4Pool = {
    {0x0a000000, 8},  {0x0a010000, 16}, {0x0a010200, 24}, {0x0a010280, 25},
    {0xc0a80000, 16}, {0xc0a80100, 24}, {0x08080808, 32}, {0, 1}};
const std::vector<PortRange> kPorts = {{53, 53}, {80, 90}, {85, 85}, {443, 443}, {1000, 2000}};

struct Gen {
  std::mt19937_64 rng;
  bool Coin(double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }

  Interval RandomInterval(Family f) {
    auto [a, len] = kV4Pool[Pick(kV4Pool.size())];
    U128 base = f == Family::kV4 ? U128(a) : (U128(0x20010db8) << 96) | (U128(a) << 64);
    int bits = f == Family::kV4 ? len : len + 32;
    return Interval{f, base, base | HostMask(f, bits)};
  }
  AddrMatch Addr(Family f, Program& p) {
    AddrMatch m;
    m.negated = Coin(0.2);
    if (Coin(0.3)) {
      m.set = f == Family::kV4 ? "S_v4" : "S_v6";
      return m;
    }
    std::vector<Interval> v = {RandomInterval(f)};
    if (Coin(0.3)) v.push_back(RandomInterval(f));
    m.elements = IntervalList(Normalize(std::move(v)));
    (void)p;
    return m;
  }
  PortMatch Ports() {
    PortMatch m;
    m.negated = Coin(0.2);
    m.ranges = {kPorts[Pick(kPorts.size())]};
    if (Coin(0.3)) {
      PortRange r = kPorts[Pick(kPorts.size())];
      if (r.hi < m.ranges[0].lo || r.lo > m.ranges[0].hi) m.ranges.push_back(r);
    }
    std::sort(m.ranges.begin(), m.ranges.end(),
              [](const PortRange& a, const PortRange& b) { return a.lo < b.lo; });
    return m;
  }
  Classify Rule(Program& p, size_t id) {
    Classify r;
    r.rule = id;
    r.target = Pick(p.targets.size());
    size_t fam = Pick(3);
    if (fam < 2) r.family = fam == 0 ? Family::kV4 : Family::kV6;
    if (r.family && Coin(0.7)) r.conds.push_back(SaddrMatch{Addr(*r.family, p)});
    if (r.family && Coin(0.6)) r.conds.push_back(DaddrMatch{Addr(*r.family, p)});
    if (Coin(0.25)) r.conds.push_back(IifMatch{"e" + std::to_string(Pick(5))});
    if (Coin(0.4))
      r.conds.push_back(
          ProtoMatch{Coin(0.5) ? std::vector<uint8_t>{6} : std::vector<uint8_t>{6, 17}});
    if (Coin(0.08)) r.conds.push_back(SportMatch{Ports()});
    if (Coin(0.35)) r.conds.push_back(DportMatch{Ports()});
    if (Coin(0.04)) r.conds.push_back(ValueMatch<DscpDef>{{46}});
    return r;
  }
  Program Random() {
    Program p;
    p.opts.classify = ClassifyForm::kMaps;
    for (int i = 0; i < 3; ++i) {
      Target t;
      t.kind = TargetKind::kLink;
      t.name = "l" + std::to_string(i);
      t.device = "e" + std::to_string(i);
      p.targets.push_back(t);
    }
    Target main;
    main.name = "main";
    p.targets.push_back(main);
    for (Family f : {Family::kV4, Family::kV6}) {
      p.sets.push_back(Set{f == Family::kV4 ? "S_v4" : "S_v6", "S", f,
                           IntervalList(Normalize({RandomInterval(f), RandomInterval(f)}))});
    }
    for (size_t t = 0; t < 3; ++t) {  // pins in front, as lowering puts them
      if (!Coin(0.3)) continue;
      Classify pin;
      pin.inbound = true;
      pin.target = t;
      pin.conds.push_back(IifMatch{"e" + std::to_string(t)});
      p.rules.push_back(pin);
    }
    size_t n = 1 + Pick(25);
    for (size_t i = 0; i < n; ++i) p.rules.push_back(Rule(p, i));
    return p;
  }
  U128 Edge(Family f) {
    Interval iv = RandomInterval(f);
    U128 pick[] = {iv.lo, iv.hi, iv.lo - 1, iv.hi + 1, iv.lo + Pick(300)};
    U128 a = pick[Pick(5)];
    return f == Family::kV4 ? (a & 0xffffffff) : a;
  }
  std::optional<uint16_t> Port() {
    if (Coin(0.1)) return std::nullopt;
    PortRange r = kPorts[Pick(kPorts.size())];
    uint16_t pick[] = {r.lo, r.hi, uint16_t(r.lo - 1), uint16_t(r.hi + 1), uint16_t(Pick(65536))};
    return pick[Pick(5)];
  }
  Pkt Packet() {
    Pkt p;
    p.k.family = Coin(0.5) ? Family::kV4 : Family::kV6;
    p.k.saddr = Edge(p.k.family);
    p.k.daddr = Edge(p.k.family);
    uint8_t protos[] = {6, 17, 1};
    p.k.proto = protos[Pick(3)];
    p.sport = Port();
    p.dport = Coin(0.1) ? std::nullopt : Port();
    if (!p.dport) p.sport = std::nullopt;  // a fragment has neither
    // e5 is named by no rule; "" is the router's own packet (the output hook)
    p.iif = Coin(0.15) ? "" : "e" + std::to_string(Pick(6));
    p.dscp = Coin(0.5);
    return p;
  }
};

// nft rejects overlapping elements of an interval map ("conflicting intervals").
bool Disjoint(const RegionMap& m) {
  for (size_t i = 0; i < m.elements.size(); ++i) {
    for (size_t j = i + 1; j < m.elements.size(); ++j) {
      if (regions::Overlap(m.elements[i].key, m.elements[j].key)) return false;
    }
  }
  return true;
}

TEST(Regions, MapsAgreeWithFirstMatch) {
  Gen g{std::mt19937_64(12)};
  size_t mapped = 0;
  std::array<size_t, 2> iif_maps{};  // per direction: maps for one input device
  for (int prog = 0; prog < 400; ++prog) {
    Program p = g.Random();
    auto plans = PlanClassify(p);
    for (const auto& plan : plans) {
      for (const auto& s : plan.segments) {
        mapped += s.mapped;
        for (const auto& m : s.maps) {
          ASSERT_TRUE(Disjoint(m)) << Print(p) << PlanText(p, plan);
          iif_maps[plan.direction == Direction::kReply] += !m.iif.empty();
        }
      }
    }
    for (int k = 0; k < 300; ++k) {
      Pkt pkt = g.Packet();
      for (const auto& plan : plans) {
        bool reply = plan.direction == Direction::kReply;
        ASSERT_EQ(Planned(p, plan, pkt), Linear(p, pkt, reply))
            << "program " << prog << " packet " << k << (reply ? " reply\n" : " forward\n")
            << Print(p) << PlanText(p, plan);
      }
    }
  }
  EXPECT_GT(mapped, 400u);       // the maps were exercised, not only linear fallbacks
  EXPECT_GT(iif_maps[0], 200u);  // and rules with `iif`, in both directions
  EXPECT_GT(iif_maps[1], 200u);
}

Program Two(const char* first, int first_len, const char* second, int second_len) {
  Program p;
  p.opts.classify = ClassifyForm::kMaps;
  p.targets.resize(2);
  p.targets[0].name = "main";
  p.targets[1].kind = TargetKind::kTable;
  p.targets[1].name = "table 7";
  for (auto [a, len] : {std::pair{first, first_len}, std::pair{second, second_len}}) {
    Classify r;
    r.family = Family::kV4;
    r.rule = p.rules.size();
    r.target = p.rules.size();
    r.conds.push_back(SaddrMatch{{false, "", IntervalList({ToInterval({*ParseAddr(a), len})})}});
    p.rules.push_back(r);
  }
  return p;
}

TEST(Regions, EarlierRuleKeepsTheOverlap) {
  // The /8 first: the /16 inside it is shadowed and gets no region.
  auto plan = PlanClassify(Two("10.0.0.0", 8, "10.1.0.0", 16))[0];
  ASSERT_EQ(plan.segments.size(), 1u);
  EXPECT_EQ(plan.regions, 1u);
  // The /16 first: the /8 is split around it, two pieces of it remain.
  plan = PlanClassify(Two("10.1.0.0", 16, "10.0.0.0", 8))[0];
  EXPECT_EQ(plan.regions, 3u);
  EXPECT_EQ(plan.segments[0].maps[0].elements[0].rule, 0u);
}

TEST(Regions, OversizedRuleStaysLinearInOrder) {
  Program p = Two("10.0.0.0", 8, "11.0.0.0", 8);
  std::vector<Interval> many;
  for (uint32_t i = 0; i <= kMaxMapRegions; ++i) many.push_back({Family::kV4, 2 * i, 2 * i});
  Classify big = p.rules[1];
  big.conds = {SaddrMatch{{false, "", IntervalList(many)}}};
  p.rules.insert(p.rules.begin() + 1, big);
  auto plan = PlanClassify(p)[0];
  ASSERT_EQ(plan.segments.size(), 3u);
  EXPECT_TRUE(plan.segments[0].mapped);
  EXPECT_FALSE(plan.segments[1].mapped);
  EXPECT_EQ(plan.segments[1].why, "needs more than 4096 regions");
  EXPECT_TRUE(plan.segments[2].mapped);
}

TEST(Regions, ListLengthBoundIsExact) {
  // A list is refused by its length before it is copied; the bound is exact: a negated list
  // of kMaxMapRegions + 1 intervals holding both ends of the field leaves kMaxMapRegions gaps.
  auto with = [](std::vector<Interval> list, bool negated) {
    Program p = Two("10.0.0.0", 8, "11.0.0.0", 8);
    p.rules[1].conds = {SaddrMatch{{negated, "", IntervalList(std::move(list))}}};
    p.rules.erase(p.rules.begin());  // the rule alone: its regions are its own count
    return PlanClassify(p)[0];
  };
  std::vector<Interval> ends;  // 0, 2, 4, ..., then the field's last address
  for (uint32_t i = 0; i < kMaxMapRegions; ++i) ends.push_back({Family::kV4, 2 * i, 2 * i});
  ends.push_back({Family::kV4, 0xffffffffu, 0xffffffffu});
  auto plan = with(ends, true);
  ASSERT_EQ(plan.segments.size(), 1u);
  EXPECT_TRUE(plan.segments[0].mapped);
  EXPECT_EQ(plan.regions, kMaxMapRegions);
  ends.insert(ends.end() - 1, Interval{Family::kV4, 2 * kMaxMapRegions, 2 * kMaxMapRegions});
  for (bool negated : {false, true}) {
    plan = with(ends, negated);
    ASSERT_EQ(plan.segments.size(), 1u);
    EXPECT_FALSE(plan.segments[0].mapped);
    EXPECT_EQ(plan.segments[0].why, "needs more than 4096 regions");
  }
}

TEST(Regions, ListLengthRefusalKeepsTheFormerForm) {
  // Review of 912c004: the refusal by length must give the form the box count gave before.
  // (1) Another field empty (`to !0.0.0.0/0`): the rule has no boxes at all, so before
  // 912c004 it passed the bound and was mapped; the early refusal makes it linear.
  std::vector<Interval> many;
  for (uint32_t i = 0; i < kMaxMapRegions + 2; ++i) many.push_back({Family::kV4, 2 * i, 2 * i});
  Program p = Two("10.0.0.0", 8, "11.0.0.0", 8);
  p.rules[1].conds = {SaddrMatch{{false, "", IntervalList(many)}},
                      DaddrMatch{{true, "", IntervalList({{Family::kV4, 0, 0xffffffffu}})}}};
  auto plan = PlanClassify(p)[0];
  EXPECT_EQ(plan.segments.size(), 1u);
  for (const auto& seg : plan.segments) EXPECT_TRUE(seg.mapped) << seg.why;
  // (2) A condition that is not keyed after the long list: its reason stays the reason
  // (explain and the IR print show it).
  p = Two("10.0.0.0", 8, "11.0.0.0", 8);
  p.rules[1].conds = {SaddrMatch{{false, "", IntervalList(many)}}, ValueMatch<DscpDef>{{46}}};
  plan = PlanClassify(p)[0];
  ASSERT_EQ(plan.segments.size(), 2u);
  EXPECT_FALSE(plan.segments[1].mapped);
  EXPECT_EQ(plan.segments[1].why, "'dscp' is not keyed");
}

TEST(Regions, KeyStartsWithTheFieldOfMoreDistinctValues) {
  // One source, many destinations (per-destination steering): the kernel's interval map
  // would walk every element after a source field all of them match, so daddr goes first;
  // in the reply direction the same rules' source is the many-valued field.
  Program p = Two("10.0.0.0", 8, "11.0.0.0", 8);
  Classify r = p.rules[0];
  p.rules.clear();
  for (uint32_t i = 0; i < 20; ++i) {
    r.rule = i;
    r.conds = {
        SaddrMatch{{false, "", IntervalList({ToInterval({*ParseAddr("10.78.0.0"), 16})})}},
        DaddrMatch{
            {false, "",
             IntervalList({{Family::kV4, 0x0b000000u + (i << 8), 0x0b000000u + (i << 8) + 255}})}}};
    p.rules.push_back(r);
  }
  auto plans = PlanClassify(p);
  ASSERT_EQ(plans[0].segments.size(), 1u);
  EXPECT_TRUE(plans[0].segments[0].maps[0].daddr_first);
  EXPECT_FALSE(plans[1].segments[0].maps[0].daddr_first);
  EXPECT_NE(PlanText(p, plans[0]).find("ip daddr.saddr 20"), std::string::npos);
  // A list that grows or shrinks keeps the order (apply then updates the map in place): one
  // rule's source list of n prefixes against two rules' destinations.
  for (uint32_t n : {1u, 3u, 40u}) {
    Program q = Two("10.0.0.0", 8, "11.0.0.0", 8);
    Classify base = q.rules[0];
    std::vector<Interval> list;
    for (uint32_t i = 0; i < n; ++i)
      list.push_back({Family::kV4, 0x0c000000u + (i << 16), 0x0c000000u + (i << 16) + 255});
    q.rules.clear();
    base.conds = {SaddrMatch{{false, "", IntervalList(list)}}};
    q.rules.push_back(base);
    for (uint32_t d = 0; d < 2; ++d) {
      base.rule = d + 1;
      base.conds = {DaddrMatch{
          {false, "",
           IntervalList({{Family::kV4, 0x0d000000u + (d << 8), 0x0d000000u + (d << 8) + 255}})}}};
      q.rules.push_back(base);
    }
    auto plan = PlanClassify(q);
    ASSERT_EQ(plan[0].segments.size(), 1u) << n;
    EXPECT_TRUE(plan[0].segments[0].maps[0].daddr_first) << n;
  }
  // A tie keeps the written order.
  EXPECT_FALSE(PlanClassify(Two("10.0.0.0", 8, "11.0.0.0", 8))[0].segments[0].maps[0].daddr_first);
}

// `iif e1 to 10.1.0.0/16 via l1; to 10.0.0.0/8 via l0;` (links l0, l1 on devices e0, e1).
Program IifFirst() {
  Program p = Two("10.1.0.0", 16, "10.0.0.0", 8);
  p.targets = {Target{}, Target{}};
  for (size_t t = 0; t < 2; ++t) {
    p.targets[t].kind = TargetKind::kLink;
    p.targets[t].name = "l" + std::to_string(t);
    p.targets[t].device = "e" + std::to_string(t);
  }
  p.rules[0].target = 1;
  p.rules[1].target = 0;
  p.rules[0].conds = {DaddrMatch{std::get<SaddrMatch>(p.rules[0].conds[0])}, IifMatch{"e1"}};
  p.rules[1].conds = {DaddrMatch{std::get<SaddrMatch>(p.rules[1].conds[0])}};
  return p;
}

TEST(Regions, IifRulesGetTheirDevicesMaps) {
  Program p = IifFirst();
  auto plans = PlanClassify(p);
  ASSERT_EQ(plans[0].segments.size(), 1u);
  const Segment& s = plans[0].segments[0];
  ASSERT_TRUE(s.mapped);
  ASSERT_EQ(s.maps.size(), 2u);
  EXPECT_EQ(s.maps[0].iif, "e1");            // the device's maps first, the fall-through last
  EXPECT_EQ(s.maps[0].elements.size(), 3u);  // the /16, the /8 around it
  EXPECT_EQ(s.maps[1].iif, "");
  EXPECT_EQ(s.maps[1].elements.size(), 1u);
  KeyPacket k{Family::kV4, 0x0b000001, 0x0a010203, 6, 80, "e1"};
  EXPECT_EQ(Lookup(s, k), std::optional<size_t>(0));
  for (const char* other : {"", "e0", "e2"}) {  // the router's own, other devices: no `iif`
    k.iif = other;
    EXPECT_EQ(Lookup(s, k), std::optional<size_t>(1)) << other;
  }
  EXPECT_NE(PlanText(p, plans[0]).find("maps: iif e1 ip daddr.saddr 3, ip saddr.daddr 1"),
            std::string::npos)
      << PlanText(p, plans[0]);
  // Reversed, `iif` says nothing: the rule marks the replies arriving on its link's device
  // (e1) from 10.1.0.0/16, and does nothing for others.
  const Segment& r = plans[1].segments[0];
  ASSERT_TRUE(r.mapped);
  k = KeyPacket{Family::kV4, 0x0a010203, 0x0b000001, 6, 80, "e1"};
  EXPECT_EQ(Lookup(r, k), std::optional<size_t>(0));
  k.iif = "e0";
  EXPECT_EQ(Lookup(r, k), std::optional<size_t>(1));
}

TEST(Regions, DeviceBoundStartsTheNextSegment) {
  Program p = IifFirst();
  Classify r = p.rules[0];
  p.rules.clear();
  for (size_t i = 0; i <= kMaxSegmentDevices; ++i) {
    r.rule = i;
    r.conds[1] = IifMatch{"d" + std::to_string(i)};
    p.rules.push_back(r);
  }
  auto plan = PlanClassify(p)[0];
  ASSERT_EQ(plan.segments.size(), 2u);
  EXPECT_EQ(plan.segments[0].last, kMaxSegmentDevices);
  EXPECT_EQ(plan.segments[0].maps.size(), kMaxSegmentDevices);
  EXPECT_TRUE(plan.segments[1].mapped);
  EXPECT_NE(PlanText(p, plan).find("(ends: a rule names one more input device than 8)"),
            std::string::npos)
      << PlanText(p, plan);
}

TEST(Regions, LinearFormKeepsEveryRule) {
  Program p = Two("10.0.0.0", 8, "11.0.0.0", 8);
  p.opts.classify = ClassifyForm::kLinear;
  auto plan = PlanClassify(p)[0];
  ASSERT_EQ(plan.segments.size(), 2u);
  EXPECT_FALSE(plan.segments[0].mapped);
  EXPECT_EQ(plan.regions, 0u);
}

}  // namespace
}  // namespace pbrc::ir
