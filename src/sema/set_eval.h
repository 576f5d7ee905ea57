// Evaluates set expressions to normalized addresses: named sets (memoized, cycles reported),
// inline lists, list files (read once each) and `except` differences. Values are shared: a
// set or list file used by many rules (or alone in another set) is stored once.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "name_chain.h"
#include "pbrc/model.h"
#include "symbols.h"

namespace pbrc::sema {

class SetEvaluator {
 public:
  static constexpr size_t kMaxDepth = NameChain::kMaxDepth;

  SetEvaluator(const Symbols& syms, SourceManager& sm, Diagnostics& diags, FileReader& reader)
      : syms_(syms), sm_(sm), diags_(diags), reader_(reader) {}

  // The value of set `name` referenced at `use`; nullptr when unknown or in error.
  const model::AddrValue* Named(const std::string& name, Range use);
  // The value of a set body with its excepts; nullopt after errors.
  std::optional<model::AddrValue> Eval(const ast::SetBody& body,
                                       const std::vector<ast::SetBody>& excepts);
  // Sets referenced from rules, directly or through other sets.
  std::set<std::string> Used() const;

 private:
  // Intervals of a body as collected, before normalization.
  struct Parts {
    std::vector<Interval> v4, v6;
  };
  std::optional<model::AddrValue> Body(const ast::SetBody& body);
  bool Element(const ast::Element& e, Parts& out);
  // The value of a `set NAME` or `file "PATH"` element; nullptr after errors.
  const model::AddrValue* Ref(const ast::Element& e);
  const model::AddrValue* ListFile(const ast::FileRef& ref);

  const Symbols& syms_;
  SourceManager& sm_;
  Diagnostics& diags_;
  FileReader& reader_;
  std::map<std::string, std::optional<model::AddrValue>> named_;
  std::map<std::string, std::optional<model::AddrValue>> files_;
  NameChain chain_{"set"};
  std::set<std::string> roots_;
  std::map<std::string, std::set<std::string>> deps_;
};

}  // namespace pbrc::sema
