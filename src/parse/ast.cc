// Ranges of the tree's variant nodes.
#include "pbrc/ast.h"

namespace pbrc::ast {

Range RangeOf(const Element& e) {
  return std::visit([](const auto& x) { return x.range; }, e);
}

Range RangeOf(const Statement& s) {
  return std::visit([](const auto& x) { return x.range; }, s);
}

}  // namespace pbrc::ast
