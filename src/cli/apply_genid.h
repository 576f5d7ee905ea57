// What the nftables generation id proves before an apply (docs/architecture.md, "Trusting
// the generation id"): when it equals the id recorded right after the current generation's
// own commit, the kernel's table is exactly that generation's, and apply plans from it
// instead of listing the table (a listing walks every set element).
#pragma once

#include <optional>

#include "pbrc/apply.h"
#include "pbrc/ir.h"
#include "pbrc/plan.h"

namespace pbrc::cli {

struct KnownTable {
  std::optional<uint32_t> genid;  // read before the plan (nullopt: unreadable)
  // The recorded generation's name, when the id proves its table live.
  std::optional<std::string> generation;
  // Its desired state (the plan's current nft side): from its nft-state record, else compiled
  // again from its sources.
  plan::State state;
  std::string listing_text;  // the nft text its listed objects came from (DesiredState)
};

// `listing_only`: do not trust the record (a retry after a refused batch).
KnownTable ProveTable(const apply::Target& t, std::optional<apply::Generation>& cur,
                      bool listing_only, const apply::Say& say);

// After a listing that matched generation `gen` exactly: when the id is still `before` (the
// one read before the listing), it is recorded for `gen`, so the next apply trusts it.
void RecordUnchanged(const apply::Target& t, const std::string& gen, std::optional<uint32_t> before,
                     const apply::Say& say);

}  // namespace pbrc::cli
