// Files of the state directory. Every file is written to a temp name, synced and renamed, so a
// reader (or the next pbrc after a crash) sees the old or the new content, never a part.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "internal.h"

namespace pbrc::apply {
namespace {

std::string Sys(const std::string& what, const std::string& path, int e) {
  return "cannot " + what + " '" + path + "': " + strerror(e);
}

bool SyncPath(const std::string& path, std::string& err) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    err = Sys("sync", path, errno);
    if (fd >= 0) close(fd);
    return false;
  }
  close(fd);
  return true;
}

std::string TempName(const std::string& name) {
  // Per thread: apply writes the sources from a second thread (apply.cc).
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return "." + name + ".tmp-" + buf;
}

}  // namespace

bool MakeDirs(const std::string& path, std::string& err) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    err = Sys("create folder", path, ec ? ec.value() : errno);
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    err = Sys("use folder", path, ENOTDIR);
    return false;
  }
  return true;
}

bool ReadWhole(const std::string& path, std::string& out, std::string& err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = Sys("read", path, errno);
    return false;
  }
  out.clear();
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(size_t(st.st_size));  // no regrowth
  char buf[1 << 16];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = Sys("read", path, errno);
      close(fd);
      return false;
    }
    out.append(buf, n);
  }
  close(fd);
  return true;
}

bool WriteAtomic(const std::string& dir, const std::string& name, const std::string& data,
                 std::string& err, Durable when) {
  return WriteAtomic(dir, name, std::vector<std::string_view>{data}, err, when);
}

bool WriteAtomic(const std::string& dir, const std::string& name,
                 const std::vector<std::string_view>& pieces, std::string& err, Durable when) {
  std::string tmp = dir + "/" + TempName(name), path = dir + "/" + name;
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    err = Sys("write", path, errno);
    return false;
  }
  for (std::string_view data : pieces) {
    for (size_t off = 0; off < data.size();) {
      ssize_t n = write(fd, data.data() + off, data.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = Sys("write", path, n < 0 ? errno : EIO);
        close(fd);
        unlink(tmp.c_str());
        return false;
      }
      off += n;
    }
  }
  bool now = when == Durable::kNow;
  if ((now && fsync(fd) != 0) || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    err = Sys("write", path, errno);
    unlink(tmp.c_str());
    return false;
  }
  return !now || SyncPath(dir, err);
}

bool SyncAll(const std::vector<std::string>& files, const std::vector<std::string>& dirs,
             std::string& err) {
  std::vector<int> fds;
  bool ok = true;
  for (const auto& f : files) {
    int fd = open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      err = Sys("sync", f, errno);
      ok = false;
      break;
    }
    sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);  // only a start: fsync below decides
    fds.push_back(fd);
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    if (ok && fsync(fds[i]) != 0) {
      err = Sys("sync", files[i], errno);
      ok = false;
    }
    close(fds[i]);
  }
  for (const auto& d : dirs)
    if (ok && !SyncPath(d, err)) ok = false;
  return ok;
}

bool LinkOrCopy(const std::string& from, const std::string& dir, const std::string& name,
                std::string& err) {
  std::string to = dir + "/" + name, data;
  unlink(to.c_str());  // a leftover of an interrupted snapshot of the same generation
  if (link(from.c_str(), to.c_str()) == 0) return true;
  return ReadWhole(from, data, err) && WriteAtomic(dir, name, data, err);
}

bool RemoveFile(const std::string& dir, const std::string& name, std::string& err, Durable when) {
  std::string path = dir + "/" + name;
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    err = Sys("remove", path, errno);
    return false;
  }
  return when == Durable::kLater || SyncPath(dir, err);
}

bool SetCurrent(const std::string& dir, const std::string& gen, std::string& err) {
  std::string tmp = dir + "/" + TempName("current"), path = dir + "/current";
  if (symlink(gen.c_str(), tmp.c_str()) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    err = Sys("point 'current' at " + gen + " in", dir, errno);
    unlink(tmp.c_str());
    return false;
  }
  return SyncPath(dir, err);
}

std::string CurrentName(const std::string& dir) {
  char buf[256];
  ssize_t n = readlink((dir + "/current").c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, n);
}

// Generation folders are "gen-" and six digits, so names sort by age.
static std::vector<std::string> Generations(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() == 10 && n.rfind("gen-", 0) == 0 &&
          std::all_of(n.begin() + 4, n.end(), [](char c) { return isdigit(uint8_t(c)); }))
        out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string NextGenerationName(const std::string& dir) {
  auto gens = Generations(dir);
  int next = gens.empty() ? 1 : std::stoi(gens.back().substr(4)) + 1;
  char buf[16];
  snprintf(buf, sizeof buf, "gen-%06d", next % 1000000);
  return buf;
}

bool RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  return !ec;
}

void PruneGenerations(const std::string& dir, const std::string& keep1, const std::string& keep2) {
  constexpr size_t kKeep = 8;  // how far `pbrc rollback` can go back
  auto gens = Generations(dir);
  for (size_t i = 0; i + kKeep < gens.size(); ++i)
    if (gens[i] != keep1 && gens[i] != keep2) RemoveTree(dir + "/" + gens[i]);
}

}  // namespace pbrc::apply
