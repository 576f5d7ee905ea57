// Matches whose value is a list of words or numbers, one descriptor each (like a row of
// nftables' header field tables): its keyword, how an `ip rule`, a reply and the nft artifact
// treat it. The grammar, the AST, the model, the IR and the nft builder handle every
// descriptor of `ValueMatchDefs` through these members, so a new one is a descriptor plus
// its value check (src/sema/check_values.cc); docs/architecture.md, "How to add a match".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "pbrc/address.h"

namespace pbrc {

// What a condition becomes in the reversed rule that recognises a reply of its flow.
enum class ReplyForm {
  kSame,     // the reply carries the same value (proto)
  kSwapped,  // source and destination trade places (addresses, ports)
  kUnknown,  // the reply cannot show it (iif): dropped, and the rule never ends the reply walk
};

// Where nft finds the field: `PROTOCOL FIELD` (`ip dscp`, `ether saddr`).
struct NftField {
  const char* protocol;
  const char* field;
};

// Every descriptor provides:
//   kKeyword                 the policy keyword
//   kIpRuleExpressible       whether `ip rule` can express it (else the rule is nft-only)
//   kReply                   its ReplyForm
//   kNeedsFamily             nft names it per family: a rule without addresses is split
//   kJsonNumber              nft JSON writes values as numbers (else as strings)
//   Field(family)            the nft field
//   Text(value)              a checked value as nft, `--emit ir` and the plan print it
template <class... Defs>
struct DefList {};

// `dscp ef, af41, 10`: the Differentiated Services code point (RFC 2474), both families.
// nft only: `ip rule tos` is IPv4 only and compares the whole TOS byte. A server need not
// answer in the class it was asked in, so a reply cannot show it.
struct DscpDef {
  static constexpr std::string_view kKeyword = "dscp";
  static constexpr bool kIpRuleExpressible = false;
  static constexpr ReplyForm kReply = ReplyForm::kUnknown;
  static constexpr bool kNeedsFamily = true;
  static constexpr bool kJsonNumber = true;
  static NftField Field(std::optional<Family> f) {
    return {f == Family::kV6 ? "ip6" : "ip", "dscp"};
  }
  static std::string Text(uint64_t v) { return std::to_string(v); }
};

// `mac 02:00:5e:10:00:01`: the source MAC address of forwarded traffic (`ether saddr`); `ip
// rule` has no such selector. A reply's source MAC is its last hop's (the uplink gateway's),
// never the client's, so a reply cannot show it. The router's own packets have none: an oif
// rule with `mac` is an error (E0306), and other rules never match them in output.
struct MacDef {
  static constexpr std::string_view kKeyword = "mac";
  static constexpr bool kIpRuleExpressible = false;
  static constexpr ReplyForm kReply = ReplyForm::kUnknown;
  static constexpr bool kNeedsFamily = false;
  static constexpr bool kJsonNumber = false;
  static NftField Field(std::optional<Family>) { return {"ether", "saddr"}; }
  static std::string Text(uint64_t v) {  // 48 bits as 02:00:5e:10:00:01
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int shift = 40; shift >= 0; shift -= 8) {
      if (shift != 40) out += ':';
      out += kHex[(v >> (shift + 4)) & 0xf];
      out += kHex[(v >> shift) & 0xf];
    }
    return out;
  }
};

using ValueMatchDefs = DefList<DscpDef, MacDef>;

// std::variant<Fixed..., Wrap<Def>...> for the descriptors of ValueMatchDefs: each layer's
// closed set of match alternatives.
template <template <class> class Wrap, class Fixed, class List = ValueMatchDefs>
struct WithValueMatches;
template <template <class> class Wrap, class... Fixed, class... Defs>
struct WithValueMatches<Wrap, std::variant<Fixed...>, DefList<Defs...>> {
  using type = std::variant<Fixed..., Wrap<Defs>...>;
};

// The index in ValueMatchDefs of the descriptor with keyword `word`, or -1.
template <class... Defs>
int ValueMatchIndexIn([[maybe_unused]] std::string_view word, DefList<Defs...>) {
  int i = 0, found = -1;
  ((Defs::kKeyword == word ? found = i : 0, ++i), ...);
  return found;
}
inline int ValueMatchIndex(std::string_view word) {
  return ValueMatchIndexIn(word, ValueMatchDefs{});
}

}  // namespace pbrc
