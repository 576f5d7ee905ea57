// The records of the state directory: generations (what was applied), the journal (an apply
// in progress), the pending confirmation of a try, the lock, and the sources of a policy.
//
//   DIR/TABLE/current -> gen-N        the generation the kernel holds (a symlink, renamed)
//   DIR/TABLE/gen-N/meta.json         previous generation, protocol, netns
//   DIR/TABLE/gen-N/sources           the files the policy was compiled from
//   DIR/TABLE/gen-N/before/           the snapshot taken before gen-N was applied
//   DIR/TABLE/journal                 present while gen-N is being applied
//   DIR/TABLE/confirm                 present while gen-N is on trial (--confirm)
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "internal.h"

namespace pbrc::apply {

// "pbrc-sources/1\n", then the root and each path and content as "LENGTH\nBYTES": list files
// need not be UTF-8, so the record holds bytes, not JSON text.
std::vector<std::string_view> EncodeSourcesPieces(const Sources& s,
                                                  std::deque<std::string>& heads) {
  std::vector<std::string_view> out = {"pbrc-sources/1\n"};
  auto put = [&](const std::string& v) {
    out.push_back(heads.emplace_back(std::to_string(v.size()) + "\n"));
    out.push_back(v);
  };
  put(s.root);
  for (const auto& [path, text] : s.files) {
    put(path);
    put(text);
  }
  return out;
}

std::string EncodeSources(const Sources& s) {
  std::deque<std::string> heads;
  std::string out;
  for (std::string_view piece : EncodeSourcesPieces(s, heads)) out += piece;
  return out;
}

namespace {

// Walks a pbrc-sources/1 record without copying it: `root` gets the root's path, `file` each
// path and content. False when the record is cut, malformed or does not hold its root.
bool WalkSources(std::string_view data, std::string_view& root,
                 const std::function<void(std::string_view, std::string_view)>& file) {
  constexpr std::string_view kMagic = "pbrc-sources/1\n";
  size_t off = kMagic.size();
  auto get = [&](std::string_view& v) {
    size_t nl = data.find('\n', off);
    if (nl == std::string_view::npos || nl == off || nl - off > 12) return false;
    size_t n = 0;
    for (size_t i = off; i < nl; ++i) {
      if (!isdigit(uint8_t(data[i]))) return false;
      n = n * 10 + (data[i] - '0');
    }
    if (data.size() - nl - 1 < n) return false;
    v = data.substr(nl + 1, n);
    off = nl + 1 + n;
    return true;
  };
  std::string_view path, text;
  bool ok = data.starts_with(kMagic) && get(root), has_root = false;
  while (ok && off < data.size()) {
    ok = get(path) && get(text);
    if (!ok) break;
    has_root |= path == root;
    file(path, text);
  }
  return ok && has_root;
}

}  // namespace

bool DecodeSources(const std::string& data, Sources& out, std::string& err) {
  std::string_view root;
  bool ok = WalkSources(data, root, [&](std::string_view path, std::string_view text) {
    out.files[std::string(path)] = std::string(text);
  });
  out.root = root;
  if (ok) return true;
  err = "not a complete pbrc-sources/1 record";
  return false;
}

namespace {

// Generation `gen`'s sources file, read and checked to be a complete record.
bool ReadIntactSources(const Target& t, const std::string& gen, std::string& data,
                       std::string& err) {
  std::string path = t.Dir() + "/" + gen + "/sources";
  if (!ReadWhole(path, data, err)) return false;
  std::string_view root;
  if (WalkSources(data, root, [](std::string_view, std::string_view) {})) return true;
  err = "'" + path + "' is corrupt: not a complete pbrc-sources/1 record";
  return false;
}

}  // namespace

bool SourcesIntact(const Target& t, const std::string& gen, std::string& err) {
  std::string data;
  return ReadIntactSources(t, gen, data, err);
}

std::optional<bool> SameSources(const Target& t, const std::string& gen, const Sources& s,
                                std::string& err) {
  std::string data;
  if (!ReadIntactSources(t, gen, data, err)) return std::nullopt;
  std::deque<std::string> heads;
  std::string_view rest = data;
  for (std::string_view piece : EncodeSourcesPieces(s, heads)) {
    if (!rest.starts_with(piece)) return false;
    rest.remove_prefix(piece.size());
  }
  return rest.empty();
}

bool RecordingReader::Read(const std::string& path, std::string& out, std::string& error) {
  if (!inner_.Read(path, out, error)) return false;
  out_.files[path] = out;
  return true;
}

std::optional<std::string> RecordingReader::Identity(const std::string& path) {
  return inner_.Identity(path);
}

bool SourcesReader::Read(const std::string& path, std::string& out, std::string& error) {
  auto it = s_.files.find(path);
  if (it == s_.files.end()) {
    error = "No such file or directory (not in the applied policy's sources)";
    return false;
  }
  out = it->second;
  return true;
}

std::unique_ptr<Lock> Lock::Take(const std::string& state_dir, const std::function<void()>& on_wait,
                                 std::string& err) {
  if (!MakeDirs(state_dir, err)) return nullptr;
  int fd = open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    err = "cannot open state folder '" + state_dir + "': " + strerror(errno);
    return nullptr;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (on_wait) on_wait();
    while (flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      err = "cannot lock state folder '" + state_dir + "': " + strerror(errno);
      close(fd);
      return nullptr;
    }
  }
  return std::unique_ptr<Lock>(new Lock(fd));
}

Lock::~Lock() { close(fd_); }

bool LoadSources(const Target& t, Generation& g, std::string& err) {
  if (g.sources_loaded) return true;
  std::string path = t.Dir() + "/" + g.name + "/sources", data;
  if (!ReadWhole(path, data, err)) return false;
  if (!DecodeSources(data, g.sources, err)) {
    err = "'" + path + "' is corrupt: " + err;
    return false;
  }
  g.sources_loaded = true;
  return true;
}

bool ReadGeneration(const Target& t, const std::string& name, Generation& out, std::string& err,
                    bool with_sources) {
  std::string dir = t.Dir() + "/" + name, meta;
  out.sources = {};
  out.sources_loaded = false;
  if (!ReadWhole(dir + "/meta.json", meta, err)) return false;
  auto j = nlohmann::json::parse(meta, nullptr, false);
  try {
    out.name = name;
    out.previous = j.at("previous").get<std::string>();
    out.protocol = j.at("protocol").get<uint32_t>();
    out.sysctl_origin = j.value("sysctl_origin", std::map<std::string, std::string>{});
  } catch (const std::exception&) {
    err = "'" + dir + "/meta.json' is corrupt";
    return false;
  }
  return !with_sources || LoadSources(t, out, err);
}

std::optional<Generation> CurrentGeneration(const Target& t, std::string& err, bool with_sources) {
  err.clear();
  std::string name = CurrentName(t.Dir());
  if (name.empty()) return std::nullopt;
  Generation g;
  if (!ReadGeneration(t, name, g, err, with_sources)) return std::nullopt;
  return g;
}

bool WriteGeneration(const Target& t, const Generation& g, std::string& err,
                     std::vector<std::string>* unsynced) {
  std::string dir = t.Dir() + "/" + g.name;
  nlohmann::json meta = {{"format", "pbrc-generation/1"},
                         {"previous", g.previous},
                         {"protocol", g.protocol},
                         {"sysctl_origin", g.sysctl_origin},
                         {"netns", t.netns}};
  if (unsynced) unsynced->push_back(dir + "/meta.json");
  return MakeDirs(dir, err) && WriteAtomic(dir, "meta.json", meta.dump(1) + "\n", err,
                                           unsynced ? Durable::kLater : Durable::kNow);
}

bool WriteIntent(const Target& t, const Intent& i, std::string& err) {
  nlohmann::json j = {{"format", "pbrc-journal/1"}, {"gen", i.gen}, {"netns", i.netns}};
  return WriteAtomic(t.Dir(), kJournal, j.dump() + "\n", err);
}

std::optional<Intent> ReadIntent(const Target& t, std::string& err) {
  err.clear();
  std::string path = t.Dir() + "/" + kJournal, text;
  if (access(path.c_str(), F_OK) != 0) return std::nullopt;
  if (!ReadWhole(path, text, err)) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  try {
    return Intent{j.at("gen").get<std::string>(), j.at("netns").get<std::string>()};
  } catch (const std::exception&) {
    err = "journal '" + path + "' is corrupt";
    return std::nullopt;
  }
}

bool WritePendingConfirm(const Target& t, const PendingConfirm& c, std::string& err) {
  nlohmann::json j = {{"format", "pbrc-confirm/1"},
                      {"gen", c.gen},
                      {"deadline", c.deadline},
                      {"token", c.token},
                      {"netns", c.netns}};
  return WriteAtomic(t.Dir(), kConfirm, j.dump() + "\n", err);
}

std::optional<PendingConfirm> ReadPendingConfirm(const Target& t) {
  std::string text, err;
  if (!ReadWhole(t.Dir() + "/" + kConfirm, text, err)) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  try {
    return PendingConfirm{j.at("gen").get<std::string>(), j.at("deadline").get<int64_t>(),
                          j.at("token").get<std::string>(), j.at("netns").get<std::string>()};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool FaultWanted(const char* step) {
  const char* want = std::getenv("PBRC_FAULT");
  return want && strcmp(want, step) == 0;
}

void FaultPoint(const char* step) {
  if (FaultWanted(step)) kill(getpid(), SIGKILL);
}

}  // namespace pbrc::apply
