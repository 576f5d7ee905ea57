// Text and facts the IR's users share: what each ip rule kind is for, how an ip rule's
// selectors and a port match are spelled. One switch over IpRuleKind, so a new kind is one
// case here (the compiler lists the switch) rather than one in each emitter.
#include "pbrc/ir.h"
#include "pbrc/text.h"

namespace pbrc::ir {

IpRuleKindInfo Describe(IpRuleKind kind) {
  switch (kind) {
    case IpRuleKind::kOif:
      return {"oif", "sockets bound to a device", PrefSlot::kPerRule};
    case IpRuleKind::kSuppressMain:
      return {"suppress", "specific routes of main (LAN, connected) before marks",
              PrefSlot::kShared};
    case IpRuleKind::kFwmark:
      return {"fwmark", "one rule per mark", PrefSlot::kShared};
    case IpRuleKind::kSelector:
      return {"selector", "policy rules that steer the router itself by destination",
              PrefSlot::kPerRule};
    case IpRuleKind::kLinkAddress:
      return {"link-address", "each uplink's own address", PrefSlot::kPerAddress};
  }
  return {"", "", PrefSlot::kShared};
}

std::string SelectorText(const IpRule& r, uint32_t mark_mask) {
  std::string out;
  if (r.from) out += " from " + FormatPrefix(*r.from);
  if (r.to) out += " to " + FormatPrefix(*r.to);
  if (!r.iif.empty()) out += " iif " + r.iif;
  if (!r.oif.empty()) out += " oif " + r.oif;
  if (r.kind == IpRuleKind::kFwmark) out += " fwmark " + Hex(r.fwmark) + "/" + Hex(mark_mask);
  return out;
}

std::string PortMatchText(const PortMatch& m) {
  std::string out = m.negated ? "!" : "";
  for (size_t i = 0; i < m.ranges.size(); ++i) out += (i ? "," : "") + FormatPortRange(m.ranges[i]);
  return out;
}

}  // namespace pbrc::ir
