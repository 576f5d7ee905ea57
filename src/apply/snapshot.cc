// The snapshot taken before a change, written into the new generation's `before/` folder
// before the journal names it, so a recovery always finds it complete.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "../live/live.h"
#include "internal.h"
#include "pbrc/emit.h"
#include "pbrc/pipeline.h"

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
    // A listing names maps before chains, but a map's elements jump to chains (the kernel
    // refuses an element whose chain does not exist yet) and rules look maps up: the table,
    // then its chains, then sets and maps, then rules.
    auto rank = [](const json& item) {
      return item.contains("table")   ? 0
             : item.contains("chain") ? 1
             : item.contains("rule")  ? 3
                                      : 2;
    };
    std::vector<json> items;
    for (auto& item : doc["nftables"])
      if (!item.contains("metainfo")) items.push_back(std::move(item));
    std::stable_sort(items.begin(), items.end(),
                     [&](const json& a, const json& b) { return rank(a) < rank(b); });
    for (auto& item : items) cmds.push_back(std::move(item));
  }
  script = json{{"nftables", std::move(cmds)}}.dump();
  return true;
}

// The nft text of a format-3 snapshot's table: its generation's sources compiled again (the
// same pbrc gives the same table; docs/architecture.md, "Trusting the generation id").
bool NamedTableText(const Snapshot& s, std::string& text, std::string& err) {
  if (s.nft_generation.empty()) return true;
  std::string data;
  Sources src;
  if (!ReadWhole(s.nft_sources, data, err) || !DecodeSources(data, src, err)) return false;
  SourcesReader reader(src);
  auto c = Compile(src.root, reader);
  if (!c->ir) {
    err = "the table of " + s.nft_generation + " ('" + src.root +
          "') no longer compiles with this pbrc";
    return false;
  }
  text = emit::NftText(*c->ir);
  return true;
}

}  // namespace

bool TakeSnapshot(const std::string& table, const live::TableListing* listed,
                  const std::string* known_gen_dir, const std::vector<uint32_t>& protocols,
                  const std::vector<std::string>& sysctl_keys, Snapshot& out, std::string& err) {
  out.table = table;
  out.protocols = protocols;
  out.nft_json = true;
  if (known_gen_dir) {  // format 3: the recorded generation's own table, named
    out.nft_exists = true;
    out.nft_json = false;
    out.nft_generation = known_gen_dir->substr(known_gen_dir->rfind('/') + 1);
    out.nft_sources = *known_gen_dir + "/sources";
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
// format 3 as the sources of the generation it was (`nft-sources`); format 1 (an older pbrc)
// kept it as nft text (`nft`). All are restored.
bool SaveSnapshot(const std::string& dir, const Snapshot& s, std::string& err,
                  std::vector<std::string>* unsynced) {
  bool named = !s.nft_generation.empty();
  const char* format = named        ? "pbrc-snapshot/3"
                       : s.nft_json ? "pbrc-snapshot/2"
                                    : "pbrc-snapshot/1";
  nlohmann::json meta = {{"format", format},
                         {"table", s.table},
                         {"nft_exists", s.nft_exists},
                         {"protocols", s.protocols},
                         {"sysctls", s.sysctls}};
  if (named) meta["generation"] = s.nft_generation;
  // The sources file is never changed in place (only replaced whole), so a link is a copy;
  // the folder's sync by the writes after it makes the link durable.
  if (!MakeDirs(dir, err)) return false;
  Durable when = unsynced ? Durable::kLater : Durable::kNow;
  auto write = [&](const char* name, const std::string& data) {
    if (unsynced) unsynced->push_back(dir + "/" + name);
    return WriteAtomic(dir, name, data, err, when);
  };
  if (named) {
    // The link's data is the recorded generation's, synced then; `dir`'s sync keeps the name.
    if (!LinkOrCopy(s.nft_sources, dir, kSnapshotSources, err)) return false;
  } else if (!write(s.nft_json ? "nft.json" : "nft", s.nft_listing)) {
    return false;
  }
  return write("ip", EncodeMessages(s.ip_msgs)) && write("snapshot.json", meta.dump(1) + "\n");
}

bool LoadSnapshot(const std::string& dir, Snapshot& out, std::string& err) {
  std::string text, ip;
  if (!ReadWhole(dir + "/snapshot.json", text, err) || !ReadWhole(dir + "/ip", ip, err))
    return false;
  auto meta = nlohmann::json::parse(text, nullptr, false);
  try {
    std::string format = meta.value("format", "");
    if (format != "pbrc-snapshot/1" && format != "pbrc-snapshot/2" && format != "pbrc-snapshot/3")
      throw std::runtime_error("format");
    out.nft_json = format == "pbrc-snapshot/2";
    if (format == "pbrc-snapshot/3") {
      out.nft_generation = meta.at("generation").get<std::string>();
      out.nft_sources = dir + "/" + kSnapshotSources;
    }
    out.table = meta.at("table").get<std::string>();
    out.nft_exists = meta.at("nft_exists").get<bool>();
    out.protocols = meta.at("protocols").get<std::vector<uint32_t>>();
    out.sysctls = meta.at("sysctls").get<std::vector<std::pair<std::string, std::string>>>();
  } catch (const std::exception&) {
    err = "snapshot '" + dir + "/snapshot.json' is corrupt";
    return false;
  }
  if (out.nft_generation.empty() &&
      !ReadWhole(dir + (out.nft_json ? "/nft.json" : "/nft"), out.nft_listing, err))
    return false;
  if (!out.nft_generation.empty() && access(out.nft_sources.c_str(), R_OK) != 0) {
    err = "snapshot '" + dir + "' lacks its table's sources ('" + kSnapshotSources + "')";
    return false;
  }
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
    std::string text;
    ok = !s.nft_exists || NamedTableText(s, text, e);
    if (ok && s.nft_exists) script += s.nft_generation.empty() ? s.nft_listing : text;
    ok = ok && NftRun(script, e);
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
