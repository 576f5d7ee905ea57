// The one table-id check: a link's `table N;` and a rule's `via table N` must agree on which
// ids are reserved and which code an out-of-range id gets (E0503, the table-specific one).
#include <cstdint>
#include <optional>

#include "checks.h"

namespace pbrc::sema {

std::optional<uint32_t> CheckTableId(const ast::Number& n, Diagnostics& diags) {
  if (!n.valid) return std::nullopt;
  if (n.value == 0 || n.value == 253 || n.value == 254 || n.value == 255) {
    const char* names[] = {"unspec", "default", "main", "local"};
    int i = n.value == 0 ? 0 : static_cast<int>(n.value) - 252;
    diags
        .Error(Code::kTableReserved, n.range,
               "table id " + n.text + " is reserved for '" + names[i] + "'")
        .help = "pick 1-252 or a number above 255";
    return std::nullopt;
  }
  if (n.value > 0xffffffffULL) {
    diags.Error(Code::kTableOutOfRange, n.range, "table id " + n.text + " is out of range").help =
        "table ids go up to 4294967295";
    return std::nullopt;
  }
  return static_cast<uint32_t>(n.value);
}

}  // namespace pbrc::sema
