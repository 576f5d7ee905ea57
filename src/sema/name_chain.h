// The chain of named definitions being evaluated (sets, port lists): a name met again while
// it is on the chain is a cycle; a chain longer than kMaxDepth is reported as too deep. One
// guard for every kind of named list, so an acyclic chain is never called a cycle.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pbrc/diagnostics.h"

namespace pbrc::sema {

class NameChain {
 public:
  static constexpr size_t kMaxDepth = 256;

  // `kind` names the definitions in messages ("set", "port list").
  explicit NameChain(std::string_view kind) : kind_(kind) {}

  // Pushes `name` used at `use`; false (after a diagnostic) on a cycle or a too-deep chain.
  bool Enter(const std::string& name, Range use, Diagnostics& diags);
  void Leave() { active_.pop_back(); }
  bool empty() const { return active_.empty(); }
  const std::string& back() const { return active_.back(); }

 private:
  std::string kind_;
  std::vector<std::string> active_;
};

}  // namespace pbrc::sema
