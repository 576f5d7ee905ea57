// Checks address literals: valid syntax, prefix length in range, no host bits, ordered ranges.
#pragma once

#include <optional>

#include "pbrc/address.h"
#include "pbrc/ast.h"
#include "pbrc/diagnostics.h"

namespace pbrc::sema {

std::optional<Addr> CheckAddr(const ast::AddrText& a, Diagnostics& diags);
std::optional<Prefix> CheckPrefix(const ast::PrefixElem& p, Diagnostics& diags);
std::optional<Interval> CheckRange(const ast::RangeElem& r, Diagnostics& diags);

}  // namespace pbrc::sema
