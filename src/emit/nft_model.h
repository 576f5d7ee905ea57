// A small structured form of the nft ruleset pbrc emits, rendered as nft text and as
// libnftables JSON from the same rules, so the two cannot drift apart. Rules are built one at
// a time while rendering (TableBuilder): the whole table at a million policy rules would be
// gigabytes, one rule is a few hundred bytes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pbrc/ir.h"
#include "pbrc/regions.h"
#include "pbrc/sink.h"

namespace pbrc::nft {

// Statements point into the IR (which outlives every rule) instead of copying lists.
struct MatchAddr {
  Family family;
  bool source;
  bool negated;
  const std::string* set;        // "@name" when not empty
  const IntervalList* elements;  // otherwise
};
struct MatchNfproto {
  Family family;
};
struct MatchL4proto {
  const std::vector<uint8_t>* protos;
};
struct MatchPorts {
  bool source;
  bool negated;
  const std::vector<PortRange>* ranges;
};
struct MatchPayload {  // PROTOCOL FIELD VALUE or { VALUES }, for value matches
  NftField field;
  std::vector<uint64_t> values;
  std::string (*text)(uint64_t);  // a value as nft text
  bool json_number;               // nft JSON: a number, else text(value) as a string
};
struct MatchIfname {
  bool input;
  std::string name;
};
struct MatchMark {  // (meta|ct) mark & mask == value
  bool ct;
  uint32_t mask;
  uint32_t value;
};
struct MatchCtState {
  std::vector<std::string> states;
};
struct SetMark {  // (meta|ct) mark set (meta|ct) mark & keep | value
  bool ct;
  uint32_t keep;
  uint32_t value;
};
struct Counter {};
struct Jump {
  std::string chain;
};
struct Goto {  // no return address: a `return` in the target leaves the calling base chain
  std::string chain;
};
struct Return {};
// KEY vmap @map: saddr . daddr [. meta l4proto [. th dport|sport]] of one family.
struct Vmap {
  Family family;
  bool proto;
  bool port;
  bool reply;        // the port is the source port (the reply maps)
  bool daddr_first;  // ir::RegionMap::daddr_first
  std::string map;
};
struct Masquerade {};
struct Snat {
  Family family;
  Addr to;
};
// ct mark & MASK vmap { MARK : goto CHAIN, ... }: `restore` of a policy with many targets.
struct MarkVmap {
  uint32_t mask;
  std::vector<std::pair<uint32_t, std::string>> entries;  // mark, chain
};
using Stmt = std::variant<MatchAddr, MatchNfproto, MatchL4proto, MatchPorts, MatchPayload,
                          MatchIfname, MatchMark, MatchCtState, SetMark, Counter, Jump, Goto,
                          Return, Vmap, MarkVmap, Masquerade, Snat>;

struct Rule {
  std::vector<Stmt> stmts;
  std::string comment;
};

struct Hook {
  const char* type;  // filter, route, nat
  const char* hook;  // prerouting, output, postrouting
  const char* prio;  // mangle, srcnat
  int prio_value;    // -150, 100
};

// What a chain holds, for TableBuilder::ForEachRule. kMark/kReply/kRestoreTarget are one per
// target.
enum class ChainKind {
  kRestore,
  kClassify,
  kStateless,
  kStatelessForward,
  kEntry,
  kPostrouting,
  kMark,
  kReply,
  kRestoreTarget
};

struct ChainHead {
  std::string name;
  std::optional<Hook> hook;
  ChainKind kind = ChainKind::kEntry;
  size_t target = 0;  // kMark, kReply, kRestoreTarget
};

// A verdict map of regions (pbrc/regions.h): its key is the map's, every element jumps
// (`goto`) to a chain. Elements carry a counter when `counter`.
struct MapHead {
  std::string name;
  const ir::RegionMap* map;
  bool reply;
  bool counter;
};
struct MapElement {
  const ir::Box* key;
  std::string chain;    // the element's verdict: goto chain
  std::string comment;  // "rule 3 a.pbr:7 -> wan1", or empty
};

// pbrc's table `inet NAME` for one program: its sets are the IR's, its chains are listed up
// front and their rules built on demand. Invariant: the program outlives the builder and
// every rule it hands out.
class TableBuilder {
 public:
  // `plans`: the classification plan to use instead of planning `p` (with `classify maps;`).
  explicit TableBuilder(const ir::Program& p,
                        std::optional<std::array<ir::ClassifyPlan, 2>> plans = std::nullopt);
  const std::string& Name() const { return p_.opts.nft_table; }
  const std::vector<ir::Set>& Sets() const { return p_.sets; }
  const std::vector<ChainHead>& Chains() const { return chains_; }
  // Calls f with each rule of Chains()[chain] in order; a rule lives only during its call.
  void ForEachRule(size_t chain, const std::function<void(const Rule&)>& f) const;
  // The verdict maps (`classify maps;`), and each one's elements in order.
  const std::vector<MapHead>& Maps() const { return maps_; }
  void ForEachElement(size_t map, const std::function<void(const MapElement&)>& f) const;

 private:
  const ir::Program& p_;
  std::vector<ChainHead> chains_;
  std::optional<std::array<ir::ClassifyPlan, 2>> plans_;  // with `classify maps;` only
  std::vector<MapHead> maps_;
};

// The name of segment `seg`'s map `k` in a direction: "classify_m3_0", "reply_m3_0".
std::string MapName(bool reply, size_t seg, size_t k);
// The chain names of target `t`'s mark and reply chains.
std::string MarkChain(size_t t);
std::string ReplyChain(size_t t);
std::string RestoreChain(size_t t);
// `restore` is one rule per target up to this many targets, then one verdict map from the
// connection mark to a chain per target: the rule list measures as fast up to 8 targets and
// slower from 32 (docs/testing.md, "The restore benchmark").
inline constexpr size_t kRestoreMapTargets = 16;

// Both write to `out` in pieces (emit/chunked.h): nothing holds the whole text. `staged`: the
// table dormant and its sets without elements (NftTextStaged).
void RenderText(const TableBuilder& t, const ir::Program& p, Sink& out, bool staged = false);
void RenderJson(const TableBuilder& t, Sink& out);

const char* ProtoName(uint8_t proto);  // "tcp", or nullptr for numbers without a name

}  // namespace pbrc::nft
