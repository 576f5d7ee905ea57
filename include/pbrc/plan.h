// The plan: what applying a policy would change, as data. Two states of pbrc's objects (the
// desired one from a compiled policy, the current one from another policy or the kernel) are
// put in one comparable form and matched by identity, never by text position. Renderers
// (text, JSON "pbrc-plan/1", markdown) only format a Plan.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pbrc/address.h"
#include "pbrc/ir.h"

namespace pbrc::plan {

// Render order of the groups.
// kMap: a verdict map of `classify maps;` (its elements, read from a listing, are its attrs).
enum class Kind { kTable, kSet, kChain, kRule, kIpRule, kRoute, kNat, kSysctl, kMap };
const char* KindName(Kind k);    // "set", "rule", "ip-rule", ...
const char* GroupTitle(Kind k);  // "sets", "rules", "ip rules", ...
// The kinds that live in pbrc's nft table (the others: ip rules, routes, sysctls).
inline bool IsNftKind(Kind k) {
  return k != Kind::kIpRule && k != Kind::kRoute && k != Kind::kSysctl;
}

// One object pbrc owns. Invariant: `key` (its identity) is unique within its kind; two
// objects with the same key are equal when `attrs` and `elements` are equal.
// `elements` is shared, never copied: a million-interval set is one buffer whether it sits
// in the IR, in both sides of a plan, in its changes or in the apply's element batch.
struct Object {
  Kind kind = Kind::kTable;
  std::string key;        // e.g. "rule 3 ip classify", "ip pref 10001 fwmark 0x1/0xff"
  std::string attrs;      // everything that is not identity, canonical text
  std::string origin;     // "file:line" for people; never compared
  IntervalList elements;  // sets only: normalized
};

// All objects of one side, sorted by (kind, key in natural order: "rule 2" < "rule 10").
struct State {
  std::vector<Object> objects;
};

// The comparable form of an allocated IR program.
State FromProgram(const ir::Program& p);
// Sorts a state and makes keys unique (a repeated key gets " #2", " #3", ...), so that a
// state read from anywhere can be diffed.
void SortState(State& s);
// Strings compared with digit runs as numbers: "pref 9" < "pref 10".
bool NaturalLess(const std::string& a, const std::string& b);

// How AlignRules reads rule keys on both sides.
struct AlignOptions {
  // Rules are aligned within a group (an nft chain, a family's classify list).
  std::function<std::string(const std::string& key)> group;
  // A key that names the rule whatever its place (a rule id from the nft comment): such
  // rules match by key alone, the others by content and order.
  std::function<bool(const std::string& key)> identity = [](const std::string&) { return false; };
  // Appended to the key of a current rule no desired rule corresponds to: always, or only
  // when a desired rule has that key (OLD's rule 3 removed while NEW has another rule 3).
  std::string unmatched_suffix;
  bool always_mark = false;
};
// Rekeys `current`'s rules to the desired rules they correspond to by content and order
// (src/plan/align_rules.cc), so one inserted rule is one add, not a change of every rule
// after it. Keys must be unique on each side.
void AlignRules(State& desired, State& current, const AlignOptions& o);
// AlignRules for two FromProgram states, whose rule ids are positions in their own policy:
// rules align per family by content; an OLD rule nothing in NEW corresponds to keeps its
// key, with " (old)" when NEW has a rule of that id. Both states come back sorted.
void AlignPolicyRules(State& desired, State& current);

enum class Op { kAdd, kChange, kRemove };
const char* OpName(Op op);  // "add", "change", "remove"

// One difference. For sets, `added`/`removed` are the element intervals to add or remove
// (all elements for a set added or removed); for the others `before`/`after` are attrs.
struct Change {
  Op op = Op::kAdd;
  Kind kind = Kind::kTable;
  std::string key;
  std::string before, after;
  std::string origin;           // of the desired object, or of the current one when it is removed
  IntervalList added, removed;  // a whole set's are its object's elements, shared
  // Live plans with the policy last applied: the kernel differs from it here, by hand.
  bool drift = false;
};

struct Plan {
  std::string desired;          // what the plan moves to: a file name
  std::string current;          // what it moves from: a file name, or "kernel"
  std::vector<Change> changes;  // in State order
  // Things outside pbrc's objects that can interfere with them; never changes.
  std::vector<std::string> warnings;
  size_t Count(Op op) const;
  bool Empty() const { return changes.empty(); }
};

// Everything `current` must change to become `desired` (a set on one side only shares its
// elements with the change, nothing is copied).
Plan Diff(const State& desired, const State& current);
// The plan between two policies (`diff OLD NEW`): their states with rules aligned
// (AlignPolicyRules), then Diff.
Plan DiffPolicies(const ir::Program& desired, const ir::Program& current);

struct RenderOptions {
  bool color = false;  // ANSI colour (text only)
  bool full = false;   // every set element, not only the first few
};
inline constexpr size_t kFirstElements = 5;  // shown per set and direction without --full

// "plan: 3 to add, 1 to change, 2 to remove"
std::string Summary(const Plan& p);
std::string RenderText(const Plan& p, const RenderOptions& o);
std::string RenderJson(const Plan& p, const RenderOptions& o);
std::string RenderMarkdown(const Plan& p, const RenderOptions& o);

// A map's attrs: its key, data and flags line, and its element lines (sorted, each one
// element as libnftables JSON), viewing `attrs`.
struct MapLines {
  std::string_view header;
  std::vector<std::string_view> elements;
};
MapLines SplitMap(std::string_view attrs);
// The element lines of a map change that only the desired side has (`added`) or only the
// current one (`removed`); they view the change's attrs.
void MapElementDiff(const Change& c, std::vector<std::string_view>& added,
                    std::vector<std::string_view>& removed);
// One element line in nft's notation: `10.0.0.0/8 . 0.0.0.0/0 comment "..." : goto mark_t0`.
std::string MapElementText(std::string_view line);

// Text safe for a terminal or a markdown cell: control bytes become "\xNN".
std::string Printable(const std::string& s);

}  // namespace pbrc::plan
