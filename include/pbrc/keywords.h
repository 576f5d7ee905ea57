// The policy language's reserved words, one table: fmt quotes a name equal to one of them (or
// to a value match's keyword, include/pbrc/value_matches.h), and tests/cli/cli_test.sh checks
// that the scanner (grammar/lexer.l) reserves exactly these plus the value matches' keywords
// and that docs/language.md lists the same. A new keyword: a row here, a rule in lexer.l (and
// its token in parser.yy), the docs' list.
#pragma once

#include <array>
#include <string_view>

namespace pbrc {

inline constexpr std::array<std::string_view, 41> kKeywords = {
    "import",     "options", "set",       "ports",    "link",     "policy",  "from",
    "to",         "via",     "dev",       "main",     "table",    "file",    "except",
    "device",     "gateway", "address",   "mark",     "mask",     "route",   "nat",
    "masquerade", "snat",    "rp_filter", "strict",   "loose",    "on",      "off",
    "preference", "ids",     "protocol",  "counters", "comments", "proto",   "sport",
    "dport",      "iif",     "oif",       "nft",      "inbound",  "classify"};

}  // namespace pbrc
