// A location-free, comment-free dump of the tree: two files with the same dump mean the same
// policy. Used by the fmt round-trip tests.
#include "pbrc/fmt.h"
#include "print_syntax.h"

namespace pbrc {

std::string DumpAst(const ast::File& file) {
  std::string out;
  for (const auto& st : file.statements) {
    if (auto* imp = std::get_if<ast::Import>(&st)) {
      out += "import " + imp->path.text + "\n";
    } else if (auto* o = std::get_if<ast::OptionsBlock>(&st)) {
      out += "options\n";
      for (const auto& opt : o->options) out += "  " + fmt::OptionText(opt) + "\n";
    } else if (auto* s = std::get_if<ast::SetDef>(&st)) {
      out += "set " + s->name.text + " " + fmt::BodyInline(s->body);
      for (const auto& ex : s->excepts) out += " except " + fmt::BodyInline(ex);
      out += "\n";
    } else if (auto* p = std::get_if<ast::PortsDef>(&st)) {
      out += "ports " + p->name.text + " " + fmt::PortItemsText(p->items) + "\n";
    } else if (auto* l = std::get_if<ast::LinkDef>(&st)) {
      out += "link " + l->name.text + "\n";
      for (const auto& prop : l->props) out += "  " + fmt::LinkPropText(prop) + "\n";
    } else if (auto* pol = std::get_if<ast::PolicyBlock>(&st)) {
      out += "policy\n";
      for (const auto& r : pol->rules) out += "  " + fmt::RuleText(r) + "\n";
    }
  }
  return out;
}

}  // namespace pbrc
