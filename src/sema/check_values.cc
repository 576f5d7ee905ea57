// The value checks of each value match (check_values.h).
#include "check_values.h"

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "pbrc/text.h"

namespace pbrc::sema {
namespace {

// A word written as a number (decimal or 0x hex); nullopt when it is not one. Values past
// 2^32 come back as 2^32, so the caller can say "out of range".
std::optional<uint64_t> WordNumber(const std::string& text) {
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  std::string_view digits = std::string_view(text).substr(hex ? 2 : 0);
  const char* allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
  if (digits.empty() || digits.find_first_not_of(allowed) != std::string_view::npos)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : digits) {
    uint64_t d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = v * (hex ? 16 : 10) + d;
    if (v > (uint64_t{1} << 32)) return uint64_t{1} << 32;
  }
  return v;
}

struct DscpName {
  const char* name;
  uint8_t value;
};
// RFC 2474 (cs*, be/df = default), RFC 2597 (af*), RFC 3246 (ef).
constexpr DscpName kDscpNames[] = {
    {"be", 0},    {"df", 0},    {"cs0", 0},   {"cs1", 8},   {"af11", 10}, {"af12", 12},
    {"af13", 14}, {"cs2", 16},  {"af21", 18}, {"af22", 20}, {"af23", 22}, {"cs3", 24},
    {"af31", 26}, {"af32", 28}, {"af33", 30}, {"cs4", 32},  {"af41", 34}, {"af42", 36},
    {"af43", 38}, {"cs5", 40},  {"ef", 46},   {"cs6", 48},  {"cs7", 56},
};

}  // namespace

std::optional<uint64_t> CheckValue(DscpDef, const ast::Name& word, Diagnostics& diags) {
  for (const auto& n : kDscpNames) {
    if (word.text == n.name) return n.value;
  }
  if (auto v = WordNumber(word.text)) {
    if (*v <= 63) return *v;
    diags.Error(Code::kOutOfRange, word.range, "dscp " + word.text + " is out of range").help =
        "use a value from 0 to 63, or a name (ef, af11-af43, cs0-cs7, be)";
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const auto& n : kDscpNames) names.emplace_back(n.name);
  auto& d =
      diags.Error(Code::kUnknownDscp, word.range, "unknown dscp name '" + Shorten(word.text) + "'");
  std::string near = ClosestName(word.text, names);
  d.help = near.empty() ? "use a name (ef, af11-af43, cs0-cs7, be) or a number 0-63"
                        : "did you mean '" + near + "'?";
  return std::nullopt;
}

bool CheckInRule(DscpDef, const ast::ValueMatch<DscpDef>&, const ast::Rule&, Diagnostics&) {
  return true;  // routes the router's own packets as well as forwarded ones
}

namespace {

// Six two-digit hex bytes separated by ':' (how nft and `ip link` print them).
std::optional<uint64_t> ParseMac(const std::string& text) {
  if (text.size() != 17) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i % 3 == 2) {
      if (c != ':') return std::nullopt;
      continue;
    }
    if (!isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v << 4 | static_cast<uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

}  // namespace

std::optional<uint64_t> CheckValue(MacDef, const ast::Name& word, Diagnostics& diags) {
  auto v = ParseMac(word.text);
  if (!v) {
    diags.Error(Code::kInvalidMac, word.range, "invalid MAC address '" + Shorten(word.text) + "'")
        .help = "write six two-digit hex bytes separated by ':', e.g. '02:00:5e:10:00:01'";
    return std::nullopt;
  }
  if (*v >> 40 & 1) {  // the I/G bit of the first byte
    diags.Error(Code::kInvalidMac, word.range, "'" + word.text + "' is a multicast MAC address")
        .notes.push_back("a packet's source MAC address is never a group address");
    return std::nullopt;
  }
  return v;
}

bool CheckInRule(MacDef, const ast::ValueMatch<MacDef>& m, const ast::Rule& rule,
                 Diagnostics& diags) {
  for (const auto& other : rule.matches) {
    const auto* oif = std::get_if<ast::OifMatch>(&other);
    if (!oif) continue;
    auto& d =
        diags.Error(Code::kMacInOutput, m.range, "'mac' never matches the router's own traffic");
    d.secondary.push_back({oif->range, "sockets bound to a device: the router's own traffic"});
    d.notes.push_back("a packet the router sends has no source MAC address to match");
    d.help = "match 'mac' in a rule without 'oif': it steers forwarded traffic";
    return false;
  }
  return true;
}

}  // namespace pbrc::sema
