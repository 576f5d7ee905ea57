// The backend-neutral IR: everything the kernel must hold for one policy, as plain sorted
// data. Emitters (nft text, nft JSON, ip batches, sysctl) only format it; diff, explain and
// apply read the same structure. Same policy, same IR, byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pbrc/address.h"
#include "pbrc/diagnostics.h"
#include "pbrc/policy_types.h"
#include "pbrc/sink.h"
#include "pbrc/source.h"
#include "pbrc/value_matches.h"

namespace pbrc::ir {

constexpr uint32_t kMainTable = 254;

// Where a rule came from, for nft comments and explain: "seed.pbr:28". Only for people:
// two rules can share one (same line, or same line of two files with the same name).
using Origin = std::string;
// A policy rule's identity: its index in model order (first-match order), stable for a
// given policy. Rule preferences are keyed on it, never on the origin.
using RuleId = size_t;

// One nft interval set of one family. Elements are normalized: sorted, no overlap, no
// adjacency (nft rejects overlapping intervals without auto-merge; pbrc never relies on it).
struct Set {
  std::string name;    // nft name, e.g. "A_v4"
  std::string source;  // policy set name
  Family family = Family::kV4;
  IntervalList elements;  // shared with the model's set value, not copied
};

using TargetKind = pbrc::TargetKind;
// A routing destination. Every target has a mark; links and tables have a table id.
// mark/table are 0 until allocation; `*_explicit` says the policy gave the value.
struct Target {
  TargetKind kind = TargetKind::kMain;
  std::string name;    // link name, "table N" or "main"
  std::string device;  // links only
  uint32_t mark = 0;
  uint32_t table = 0;
  bool mark_explicit = false;
  bool table_explicit = false;
  Range range;  // for allocation diagnostics
};

// An address condition on one family: a named set or inline elements.
struct AddrMatch {
  bool negated = false;
  std::string set;        // nft set name, or empty
  IntervalList elements;  // inline elements when set is empty (shared, not copied)
};

struct PortMatch {
  bool negated = false;
  std::vector<PortRange> ranges;
};

// The conditions of a classification rule, one struct per kind. kReply says what each
// becomes in the reversed rule that recognises a reply (pbrc/value_matches.h); a swapped
// kind names its twin in `Swapped`.
struct DaddrMatch;
struct DportMatch;
struct SaddrMatch : AddrMatch {
  static constexpr ReplyForm kReply = ReplyForm::kSwapped;
  using Swapped = DaddrMatch;
};
struct DaddrMatch : AddrMatch {
  static constexpr ReplyForm kReply = ReplyForm::kSwapped;
  using Swapped = SaddrMatch;
};
struct IifMatch {  // a reply leaves by the flow's input device: it cannot be checked on it
  static constexpr ReplyForm kReply = ReplyForm::kUnknown;
  std::string device;
};
struct ProtoMatch {
  static constexpr ReplyForm kReply = ReplyForm::kSame;
  std::vector<uint8_t> protos;
};
struct SportMatch : PortMatch {
  static constexpr ReplyForm kReply = ReplyForm::kSwapped;
  using Swapped = DportMatch;
};
struct DportMatch : PortMatch {
  static constexpr ReplyForm kReply = ReplyForm::kSwapped;
  using Swapped = SportMatch;
};
// A match of pbrc/value_matches.h with its checked values, sorted.
template <class Def>
struct ValueMatch {
  static constexpr ReplyForm kReply = Def::kReply;
  std::vector<uint64_t> values;
};
// In this order in a rule (one of each kind at most), which is the order nft matches them.
using Cond = WithValueMatches<ValueMatch, std::variant<SaddrMatch, DaddrMatch, IifMatch, ProtoMatch,
                                                       SportMatch, DportMatch>>::type;

// One classification rule: packets matching it get the target's mark. Rules without an
// address match have no family (both). Program::rules holds them in first-match order.
struct Classify {
  std::optional<Family> family;
  std::vector<Cond> conds;  // sorted by kind
  size_t target = 0;
  std::optional<RuleId> rule;  // nullopt for the implicit inbound rules
  Origin origin;
  Range range;  // the policy rule (the link for a pin): explain quotes it, lint points at it
  // Implicit rule (a pin): a new connection arriving on a link's device keeps that link's
  // mark, so its replies leave the way it came in. It follows the rules that name the device
  // with `iif` and precedes all others. It has no reversed form for stateless replies.
  bool inbound = false;
};

// The condition of kind T of a rule, or nullptr.
template <class T>
const T* Find(const Classify& r) {
  for (const auto& c : r.conds) {
    if (const T* t = std::get_if<T>(&c)) return t;
  }
  return nullptr;
}

// The conditions a reply of the rule's flow would meet (sources and destinations swapped),
// sorted by kind; conditions a reply cannot show are dropped and `decidable` turns false.
struct Reply {
  std::vector<Cond> conds;
  bool decidable = true;  // false: the reversed rule may mark, but must never end the walk
};
Reply Reversed(const Classify& r);

enum class IpRuleKind { kOif, kSuppressMain, kFwmark, kSelector, kLinkAddress };
// One `ip rule`. pref and table are set by allocation.
struct IpRule {
  IpRuleKind kind = IpRuleKind::kFwmark;
  Family family = Family::kV4;
  uint32_t pref = 0;
  std::optional<Prefix> from, to;
  std::string iif, oif;
  std::optional<size_t> target;  // lookup this target's table (and fwmark its mark)
  uint32_t table = 0;            // resolved lookup table
  uint32_t fwmark = 0;           // for kFwmark
  std::optional<RuleId> rule;    // for kOif and kSelector: the policy rule they come from
  Origin origin;
};

// One route in a link's table. table is set by allocation.
struct Route {
  Family family = Family::kV4;
  size_t target = 0;
  uint32_t table = 0;
  std::optional<Prefix> dst;  // nullopt: default
  std::optional<Addr> via;
  std::string device;
  Origin origin;
};

struct Nat {
  std::string device;
  NatKind kind = NatKind::kMasquerade;
  std::optional<Family> family;  // snat: one rule per family with an address
  std::optional<Addr> to;
};

struct Sysctl {
  std::string key;
  std::string value;
  std::string why;
};

struct Program {
  std::string policy_name;  // file name the artifacts are named after
  Options opts;
  std::vector<Set> sets;         // sorted by name
  std::vector<Target> targets;   // links (declaration order), tables, main
  std::vector<Classify> rules;   // first-match order
  std::vector<IpRule> ip_rules;  // preference order after allocation
  std::vector<Route> routes;     // by table, then family, then destination
  std::vector<Nat> nat;
  std::vector<Sysctl> sysctls;
  bool uses_v6 = false;
};

// What an ip rule kind is for (src/ir/describe.cc, the one switch over IpRuleKind): its
// name in `--emit ir`, the comment over its group in the ip batches, and how allocation
// keys its preference (one for all rules of the kind, one per link address, one per rule).
enum class PrefSlot { kShared, kPerAddress, kPerRule };
struct IpRuleKindInfo {
  const char* name;
  const char* why;
  PrefSlot slot;
};
IpRuleKindInfo Describe(IpRuleKind kind);
// The selectors of `r` as `ip rule` spells them, each with a leading space (" from P to P
// iif D oif D fwmark M/MASK"; empty when it has none). The ip batches and the plan use it.
std::string SelectorText(const IpRule& r, uint32_t mark_mask);
// "80,8000-8080", with "!" in front when negated: ports in `--emit ir` and in the plan.
std::string PortMatchText(const PortMatch& m);

// Assigns marks, table ids and rule preferences; reports exhaustion as diagnostics.
bool Allocate(Program& p, Diagnostics& diags);
// The IR as text (`--emit ir`), whole or in pieces.
std::string Print(const Program& p);
void Print(const Program& p, Sink& out);

// Names of chains pbrc creates, shared by the nft emitters.
inline constexpr const char* kChainRestore = "restore";
inline constexpr const char* kChainClassify = "classify";
inline constexpr const char* kChainStateless = "classify_stateless";
inline constexpr const char* kChainStatelessForward = "classify_stateless_forward";

}  // namespace pbrc::ir
