// Collects the definitions of all loaded files in load order; a second definition of a
// name is reported with the first as a secondary range.
#include "symbols.h"

#include "pbrc/text.h"

namespace pbrc::sema {
namespace {

template <typename Def>
bool Define(std::map<std::string, const Def*>& table, const Def& def, const char* what,
            Diagnostics& diags) {
  auto [it, inserted] = table.emplace(def.name.text, &def);
  if (inserted) return true;
  auto& d = diags.Error(Code::kDuplicate, def.name.range,
                        std::string(what) + " '" + Shorten(def.name.text) + "' is defined twice");
  d.secondary.push_back({it->second->name.range, "first defined here"});
  return false;
}

}  // namespace

Symbols CollectSymbols(const ParsedPolicy& prog, Diagnostics& diags) {
  Symbols s;
  for (const auto& file : prog.files) {
    for (const auto& st : file.statements) {
      if (auto* set = std::get_if<ast::SetDef>(&st)) {
        Define(s.sets, *set, "set", diags);
      } else if (auto* ports = std::get_if<ast::PortsDef>(&st)) {
        Define(s.ports, *ports, "port list", diags);
      } else if (auto* link = std::get_if<ast::LinkDef>(&st)) {
        if (Define(s.link_by_name, *link, "link", diags)) s.links.push_back(link);
      } else if (auto* opts = std::get_if<ast::OptionsBlock>(&st)) {
        s.options.push_back(opts);
      } else if (auto* pol = std::get_if<ast::PolicyBlock>(&st)) {
        s.policies.push_back(pol);
      }
    }
  }
  return s;
}

std::vector<std::string> Symbols::SetNames() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : sets) out.push_back(k);
  return out;
}

std::vector<std::string> Symbols::PortNames() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : ports) out.push_back(k);
  return out;
}

}  // namespace pbrc::sema
