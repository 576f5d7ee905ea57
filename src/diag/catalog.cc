// The one list of diagnostic codes. Order matches the enum.
#include <stdexcept>

#include "pbrc/diagnostics.h"

namespace pbrc {

const std::vector<CodeInfo>& Catalog() {
  static const std::vector<CodeInfo> kCatalog = {
      {Code::kSyntax, "E0001", "syntax", "the text does not follow the grammar"},
      {Code::kInvalidCharacter, "E0002", "invalid-character",
       "a byte or character that cannot start any token, or invalid UTF-8"},
      {Code::kUnterminatedString, "E0003", "unterminated-string",
       "a string without its closing quote on the same line"},
      {Code::kUnterminatedComment, "E0004", "unterminated-comment",
       "a /* comment without its closing */"},
      {Code::kNumberTooLarge, "E0005", "number-too-large", "a number that does not fit 64 bits"},
      {Code::kInvalidNumber, "E0006", "invalid-number",
       "a token that starts like a number but is neither a number nor an address"},
      {Code::kTooManyErrors, "E0007", "too-many-errors", "reporting stopped after 100 errors"},
      {Code::kUnknownName, "E0101", "unknown-name",
       "a reference to a set, port list, link or module that is not defined"},
      {Code::kDuplicate, "E0102", "duplicate", "a name, option, property or match given twice"},
      {Code::kImportNotFound, "E0103", "import-not-found",
       "an imported file or stdlib module that does not exist"},
      {Code::kImportCycle, "E0104", "import-cycle", "files that import each other"},
      {Code::kListFileError, "E0105", "list-file", "a list file that cannot be read"},
      {Code::kSetCycle, "E0106", "set-cycle", "sets or port lists defined in terms of each other"},
      {Code::kImportTooDeep, "E0107", "import-too-deep", "imports nested more than 64 deep"},
      {Code::kInvalidAddress, "E0201", "invalid-address", "not a valid IPv4 or IPv6 address"},
      {Code::kInvalidPrefixLength, "E0202", "invalid-prefix-length",
       "a prefix length above 32 (IPv4) or 128 (IPv6)"},
      {Code::kHostBitsSet, "E0203", "host-bits-set",
       "a prefix whose address has bits set after the prefix length"},
      {Code::kInvalidRange, "E0204", "invalid-range",
       "a range whose start is above its end, or whose ends are of different families"},
      {Code::kFamilyMix, "E0205", "family-mix", "IPv4 and IPv6 mixed where one family is needed"},
      {Code::kEmptySet, "E0206", "empty-set", "a set with no elements"},
      {Code::kPortsNeedProtocol, "E0301", "ports-need-protocol",
       "a port match without proto tcp, udp or sctp"},
      {Code::kOutOfRange, "E0302", "out-of-range", "a number outside its allowed range"},
      {Code::kUnknownProtocol, "E0303", "unknown-protocol", "a protocol name pbrc does not know"},
      {Code::kMarkZero, "E0401", "mark-zero", "mark 0 means unmarked and cannot route"},
      {Code::kMarkOutsideMask, "E0402", "mark-outside-mask",
       "a mark with bits outside the mark mask"},
      {Code::kMarkReused, "E0403", "mark-reused", "two links with the same mark"},
      {Code::kInvalidMask, "E0404", "invalid-mask", "a mark mask of zero"},
      {Code::kMarksExhausted, "E0405", "marks-exhausted",
       "more routing targets than the mark mask has values"},
      {Code::kTableReserved, "E0501", "table-reserved",
       "table ids 0, 253, 254 and 255 are the kernel's"},
      {Code::kTableReused, "E0502", "table-reused", "two links with the same table id"},
      {Code::kTableOutOfRange, "E0503", "table-out-of-range", "a table id outside 1-4294967295"},
      {Code::kTablesExhausted, "E0504", "tables-exhausted",
       "no free table id left in the automatic range"},
      {Code::kIfnameTooLong, "E0601", "ifname-too-long", "an interface name longer than 15 bytes"},
      {Code::kIfnameInvalid, "E0602", "ifname-invalid",
       "an interface name the kernel or an artifact's syntax does not allow"},
      {Code::kLinkIncomplete, "E0701", "link-incomplete",
       "a link without a device, or with two gateways of one family"},
      {Code::kBadOption, "E0702", "bad-option", "an option with an invalid value"},
      {Code::kPreferenceBand, "E0703", "preference-band",
       "a rule-preference band that is invalid or too small"},
      {Code::kNatNeedsAddress, "E0704", "nat-needs-address",
       "snat to the link's address on a link with no address of that family"},
      {Code::kOifRule, "E0705", "oif-rule",
       "an oif rule combined with matches that ip rule cannot express"},
      {Code::kNoRoute, "W0801", "no-route", "a rule can match a family its link has no route for"},
      {Code::kUnusedName, "W0802", "unused", "a set, port list or link that nothing uses"},
      {Code::kSetTooDeep, "E0108", "set-too-deep", "sets or port lists nested more than 256 deep"},
      {Code::kIifPinned, "W0803", "iif-pinned",
       "a rule's input device is the device of its own link, which pins inbound connections"},
      {Code::kRouteConflict, "E0706", "route-conflict",
       "two routes of one link to the same destination, or a default route beside the link's "
       "own"},
      {Code::kIfnameWildcard, "E0603", "ifname-wildcard",
       "an interface name with nft's '*' wildcard, which ip rule cannot express"},
      {Code::kControlInString, "E0110", "control-in-string",
       "a string with a control byte (NUL, tab, escape, ...)"},
      {Code::kPacketSyntax, "E0901", "packet-syntax",
       "a packet given to 'pbrc explain' that cannot be read"},
      {Code::kShadowed, "W0901", "shadowed",
       "lint: a rule that can never match, because earlier rules take all its packets"},
      {Code::kOverlap, "W0902", "overlap",
       "lint: a rule that partly overlaps an earlier rule with a different target"},
      {Code::kNoEffect, "W0903", "no-effect",
       "lint: a 'via main' rule that changes nothing, because nothing after it overrides it"},
      {Code::kRouterTraffic, "W0904", "router-traffic",
       "lint: an address-less rule that also steers the router's own DNS, DHCP and NTP"},
      {Code::kMarkCollision, "W0905", "mark-collision",
       "lint: the mark mask shares bits with what other routing software uses (or, with --live, "
       "writes)"},
      {Code::kPreferenceCollision, "W0906", "preference-collision",
       "lint: the ip rule preference band overlaps other routing software's (or, with --live, "
       "holds foreign rules)"},
      {Code::kTableCollision, "W0907", "table-collision",
       "lint: a routing table id other routing software uses (or, with --live, holds foreign "
       "routes)"},
  };
  return kCatalog;
}

const CodeInfo& Info(Code code) {
  const auto& c = Catalog();
  size_t i = static_cast<size_t>(code);
  if (i >= c.size() || c[i].code != code) throw std::logic_error("catalog out of order");
  return c[i];
}

}  // namespace pbrc
