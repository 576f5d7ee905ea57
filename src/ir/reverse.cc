// The reversed form of a classification rule: what a reply of the flow it steered looks like.
// Each condition kind says itself (kReply) whether a reply carries it unchanged, swapped, or
// not at all, so a new kind cannot be forgotten here.
#include <algorithm>
#include <type_traits>

#include "pbrc/ir.h"

namespace pbrc::ir {
namespace {

template <class T>
Cond SwappedOf(const T& c) {
  if constexpr (std::is_base_of_v<AddrMatch, T>) {
    return typename T::Swapped{static_cast<const AddrMatch&>(c)};
  } else {
    return typename T::Swapped{static_cast<const PortMatch&>(c)};
  }
}

}  // namespace

Reply Reversed(const Classify& r) {
  Reply out;
  for (const auto& cond : r.conds) {
    std::visit(
        [&](const auto& c) {
          using T = std::decay_t<decltype(c)>;
          if constexpr (T::kReply == ReplyForm::kSame) {
            out.conds.push_back(c);
          } else if constexpr (T::kReply == ReplyForm::kSwapped) {
            out.conds.push_back(SwappedOf(c));
          } else {
            static_assert(T::kReply == ReplyForm::kUnknown);
            out.decidable = false;
          }
        },
        cond);
  }
  std::stable_sort(out.conds.begin(), out.conds.end(),
                   [](const Cond& a, const Cond& b) { return a.index() < b.index(); });
  return out;
}

}  // namespace pbrc::ir
