#include "pbrc/protocols.h"

#include <array>

namespace pbrc {
namespace {

constexpr std::array<Protocol, 10> kProtocols = {{
    {"ah", 51},
    {"esp", 50},
    {"gre", 47},
    {"icmp", 1, true, false, true},
    {"icmpv6", 58, false, true, false},
    {"igmp", 2, true, false, false},
    {"sctp", 132, false, false, true},
    {"tcp", 6, false, false, true},
    {"udp", 17, false, false, true},
    {"udplite", 136},
}};

constexpr bool SortedByName() {
  for (size_t i = 1; i < kProtocols.size(); ++i) {
    if (!(kProtocols[i - 1].name < kProtocols[i].name)) return false;
  }
  return true;
}
static_assert(SortedByName(), "kProtocols must be sorted by name (ClosestName, --help order)");

}  // namespace

std::span<const Protocol> Protocols() { return kProtocols; }

const Protocol* ProtocolByName(std::string_view name) {
  for (const auto& p : kProtocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Protocol* ProtocolByNumber(uint8_t number) {
  for (const auto& p : kProtocols) {
    if (p.number == number) return &p;
  }
  return nullptr;
}

}  // namespace pbrc
