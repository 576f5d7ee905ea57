// Definitions of one program by name; the first definition wins, later ones are duplicates.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pbrc/ast.h"
#include "pbrc/diagnostics.h"
#include "pbrc/parse.h"

namespace pbrc::sema {

struct Symbols {
  std::map<std::string, const ast::SetDef*> sets;
  std::map<std::string, const ast::PortsDef*> ports;
  std::vector<const ast::LinkDef*> links;  // declaration (load) order
  std::map<std::string, const ast::LinkDef*> link_by_name;
  std::vector<const ast::OptionsBlock*> options;
  std::vector<const ast::PolicyBlock*> policies;  // load order

  std::vector<std::string> SetNames() const;
  std::vector<std::string> PortNames() const;
};

Symbols CollectSymbols(const ParsedPolicy& prog, Diagnostics& diags);

}  // namespace pbrc::sema
