// Canonical formatting of one policy file. Keeps every comment; idempotent; the output parses
// to the same tree (tests check both).
#pragma once

#include <string>

#include "pbrc/ast.h"
#include "pbrc/source.h"

namespace pbrc {

constexpr size_t kFmtWidth = 100;

std::string Format(const ast::File& file, const SourceFile& src);

// A location-free dump of the tree, for "parses to the same AST" tests.
std::string DumpAst(const ast::File& file);

}  // namespace pbrc
