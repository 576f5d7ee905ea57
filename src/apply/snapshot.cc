// The snapshot taken before a change, written into the new generation's `before/` folder
// before the journal names it, so a recovery always finds it complete.
#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "../live/live.h"
#include "internal.h"

namespace pbrc::apply {
namespace {

std::string EncodeMessages(const std::vector<std::string>& msgs) {
  std::string out;
  for (const auto& m : msgs) {
    uint32_t n = m.size();
    out.append(reinterpret_cast<const char*>(&n), 4);
    out += m;
  }
  return out;
}

bool DecodeMessages(const std::string& data, std::vector<std::string>& out) {
  for (size_t off = 0; off < data.size();) {
    uint32_t n;
    if (data.size() - off < 4) return false;
    memcpy(&n, data.data() + off, 4);
    off += 4;
    if (n < 16 || data.size() - off < n) return false;  // 16: a netlink header
    out.push_back(data.substr(off, n));
    off += n;
  }
  return true;
}

// The JSON form of `table inet T {}; delete table inet T; LISTING`: a listing's objects are
// `add` commands as libnftables JSON input (its metainfo is left out).
bool JsonRestoreScript(const Snapshot& s, std::string& script, std::string& err) {
  using json = nlohmann::json;
  json table = {{"family", "inet"}, {"name", s.table}};
  json cmds = json::array({{{"add", {{"table", table}}}}, {{"delete", {{"table", table}}}}});
  if (s.nft_exists) {
    json doc = json::parse(s.nft_listing, nullptr, false);
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) {
      err = "the snapshot's nft listing is not libnftables JSON";
      return false;
    }
    for (auto& item : doc["nftables"])
      if (!item.contains("metainfo")) cmds.push_back(std::move(item));
  }
  script = json{{"nftables", std::move(cmds)}}.dump();
  return true;
}

}  // namespace

bool TakeSnapshot(const std::string& table, const live::TableListing* listed,
                  const std::string* known_text, const std::vector<uint32_t>& protocols,
                  const std::vector<std::string>& sysctl_keys, Snapshot& out, std::string& err) {
  out.table = table;
  out.protocols = protocols;
  out.nft_json = true;
  if (known_text) {  // format 1's text form: the recorded generation's own table
    out.nft_exists = true;
    out.nft_json = false;
    out.nft_listing = *known_text;
  } else if (listed) {
    out.nft_exists = listed->exists;
    out.nft_listing = listed->json;
  } else if (!live::ListNftTable(table, out.nft_listing, out.nft_exists, err)) {
    return false;
  }
  if (!DumpOwned(protocols, out.ip_msgs, err)) return false;
  for (const auto& key : sysctl_keys) {
    std::string value;
    bool exists = false;
    if (!ReadSysctl(key, value, exists, err)) return false;
    if (exists) out.sysctls.emplace_back(key, value);
  }
  return true;
}

// Format 2 keeps the table as libnftables JSON (`nft.json`, the listing the live plan read);
// format 1 (an older pbrc) kept it as nft text (`nft`). Both are restored.
bool SaveSnapshot(const std::string& dir, const Snapshot& s, std::string& err) {
  nlohmann::json meta = {{"format", s.nft_json ? "pbrc-snapshot/2" : "pbrc-snapshot/1"},
                         {"table", s.table},
                         {"nft_exists", s.nft_exists},
                         {"protocols", s.protocols},
                         {"sysctls", s.sysctls}};
  return MakeDirs(dir, err) &&
         WriteAtomic(dir, s.nft_json ? "nft.json" : "nft", s.nft_listing, err) &&
         WriteAtomic(dir, "ip", EncodeMessages(s.ip_msgs), err) &&
         WriteAtomic(dir, "snapshot.json", meta.dump(1) + "\n", err);
}

bool LoadSnapshot(const std::string& dir, Snapshot& out, std::string& err) {
  std::string text, ip;
  if (!ReadWhole(dir + "/snapshot.json", text, err) || !ReadWhole(dir + "/ip", ip, err))
    return false;
  auto meta = nlohmann::json::parse(text, nullptr, false);
  try {
    std::string format = meta.value("format", "");
    if (format != "pbrc-snapshot/1" && format != "pbrc-snapshot/2")
      throw std::runtime_error("format");
    out.nft_json = format == "pbrc-snapshot/2";
    out.table = meta.at("table").get<std::string>();
    out.nft_exists = meta.at("nft_exists").get<bool>();
    out.protocols = meta.at("protocols").get<std::vector<uint32_t>>();
    out.sysctls = meta.at("sysctls").get<std::vector<std::pair<std::string, std::string>>>();
  } catch (const std::exception&) {
    err = "snapshot '" + dir + "/snapshot.json' is corrupt";
    return false;
  }
  if (!ReadWhole(dir + (out.nft_json ? "/nft.json" : "/nft"), out.nft_listing, err)) return false;
  if (!DecodeMessages(ip, out.ip_msgs)) {
    err = "snapshot '" + dir + "/ip' is corrupt";
    return false;
  }
  return true;
}

bool RestoreSnapshot(const Snapshot& s, std::string& err) {
  std::vector<std::string> failed;
  std::string e;
  // One transaction: the table as it was, or no table when there was none.
  bool ok = false;
  if (s.nft_json) {
    std::string script;
    ok = JsonRestoreScript(s, script, e) && NftRun(script, e, true);
  } else {
    std::string script = "table inet " + s.table + " {}\ndelete table inet " + s.table + "\n";
    if (s.nft_exists) script += s.nft_listing;
    ok = NftRun(script, e);
  }
  if (!ok) failed.push_back("nft table: " + e);
  if (!FlushOwned(s.protocols, e) || !AddMessages(s.ip_msgs, e)) failed.push_back(e);
  for (const auto& [key, value] : s.sysctls)
    if (!WriteSysctl(key, value, e)) failed.push_back(e);
  if (failed.empty()) return true;
  err.clear();
  for (const auto& f : failed) err += (err.empty() ? "" : "; ") + f;
  return false;
}

}  // namespace pbrc::apply
