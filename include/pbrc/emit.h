// Backends: each turns an allocated IR program into one artifact's text.
#pragma once

#include <string>

#include "pbrc/ir.h"

namespace pbrc::emit {

std::string NftText(const ir::Program& p);  // for `nft -f`
// NftText with the table dormant (its hooks do nothing) and the named sets empty: `apply`
// loads this, then fills the sets and wakes the table in one netlink batch.
std::string NftTextStaged(const ir::Program& p);
std::string NftJson(const ir::Program& p);            // for `nft -j -f` / libnftables
std::string IpBatch(const ir::Program& p, Family f);  // for `ip -batch` / `ip -6 -batch`
std::string Sysctl(const ir::Program& p);             // a sysctl.d fragment

}  // namespace pbrc::emit
