// Small value types that several stages share: the AST names them, the model checks them and
// the IR carries them. Defined once here, below every stage, so the IR needs nothing from
// ast.h or model.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pbrc/source.h"

namespace pbrc {

enum class NatKind { kMasquerade, kSnat };

struct PortRange {
  uint16_t lo, hi;
  friend bool operator==(const PortRange&, const PortRange&) = default;
};
// "80" or "8000-8080": how the policy, nft and the IR write a port range.
inline std::string FormatPortRange(const PortRange& r) {
  return r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi);
}

// Where a checked rule steers (the model) and what a routing destination is (the IR).
enum class TargetKind { kLink, kTable, kMain };

// How the classification chains are built: verdict maps of disjoint regions where the rules
// allow it (pbrc/regions.h, the default), or one nft rule per policy rule (the reference form).
enum class ClassifyForm { kLinear, kMaps };

// The policy's `options`, checked; the IR keeps them for allocation and the emitters.
struct Options {
  std::string nft_table = "pbr";
  uint32_t mark_mask = 0xff;
  uint32_t pref_lo = 10000, pref_hi = 10099;
  uint32_t table_lo = 1000, table_hi = 1999;
  uint32_t protocol = 250;
  bool counters = false;
  bool comments = true;
  ClassifyForm classify = ClassifyForm::kMaps;
  // Where the options were given, for allocation diagnostics.
  std::optional<Range> mask_range, pref_range, table_ids_range;
};

}  // namespace pbrc
