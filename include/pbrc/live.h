// The live stage's entry point for the command line: the plan that would bring the kernel
// to a policy. Its readers and helpers are internal (src/live/live.h).
#pragma once

#include <string>

#include "pbrc/ir.h"
#include "pbrc/plan.h"

namespace pbrc::live {

// pbrc's table as the live plan read it (`list table inet TABLE` as libnftables JSON; `json`
// is empty when `exists` is false). Apply's snapshot keeps this listing instead of listing
// the table again: nft 1.0.6 spends about a second per 100k set intervals on each listing.
struct TableListing {
  bool exists = false;
  std::string json;
};

// The plan against the kernel (inside `netns` when not empty; entered after the desired
// ruleset was loaded privately and before anything is read): changes and warnings. With
// `applied` (the policy last applied), changes where the kernel differs from it are drift.
// Returns false with `err` set on a system failure (exit 3).
bool ReadLivePlan(const ir::Program& p, const ir::Program* applied, const std::string& netns,
                  plan::Plan& out, std::string& err);

}  // namespace pbrc::live
