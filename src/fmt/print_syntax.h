// Text of the small syntax pieces, shared by the formatter and the tree dump.
#pragma once

#include <string>

#include "pbrc/ast.h"

namespace pbrc::fmt {

std::string NameText(const ast::Name& n);  // bare identifier when possible, else quoted
// A policy-language string literal: `"` and `\` escaped with a backslash.
std::string QuotedPolicyString(const std::string& s);
std::string ElementText(const ast::Element& e);
std::string BodyInline(const ast::SetBody& b);  // "{ a, b }" or "a"
std::string PortItemsText(const std::vector<ast::PortItem>& items);
std::string OptionText(const ast::Option& o);
std::string LinkPropText(const ast::LinkProp& p);
std::string MatchText(const ast::Match& m);
std::string TargetText(const ast::Target& t);
std::string RuleText(const ast::Rule& r);

}  // namespace pbrc::fmt
