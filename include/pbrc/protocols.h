// The IP protocols the policy language names: one table read by sema (names), the model
// (which family a protocol pins a rule to) and the nft emitters (which names nft prints).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace pbrc {

struct Protocol {
  std::string_view name;
  uint8_t number;
  bool v4_only = false;  // exists in IPv4 only (icmp, igmp)
  bool v6_only = false;  // exists in IPv6 only (icmpv6)
  // nft resolves this name itself, without /etc/protocols quirks; others stay numeric.
  bool nft_name = false;
};

// Sorted by name.
std::span<const Protocol> Protocols();
const Protocol* ProtocolByName(std::string_view name);
const Protocol* ProtocolByNumber(uint8_t number);

}  // namespace pbrc
