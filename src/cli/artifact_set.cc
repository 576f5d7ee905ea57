// All-or-nothing artifact sets (see artifact_set.h). Renaming N files is not atomic as a set,
// so there are three phases: (1) write and fsync every file without a name; (2) name them,
// create the marker, sync the folder; (3) rename each over its target, sync the folder,
// remove the marker. A crash in (1) or (2) leaves the old set and at most named temp files,
// which the next compile removes; a crash in (3) leaves the marker, and the next compile
// replaces the whole set. Readers holding a shared lock never see a set in (3).
#include "artifact_set.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>

#include "temp_file.h"

namespace pbrc::cli {
namespace {

constexpr const char* kTag = "out";

// Closes a descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Streams an artifact into its temp file as it is rendered; the first failure stops the
// writing and is kept.
class TempSink final : public Sink {
 public:
  TempSink(TempFile& t, std::string& err) : t_(t), err_(err) {}
  void Write(std::string_view text) override { ok_ = ok_ && t_.Append(text, err_); }
  bool ok() const { return ok_; }

 private:
  TempFile& t_;
  std::string& err_;
  bool ok_ = true;
};

// Temp files of compiles that died in phase (2) or (3); only called under the exclusive lock,
// when no other compile can own one.
void RemoveStaleTemps(int dirfd) {
  int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  DIR* d = dup >= 0 ? fdopendir(dup) : nullptr;
  if (!d) {
    if (dup >= 0) close(dup);
    return;
  }
  std::string pattern = std::string(".pbrc-") + kTag + "-";
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name[0] == '.' && name.find(pattern) != std::string::npos) unlinkat(dirfd, e->d_name, 0);
  }
  closedir(d);
}

bool Lock(int dirfd, const std::string& dir, Fd& lock, std::string& err) {
  lock.fd = openat(dirfd, kLockName, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (lock.fd < 0) {
    err = SysError("cannot open lock file", dir + "/" + kLockName, errno);
    return false;
  }
  while (flock(lock.fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    err = SysError("cannot lock", dir + "/" + kLockName, errno);
    return false;
  }
  return true;
}

bool CreateMarker(int dirfd, const std::string& dir, const std::string& name, std::string& err) {
  int fd = openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 || fsync(fd) != 0) {
    err = SysError("cannot create", dir + "/" + name, errno);
    if (fd >= 0) close(fd);
    return false;
  }
  close(fd);
  return SyncDir(dirfd, dir, err);
}

// Phases (2) and (3).
bool Rename(int dirfd, const std::string& dir, const std::string& marker,
            std::vector<std::unique_ptr<TempFile>>& temps, bool& mixed, std::string& err) {
  for (auto& t : temps) {
    if (!t->Link(err)) return false;
  }
  if (!CreateMarker(dirfd, dir, marker, err)) return false;
  mixed = true;  // from here on, a failure leaves the marker: the set is incomplete
  for (auto& t : temps) {
    if (!t->Publish(err)) return false;
  }
  if (!SyncDir(dirfd, dir, err)) return false;
  if (unlinkat(dirfd, marker.c_str(), 0) != 0) {
    err = SysError("cannot remove", dir + "/" + marker, errno);
    return false;
  }
  mixed = false;
  return SyncDir(dirfd, dir, err);
}

// A new folder's own name is on the disk only once its parent is synced.
bool SyncParent(const std::string& dir, std::string& err) {
  std::filesystem::path p = std::filesystem::absolute(dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "a/b/" names "a/b"
  std::string parent = p.parent_path().string();
  Fd fd;
  fd.fd = open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd.fd < 0) {
    err = SysError("cannot open folder", parent, errno);
    return false;
  }
  return SyncDir(fd.fd, parent, err);
}

}  // namespace

std::string IncompleteMarker(const std::string& stem) { return "." + stem + ".pbrc-incomplete"; }

WriteResult WriteArtifactSet(const std::string& dir, const std::string& stem,
                             const std::vector<Artifact>& arts) {
  WriteResult r;
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) {
    r.error = "cannot create folder '" + dir + "': " + ec.message();
    return r;
  }
  if (created && !SyncParent(dir, r.error)) return r;
  Fd dirfd, lock;
  dirfd.fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd.fd < 0) {
    r.error = SysError("cannot open folder", dir, errno);
    return r;
  }
  if (!Lock(dirfd.fd, dir, lock, r.error)) return r;
  RemoveStaleTemps(dirfd.fd);
  std::string marker = IncompleteMarker(stem);
  r.repaired = faccessat(dirfd.fd, marker.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  // Signals that would end the process wait until the set is complete or the temp files are
  // gone: the block outlives `temps`.
  SignalBlock block;
  std::vector<std::unique_ptr<TempFile>> temps;
  for (const auto& art : arts) {
    auto t = TempFile::Create(dirfd.fd, dir, stem + "." + art.suffix, kTag, 0644, r.error);
    if (!t) return r;
    TempSink sink(*t, r.error);
    art.write(sink);
    if (!sink.ok() || !t->Sync(r.error)) return r;
    temps.push_back(std::move(t));
  }
  r.ok = Rename(dirfd.fd, dir, marker, temps, r.mixed, r.error);
  return r;
}

}  // namespace pbrc::cli
