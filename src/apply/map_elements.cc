// Map elements as netlink bytes: the plan holds a verdict map (`classify maps;`) as the
// kernel lists it (src/live/nft_objects.cc: a header line, then one libnftables JSON element
// a line), and apply updates a map in place from those lines. Each element is encoded the
// way nft 1.0.6 sends it (checked with `nft --debug=netlink add element` and by
// tests/kernel/maps_apply.sh against a fresh load): the concatenated key with every field in
// network order, padded to 4 bytes (the kernel's register size), the range's last key in
// NFTA_SET_ELEM_KEY_END for an interval map, the verdict and its chain, and the comment as
// element user data. No counter is sent: the kernel gives a new element the map's own
// expressions (the map is declared with `counter` under `counters on;`).
#include <netdb.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "internal.h"
#include "pbrc/protocols.h"

namespace pbrc::apply {
namespace {

using json = nlohmann::json;

// One key field of the maps pbrc emits (any other key, e.g. ifname, is refused: the table is
// then replaced): its width in the key (before padding) and how a value of it is read.
struct Field {
  enum Type { kV4, kV6, kProto, kService } type;
  size_t width;
};

std::optional<Field> FieldOf(const std::string& type) {
  if (type == "ipv4_addr") return Field{Field::kV4, 4};
  if (type == "ipv6_addr") return Field{Field::kV6, 16};
  if (type == "inet_proto") return Field{Field::kProto, 1};
  if (type == "inet_service") return Field{Field::kService, 2};
  return std::nullopt;
}

void PutNumber(std::string& out, U128 v, size_t width) {
  for (size_t i = width; i-- > 0;) out.push_back(static_cast<char>(uint8_t(v >> (8 * i))));
}

// A protocol as nft prints it: its number, or its name in /etc/protocols (nft names it
// from there), or a name of pbrc's own table.
std::optional<U128> ProtoValue(const json& v) {
  if (v.is_number_unsigned() && v.get<uint64_t>() <= 255) return v.get<uint64_t>();
  if (!v.is_string()) return std::nullopt;
  std::string name = v.get<std::string>();
  protoent ent{}, *found = nullptr;
  char buf[1024];
  if (getprotobyname_r(name.c_str(), &ent, buf, sizeof buf, &found) == 0 && found)
    return U128(found->p_proto);
  if (const Protocol* p = ProtocolByName(name)) return U128(p->number);
  return std::nullopt;
}

// The lowest and highest value of one field as listed: a value, a prefix or a range.
bool Bounds(const Field& f, const json& v, U128& lo, U128& hi) {
  if (v.is_object() && v.contains("range") && v["range"].is_array() && v["range"].size() == 2) {
    U128 a = 0, b = 0, c = 0, d = 0;
    if (!Bounds(f, v["range"][0], a, b) || !Bounds(f, v["range"][1], c, d)) return false;
    lo = a, hi = d;
    return lo <= hi;
  }
  if (f.type == Field::kV4 || f.type == Field::kV6) {
    Family fam = f.type == Field::kV4 ? Family::kV4 : Family::kV6;
    if (v.is_object() && v.contains("prefix")) {
      auto a = ParseAddr(v["prefix"].value("addr", ""));
      int len = v["prefix"].value("len", -1);
      if (!a || a->family != fam || len < 0 || len > Bits(fam)) return false;
      Interval iv = ToInterval(Prefix{*a, len});
      lo = iv.lo, hi = iv.hi;
      return true;
    }
    auto a = v.is_string() ? ParseAddr(v.get<std::string>()) : std::nullopt;
    if (!a || a->family != fam) return false;
    lo = hi = a->value;
    return true;
  }
  if (f.type == Field::kProto) {
    auto p = ProtoValue(v);
    if (!p) return false;
    lo = hi = *p;
    return true;
  }
  if (f.type == Field::kService) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > 65535) return false;
    lo = hi = v.get<uint64_t>();
    return true;
  }
  return false;
}

bool Fail(std::string& err, const std::string& what, const std::string& line) {
  err = what + ": " + line.substr(0, 200);
  return false;
}

}  // namespace

bool ReadMapHeader(const std::string& header, MapShape& out, std::string& err) {
  // `["ipv4_addr","ipv4_addr"] verdict ["interval"] [{"counter":null}]`: type, data, flags
  // and the map's statements when any (JSON dumps hold no blank).
  std::vector<std::string> part;
  for (size_t at = 0; at <= header.size();) {
    size_t sp = std::min(header.find(' ', at), header.size());
    part.push_back(header.substr(at, sp - at));
    at = sp + 1;
  }
  if (part.size() < 3 || part.size() > 4) return Fail(err, "map header not understood", header);
  json type = json::parse(part[0], nullptr, false);
  const std::string& data = part[1];
  json flags = json::parse(part[2], nullptr, false);
  if (data != "verdict") return Fail(err, "not a verdict map", header);
  out.fields.clear();
  out.interval = false;
  if (type.is_string()) type = json::array({type});
  if (!type.is_array() || type.empty()) return Fail(err, "map key type not understood", header);
  for (const auto& t : type) {
    auto f = t.is_string() ? FieldOf(t.get<std::string>()) : std::nullopt;
    if (!f) return Fail(err, "map key field not understood", header);
    out.fields.push_back(t.get<std::string>());
  }
  if (flags.is_array())
    for (const auto& f : flags) out.interval |= f == "interval";
  // A single-field interval map is encoded as a run of start and end keys, like a set; pbrc's
  // maps are concatenations or plain keys, and only those are updated in place.
  if (out.interval && out.fields.size() < 2)
    return Fail(err, "a single-field interval map is not updated in place", header);
  return true;
}

bool EncodeMapElement(const MapShape& shape, const std::string& line, MapElementBytes& out,
                      std::string& err) {
  json e = json::parse(line, nullptr, false);
  if (!e.is_array() || e.size() != 2) return Fail(err, "map element not understood", line);
  json val = e[0];
  out.comment.clear();
  if (val.is_object() && val.contains("elem")) {
    const json& inner = val["elem"];
    if (!inner.is_object() || !inner.contains("val"))
      return Fail(err, "map element not understood", line);
    if (inner.contains("comment") && inner["comment"].is_string())
      out.comment = inner["comment"].get<std::string>();
    val = inner["val"];
  }
  json parts = val.is_object() && val.contains("concat") ? val["concat"] : json::array({val});
  if (!parts.is_array() || parts.size() != shape.fields.size())
    return Fail(err, "map element does not fit the map's key", line);
  out.key.clear();
  out.key_end.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    Field f = *FieldOf(shape.fields[i]);  // ReadMapHeader took only known fields
    U128 lo = 0, hi = 0;
    if (!Bounds(f, parts[i], lo, hi)) return Fail(err, "map element field not understood", line);
    if (!shape.interval && lo != hi) return Fail(err, "a range in a map without intervals", line);
    size_t pad = (4 - f.width % 4) % 4;
    PutNumber(out.key, lo, f.width);
    out.key.append(pad, '\0');
    PutNumber(out.key_end, hi, f.width);
    out.key_end.append(pad, '\0');
  }
  if (!shape.interval) out.key_end.clear();
  const json& verdict = e[1];
  bool go = verdict.is_object() && verdict.contains("goto");
  bool jump = verdict.is_object() && verdict.contains("jump");
  if (!go && !jump) return Fail(err, "map element verdict not understood", line);
  const json& target = verdict[go ? "goto" : "jump"];
  if (!target.is_object() || !target.contains("target") || !target["target"].is_string())
    return Fail(err, "map element verdict not understood", line);
  out.verdict_goto = go;
  out.chain = target["target"].get<std::string>();
  return true;
}

}  // namespace pbrc::apply
