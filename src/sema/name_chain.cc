#include "name_chain.h"

#include <algorithm>

namespace pbrc::sema {

bool NameChain::Enter(const std::string& name, Range use, Diagnostics& diags) {
  auto cyc = std::find(active_.begin(), active_.end(), name);
  if (cyc != active_.end()) {
    auto& d =
        diags.Error(Code::kSetCycle, use, kind_ + " '" + name + "' is defined in terms of itself");
    for (auto it = cyc; it != active_.end(); ++it) {
      d.notes.push_back("'" + *it + "' uses '" + (it + 1 != active_.end() ? *(it + 1) : name) +
                        "'");
    }
    return false;
  }
  if (active_.size() >= kMaxDepth) {
    diags
        .Error(Code::kSetTooDeep, use,
               kind_ + "s nested more than " + std::to_string(kMaxDepth) + " deep")
        .help = "flatten the chain of " + kind_ + "s";
    return false;
  }
  active_.push_back(name);
  return true;
}

}  // namespace pbrc::sema
