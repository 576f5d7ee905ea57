// Reading input files with bounded resources: only regular files are opened for reading (a
// FIFO would block, /dev/zero never ends), and the 64 MiB limit is checked while reading, so
// a file that grows or lies about its size cannot make pbrc read more.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pbrc/parse.h"

namespace pbrc {
namespace {

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO, not a regular file";
  if (S_ISCHR(mode)) return "is a character device, not a regular file";
  if (S_ISBLK(mode)) return "is a block device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

class DiskFileReader : public FileReader {
 public:
  bool Read(const std::string& path, std::string& out, std::string& error) override {
    // open() would stop at a NUL and read another file than the one named.
    if (path.find('\0') != std::string::npos) {
      error = "file name contains a NUL byte";
      return false;
    }
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
      error = std::strerror(errno);
      return false;
    }
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    if (!ok) {
      error = std::strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
      error = KindOf(st.st_mode);
      ok = false;
    } else {
      // One allocation of the file's size (a 1M-line list is 14 MB: growing by doubling
      // would copy and fault in twice that); ReadBounded still stops at the bound.
      out.clear();
      out.reserve(std::min<size_t>(size_t(st.st_size), kMaxFileSize) + 1);
      ok = ReadBounded(fd, out, error);
    }
    close(fd);
    return ok;
  }

  std::optional<std::string> Identity(const std::string& path) override {
    struct stat st;
    if (path.find('\0') != std::string::npos || stat(path.c_str(), &st) != 0) return std::nullopt;
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
};

}  // namespace

bool ReadBounded(int fd, std::string& out, std::string& error) {
  out.clear();
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      return false;
    }
    if (n == 0) return true;
    if (out.size() + static_cast<size_t>(n) > kMaxFileSize) {
      error = "file is larger than 64 MiB";
      out.clear();
      return false;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

FileReader& DiskReader() {
  static DiskFileReader reader;
  return reader;
}

}  // namespace pbrc
