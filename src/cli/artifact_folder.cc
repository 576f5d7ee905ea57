// See artifact_folder.h.
#include "artifact_folder.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "artifact_set.h"
#include "pbrc/render_escape.h"
#include "temp_file.h"

namespace pbrc::cli {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Names of the sets in the folder: NAME for every NAME.nft.json.
std::vector<std::string> Stems(int dirfd) {
  std::vector<std::string> out;
  int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  DIR* d = dup >= 0 ? fdopendir(dup) : nullptr;
  if (!d) {
    if (dup >= 0) close(dup);
    return out;
  }
  const std::string suffix = ".nft.json";
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name[0] != '.' && name.size() > suffix.size() && name.ends_with(suffix))
      out.push_back(name.substr(0, name.size() - suffix.size()));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// A regular file of the set, whole; never through a symlink.
bool ReadMember(int dirfd, const std::string& where, const std::string& name, std::string& text,
                std::string& err) {
  Fd fd;
  fd.fd = openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st {};
  if (fd.fd < 0 || fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    err = "the artifact set in " + where + " is incomplete or not pbrc's: '" + EscapeName(name) +
          "' " + (fd.fd < 0 && errno == ENOENT ? "is missing" : "is not a regular file");
    return false;
  }
  text.clear();
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = SysError("cannot read", name, errno);
      return false;
    }
    if (n == 0) return true;
    text.append(buf, static_cast<size_t>(n));
  }
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

bool ReadArtifactFolder(const std::string& dir, live::ArtifactTexts& out, std::string& err) {
  std::string where = "'" + EscapeName(dir) + "'";
  Fd dirfd, lock;
  dirfd.fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd.fd < 0) {
    err = SysError("cannot open folder", EscapeName(dir), errno);
    return false;
  }
  // Shared with other readers, excluded while a compile writes (artifact_set.h).
  lock.fd = openat(dirfd.fd, kLockName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  while (lock.fd >= 0 && flock(lock.fd, LOCK_SH) != 0 && errno == EINTR) {
  }
  std::vector<std::string> stems = Stems(dirfd.fd);
  if (stems.size() != 1) {
    err = stems.empty() ? where + " holds no pbrc artifact set (no NAME.nft.json)"
                        : where + " holds " + std::to_string(stems.size()) +
                              " artifact sets; diff a folder with one";
    return false;
  }
  const std::string& stem = stems[0];
  if (faccessat(dirfd.fd, IncompleteMarker(stem).c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
    err = "the artifact set in " + where +
          " is incomplete (an interrupted compile left it); compile again";
    return false;
  }
  if (!ReadMember(dirfd.fd, where, stem + ".nft.json", out.nft_json, err) ||
      !ReadMember(dirfd.fd, where, stem + ".ip", out.ip, err) ||
      !ReadMember(dirfd.fd, where, stem + ".ip6", out.ip6, err) ||
      !ReadMember(dirfd.fd, where, stem + ".sysctl.conf", out.sysctl, err))
    return false;
  std::string head = FirstLine(out.ip);
  if (FirstLine(out.ip6) != head || FirstLine(out.sysctl) != head) {
    err = "the artifact set in " + where + " mixes files of different compiles";
    return false;
  }
  return true;
}

}  // namespace pbrc::cli
