// A small structured form of the nft ruleset pbrc emits. Built once from the IR, then
// rendered as nft text and as libnftables JSON, so the two cannot drift apart.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pbrc/ir.h"

namespace pbrc::nft {

struct MatchAddr {
  Family family;
  bool source;
  bool negated;
  std::string set;        // "@name" when not empty
  IntervalList elements;  // otherwise
};
struct MatchNfproto {
  Family family;
};
struct MatchL4proto {
  std::vector<uint8_t> protos;
};
struct MatchPorts {
  bool source;
  bool negated;
  std::vector<PortRange> ranges;
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
struct Masquerade {};
struct Snat {
  Family family;
  Addr to;
};
using Stmt = std::variant<MatchAddr, MatchNfproto, MatchL4proto, MatchPorts, MatchIfname, MatchMark,
                          MatchCtState, SetMark, Counter, Jump, Goto, Return, Masquerade, Snat>;

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

struct Chain {
  std::string name;
  std::optional<Hook> hook;
  std::vector<Rule> rules;
};

struct Table {
  std::string name;
  std::vector<ir::Set> sets;
  std::vector<Chain> chains;
};

Table Build(const ir::Program& p);
// `staged`: the table dormant and its sets without elements (NftTextStaged).
std::string RenderText(const Table& t, const ir::Program& p, bool staged = false);
std::string RenderJson(const Table& t);

const char* ProtoName(uint8_t proto);  // "tcp", or nullptr for numbers without a name

}  // namespace pbrc::nft
