// The checks of value matches (pbrc/value_matches.h), one pair of overloads per descriptor,
// defined in check_values.cc:
//   CheckValue(Def, word, diags)     one value as written -> its checked value (nullopt after a
//                                    diagnostic: unknown name, out of range, bad syntax)
//   CheckInRule(Def, match, rule, diags)  what the rule around the match must not combine with
//                                    it; false after a diagnostic
// The rule checker calls them for every descriptor of ValueMatchDefs, so a descriptor without
// its checks does not compile.
#pragma once

#include <cstdint>
#include <optional>

#include "pbrc/ast.h"
#include "pbrc/diagnostics.h"

namespace pbrc::sema {

std::optional<uint64_t> CheckValue(DscpDef, const ast::Name& word, Diagnostics& diags);
bool CheckInRule(DscpDef, const ast::ValueMatch<DscpDef>& m, const ast::Rule& rule,
                 Diagnostics& diags);

std::optional<uint64_t> CheckValue(MacDef, const ast::Name& word, Diagnostics& diags);
bool CheckInRule(MacDef, const ast::ValueMatch<MacDef>& m, const ast::Rule& rule,
                 Diagnostics& diags);

}  // namespace pbrc::sema
