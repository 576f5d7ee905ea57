// Backends: each turns an allocated IR program into one artifact's text. The nft artifacts
// grow with the rules (hundreds of MB at a million), so they stream into a Sink; the others
// are bounded by links and ip rules and come back whole.
#pragma once

#include <string>

#include "pbrc/ir.h"
#include "pbrc/regions.h"
#include "pbrc/sink.h"

namespace pbrc::emit {

void NftText(const ir::Program& p, Sink& out);  // for `nft -f`
void NftJson(const ir::Program& p, Sink& out);  // for `nft -j -f` / libnftables
std::string NftText(const ir::Program& p);      // the whole script (diff, tests)
std::string NftJson(const ir::Program& p);      // the whole JSON document
// NftText with the classification plan `plans` instead of `p`'s own: `p` is a program whose
// sets were trimmed (a private listing of the table), `plans` the plan of the program with
// its sets whole, so the maps and the lookup rules are the policy's own.
std::string NftText(const ir::Program& p, std::array<ir::ClassifyPlan, 2> plans);
// NftText with the table dormant (its hooks do nothing) and the named sets empty: `apply`
// loads this, then fills the sets and wakes the table in one netlink batch.
std::string NftTextStaged(const ir::Program& p);
std::string IpBatch(const ir::Program& p, Family f);  // for `ip -batch` / `ip -6 -batch`
std::string Sysctl(const ir::Program& p);             // a sysctl.d fragment

}  // namespace pbrc::emit
