// The analysis model: what the kernel does with the compiled artifacts for one packet, read
// from the allocated IR alone. `explain` prints it, `lint` reasons over the same rule spaces,
// and tests/kernel/differential.sh proves it against the kernel. The parts pbrc does not own
// (the main table, the local table) are inputs or out of scope.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pbrc/address.h"
#include "pbrc/diagnostics.h"
#include "pbrc/ir.h"

namespace pbrc::analysis {

// Conntrack's view of the packet: new and established classify the same way (an established
// packet restores the mark its connection's first packet got); invalid and untracked take
// the classify_stateless walk.
enum class CtState { kNew, kEstablished, kInvalid };

// One packet as the router sees it in prerouting (iif set) or output (from_router).
struct Packet {
  Family family = Family::kV4;
  Addr src, dst;
  std::optional<uint8_t> proto;  // nullopt: a protocol no rule names
  std::optional<uint16_t> sport, dport;
  std::string iif;  // empty when from_router
  std::string oif;  // a bound socket's device (from_router only)
  bool from_router = false;
  CtState state = CtState::kNew;
};

// Parses `from A to B [proto P] [sport N] [dport N] (iif DEV | from-router [oif DEV])
// [state new|established|invalid|untracked]`. On error, `error` holds the message and
// `col` (1-based byte column) where it applies.
std::optional<Packet> ParsePacket(std::string_view text, std::string& error, uint32_t& col);
// The same, reporting a bad packet as E0910 at its column in a buffer named `name` (added to
// `sm`, so the diagnostic quotes the packet text).
std::optional<Packet> ParsePacket(const std::string& text, const std::string& name,
                                  SourceManager& sm, Diagnostics& diags);
std::string FormatPacket(const Packet& p);

// A route of a table the model looks up: pbrc's (from the IR) or main's (an input).
struct Route {
  Family family = Family::kV4;
  uint32_t table = 0;
  Prefix dst;
  std::optional<Addr> via;
  std::string device;
  bool from_ir = true;  // false: main's route, given as input
};

// Why a rule did not match: the first condition that failed, in words.
struct Miss {
  size_t rule = 0;  // index in Program::rules
  std::string why;
};

// One classification rule a packet passes: the chain, the rule's position there in the
// linear form (`classify linear;`), which rule (index in Program::rules) and in which
// direction; `stop`: the reply walk's stop rule (it ends the reply walk without a mark).
// With `classify maps;` a mapped rule is counted by its map elements, not at `position`.
struct NftHit {
  std::string chain;
  size_t position = 0;
  size_t rule = 0;
  bool reply = false;
  bool stop = false;
};

struct Verdict {
  // Classification (nft). rule: index in Program::rules of the rule that set the mark.
  std::optional<size_t> rule;
  bool as_reply = false;   // classify_stateless: the reversed rule marked it
  std::string chain;       // nft chain that decided ("classify", "classify_stateless", ...)
  uint32_t mark = 0;       // the packet's mark bits inside the mask after nft (0: none)
  std::vector<Miss> near;  // without a match: why the closest rules did not match
  // The nft rules whose counters the packet passes, in order: what `counters on;` shows, and
  // what the differential test reads.
  std::vector<NftHit> hits;
  // Routing. ip_rule: index in Program::ip_rules whose lookup found a route; nullopt when
  // none of pbrc's did (the kernel's main rule, pref 32766, then decides).
  std::optional<size_t> ip_rule;
  uint32_t table = 0;  // table that gave the route (254 = main), 0 = no route at all
  std::optional<Route> route;
};

// The packet's path through pbrc's nft table, ip rules and tables. `main` holds the main
// table's routes (empty unless read from the kernel); pbrc's tables come from the IR.
Verdict Evaluate(const ir::Program& p, const Packet& pkt, const std::vector<Route>& main = {});

// The routes of pbrc's tables, as the model looks them up.
std::vector<Route> IrRoutes(const ir::Program& p);

// explain's output: the path as text (file:line and source line of the rule), or JSON
// (schema pbrc-explain/1). `main_known`: main's routes were read from the kernel.
std::string ExplainText(const ir::Program& p, const SourceManager& sm, const Packet& pkt,
                        const Verdict& v, bool main_known);
nlohmann::ordered_json ExplainJson(const ir::Program& p, const SourceManager& sm, const Packet& pkt,
                                   const Verdict& v);
// One ip rule as `ip rule` prints it: "295: fwmark 0x2/0xf lookup 20002".
std::string IpRuleText(const ir::Program& p, const ir::IpRule& r);
std::string RouteText(const Route& r);

// Lint: findings over the allocated program, as diagnostics (W0901 and up). `sm` gives the
// source lines (for `# pbrc: allow CODE` on a rule's line). Beyond `max_work` steps of the
// cell walk (events sorted plus rules visited in cells) the walk stops and W0908 says that
// W0901-W0904 were not computed; people's policies stay far below the default (the
// 1,000-rule benchmark needs about 1% of it).
constexpr size_t kLintMaxWork = size_t(1) << 30;
void Lint(const ir::Program& p, const SourceManager& sm, Diagnostics& diags,
          size_t max_work = kLintMaxWork);

}  // namespace pbrc::analysis
