// Backends: each turns an allocated IR program into one artifact's text.
#pragma once

#include <string>

#include "pbrc/ir.h"

namespace pbrc::emit {

std::string NftText(const ir::Program& p);            // for `nft -f`
std::string NftJson(const ir::Program& p);            // for `nft -j -f` / libnftables
std::string IpBatch(const ir::Program& p, Family f);  // for `ip -batch` / `ip -6 -batch`
std::string Sysctl(const ir::Program& p);             // a sysctl.d fragment

}  // namespace pbrc::emit
