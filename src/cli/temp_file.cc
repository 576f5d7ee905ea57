// Temp files that cannot be hijacked or left behind (see temp_file.h).
#include "temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace pbrc::cli {

std::string SysError(const std::string& action, const std::string& path, int err) {
  return action + " '" + path + "': " + std::strerror(err);
}

std::unique_ptr<TempFile> TempFile::Create(int dirfd, const std::string& dir,
                                           const std::string& target, const std::string& tag,
                                           mode_t mode, std::string& err) {
  std::unique_ptr<TempFile> t(new TempFile(dirfd, dir, target, tag));
  t->fd_ = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  if (t->fd_ >= 0) return t;
  // File systems without O_TMPFILE: an exclusive name from the start instead.
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    err = SysError("cannot create a temporary file in", dir, errno);
    return nullptr;
  }
  if (!t->CreateNamed(mode, err)) return nullptr;
  return t;
}

bool TempFile::CreateNamed(mode_t mode, std::string& err) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = NewTempName();
    fd_ = openat(dirfd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd_ >= 0) {
      temp_name_ = name;
      return true;
    }
    if (errno != EEXIST) break;
  }
  err = SysError("cannot create a temporary file in", dir_, errno);
  return false;
}

TempFile::~TempFile() {
  if (!temp_name_.empty() && !published_) unlinkat(dirfd_, temp_name_.c_str(), 0);
  if (fd_ >= 0) close(fd_);
}

std::string TempFile::NewTempName() const {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string suffix;
  for (int i = 0; i < 8; ++i) suffix += kChars[rd() % (sizeof kChars - 1)];
  // Keep the name under NAME_MAX (255) however long the target's name is.
  return "." + target_.substr(0, 200) + ".pbrc-" + tag_ + "-" + suffix;
}

bool TempFile::Append(std::string_view data, std::string& err) {
  while (!data.empty()) {
    ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = SysError("cannot write", dir_ + "/" + target_, errno);
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TempFile::Sync(std::string& err) {
  if (fsync(fd_) == 0) return true;
  err = SysError("cannot write", dir_ + "/" + target_, errno);
  return false;
}

bool TempFile::Link(std::string& err) {
  if (!temp_name_.empty()) return true;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = NewTempName();
    int r = linkat(fd_, "", dirfd_, name.c_str(), AT_EMPTY_PATH);
    if (r != 0 && errno != EEXIST) {
      // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd works for everyone.
      std::string proc = "/proc/self/fd/" + std::to_string(fd_);
      r = linkat(AT_FDCWD, proc.c_str(), dirfd_, name.c_str(), AT_SYMLINK_FOLLOW);
    }
    if (r == 0) {
      temp_name_ = name;
      return true;
    }
    if (errno != EEXIST) break;
  }
  err = SysError("cannot create a temporary file in", dir_, errno);
  return false;
}

bool TempFile::Publish(std::string& err) {
  if (renameat(dirfd_, temp_name_.c_str(), dirfd_, target_.c_str()) != 0) {
    err = SysError("cannot replace", dir_ + "/" + target_, errno);
    return false;
  }
  published_ = true;
  return true;
}

SignalBlock::SignalBlock() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, &old_);
}

SignalBlock::~SignalBlock() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

bool SyncDir(int dirfd, const std::string& dir, std::string& err) {
  if (fsync(dirfd) == 0) return true;
  err = SysError("cannot sync folder", dir, errno);
  return false;
}

}  // namespace pbrc::cli
