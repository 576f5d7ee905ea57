// The lint findings as diagnostics (findings.cc) and the checks that need no rule spaces:
// values other routing software uses (foreign_software.cc).
#pragma once

#include <vector>

#include "rule_space.h"

namespace pbrc::analysis {

// Emits one finding per call; a rule whose source line carries `# pbrc: allow CODE` (codes
// separated by spaces or commas) silences that code on that rule.
struct Findings {
  const ir::Program& p;
  const SourceManager& sm;
  Diagnostics& diags;
  const Devices& devs;

  void Shadowed(size_t rule, const std::vector<size_t>& covering);
  void Overlap(size_t rule, size_t earlier, const Packet& witness);
  void NoEffect(size_t rule);
  void RouterTraffic(size_t rule, const Packet& witness);
};

// The router's own packets from each link address (`from ADDR lookup TABLE` takes them).
std::vector<Space> LinkAddressSpaces(const ir::Program& p, Family f);
// The router's own DNS, DHCP and NTP towards local networks (private, link-local, broadcast,
// multicast): what an address-less rule should not steer to an uplink.
Space RouterServiceSpace(Family f);
// Whether `# pbrc: allow CODE` on the line of `r` silences `code`.
bool Allowed(const SourceManager& sm, const Range& r, Code code);

// W0905-W0907: mark bits, preference band and table ids that other software uses.
void CheckForeignSoftware(const ir::Program& p, Diagnostics& diags);

}  // namespace pbrc::analysis
