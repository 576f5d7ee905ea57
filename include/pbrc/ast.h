// The syntax tree: what the user wrote, with source ranges, before any name is resolved or
// any value is checked. fmt prints it back; sema checks and evaluates it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pbrc/policy_types.h"
#include "pbrc/source.h"
#include "pbrc/value_matches.h"

namespace pbrc::ast {

// A number as written; `valid` is false when the scanner already reported it.
struct Number {
  uint64_t value = 0;
  std::string text;
  bool valid = true;
  Range range;
};

// A name: identifier or quoted string (device names may need quotes).
struct Name {
  std::string text;
  bool quoted = false;
  Range range;
};

struct AddrText {
  std::string text;
  Range range;
};

// Set elements.
struct PrefixElem {  // 10.0.0.0/8, or a single address when len is absent
  AddrText addr;
  std::optional<Number> len;
  Range range;
};
struct RangeElem {  // 10.0.0.1-10.0.0.9
  AddrText lo, hi;
  Range range;
};
struct SetRef {  // set NAME
  Name name;
  Range range;
};
struct FileRef {  // file "path"
  Name path;
  Range range;
};
using Element = std::variant<PrefixElem, RangeElem, SetRef, FileRef>;
Range RangeOf(const Element& e);

// One comment, kept for fmt.
struct Comment {
  std::string text;  // including "#" or "/* */"
  Range range;
};

// `{ a, b }` or a single element. Elements carry their own comments when braced.
struct SetBody {
  bool braced = false;
  std::vector<Element> elements;
  Range range;
};

struct SetDef {
  Name name;
  SetBody body;
  std::vector<SetBody> excepts;
  Range range;
};

struct PortItem {  // 80, 1000-2000, or a port-list name
  std::optional<Number> lo, hi;
  std::optional<Name> name;
  Range range;
};

struct PortsDef {
  Name name;
  std::vector<PortItem> items;
  Range range;
};

enum class OptionKind {
  kNftTable,
  kMarkMask,
  kPreference,
  kTableIds,
  kProtocol,
  kCounters,
  kComments,
  kClassify
};
struct Option {
  OptionKind kind;
  std::vector<Number> numbers;  // mask, band lo/hi, ids lo/hi, protocol
  std::optional<Name> name;     // nft table, classify form
  bool flag = false;            // counters/comments on|off
  Range range;
};

struct OptionsBlock {
  std::vector<Option> options;
  Range range;
};

enum class LinkPropKind {
  kDevice,
  kGateway,
  kAddress,
  kTable,
  kMark,
  kRoute,
  kNat,
  kRpFilter,
  kInbound
};
using NatKind = pbrc::NatKind;
enum class RpFilter { kOff, kStrict, kLoose };
struct LinkProp {
  LinkPropKind kind;
  std::optional<Name> device;
  std::vector<AddrText> addrs;      // gateway (1), addresses (n)
  std::optional<Number> number;     // table, mark
  std::optional<PrefixElem> route;  // route destination
  std::optional<AddrText> via;      // route via
  NatKind nat = NatKind::kMasquerade;
  RpFilter rp = RpFilter::kStrict;
  bool flag = true;  // inbound on|off
  Range range;
};

struct LinkDef {
  Name name;
  std::vector<LinkProp> props;
  Range range;
};

// The value of a `from` / `to` clause.
struct AddrMatch {
  bool negated = false;
  SetBody body;
  Range range;
};
// The value of a `sport` / `dport` clause.
struct PortMatch {
  bool negated = false;
  std::vector<PortItem> items;
  Range range;
};

// Match clauses, one struct per kind; `range` covers the keyword and the value.
struct FromMatch {
  AddrMatch addr;
  Range range;
};
struct ToMatch {
  AddrMatch addr;
  Range range;
};
struct ProtoMatch {
  std::vector<Name> protos;  // names or numbers as text
  Range range;
};
struct SportMatch {
  PortMatch ports;
  Range range;
};
struct DportMatch {
  PortMatch ports;
  Range range;
};
struct IifMatch {
  Name name;
  Range range;
};
struct OifMatch {
  Name name;
  Range range;
};
// A match of pbrc/value_matches.h: the descriptor's keyword, then values as written.
template <class Def>
struct ValueMatch {
  std::vector<Name> values;
  Range range;
};

// How the policy wrote a target (checked into pbrc::TargetKind by sema).
enum class TargetSyntax { kName, kDevice, kMain, kTable };
struct Target {
  TargetSyntax kind = TargetSyntax::kName;
  Name name;  // link name or device
  std::optional<Number> table;
  Range range;
};

// One match clause as parsed; the rule keeps them in source order for fmt.
using Match = WithValueMatches<ValueMatch, std::variant<FromMatch, ToMatch, ProtoMatch, SportMatch,
                                                        DportMatch, IifMatch, OifMatch>>::type;
inline Range RangeOf(const Match& m) {
  return std::visit([](const auto& c) { return c.range; }, m);
}
// The ValueMatch of descriptor `index` in ValueMatchDefs (the scanner's keyword index).
template <class... Defs>
Match MakeValueMatchIn([[maybe_unused]] int index, [[maybe_unused]] std::vector<Name> values,
                       [[maybe_unused]] Range range, DefList<Defs...>) {
  Match out;
  int i = 0;
  ((i++ == index ? (out = ValueMatch<Defs>{std::move(values), range}, 0) : 0), ...);
  return out;
}
inline Match MakeValueMatch(int index, std::vector<Name> values, Range range) {
  return MakeValueMatchIn(index, std::move(values), range, ValueMatchDefs{});
}

struct Rule {
  std::vector<Match> matches;
  Target target;
  Range range;
};

// A block's rules as trees, or, when parsed with RuleTrees::kDefer (pbrc/parse.h), only where
// each rule's text is: sema parses that text again when it checks the rule. One of the two
// lists is empty.
struct PolicyBlock {
  std::vector<Rule> rules;
  std::vector<Range> deferred;
  Range range;
};

struct Import {
  Name path;
  Range range;
};

using Statement = std::variant<Import, OptionsBlock, SetDef, PortsDef, LinkDef, PolicyBlock>;
Range RangeOf(const Statement& s);

// One parsed buffer.
struct File {
  uint32_t file_id = 0;
  std::vector<Statement> statements;
  std::vector<Comment> comments;  // in source order
};

}  // namespace pbrc::ast
