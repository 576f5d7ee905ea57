// The kernel operations of apply: the nft script as one libnftables transaction, the ip
// batches through the `ip` binary (the same artifacts `compile` writes, so what apply loads
// is what a reviewer read), and sysctls through /proc/sys.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "../live/live.h"
#include "internal.h"

namespace pbrc::apply {
namespace {

std::string SysctlPath(const std::string& key) {
  std::string path = key;
  if (path.find('/') == std::string::npos) std::replace(path.begin(), path.end(), '.', '/');
  return "/proc/sys/" + path;
}

}  // namespace

bool NftRun(const std::string& script, std::string& err, bool json) {
  live::NftSession ctx(json);
  std::string out;
  if (ctx.Run(script, out)) return true;
  err = "nft rejected the ruleset: " + out;
  return false;
}

bool IpBatch(const std::string& batch, bool v6, std::string& err) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    err = std::string("pipe: ") + strerror(errno);
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    err = std::string("fork: ") + strerror(errno);
    close(in[0]);
    close(in[1]);
    return false;
  }
  if (pid == 0) {
    dup2(in[0], STDIN_FILENO);
    const char* argv6[] = {"ip", "-6", "-batch", "-", nullptr};
    const char* argv4[] = {"ip", "-batch", "-", nullptr};
    execvp("ip", const_cast<char* const*>(v6 ? argv6 : argv4));
    _exit(127);
  }
  close(in[0]);
  // ip may stop reading at its first error; a broken pipe then is its failure, not ours.
  auto old = signal(SIGPIPE, SIG_IGN);
  for (size_t off = 0; off < batch.size();) {
    ssize_t n = write(in[1], batch.data() + off, batch.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += n;
  }
  close(in[1]);
  signal(SIGPIPE, old);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  std::string cmd = v6 ? "ip -6 -batch" : "ip -batch";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    err = cmd + ": cannot run 'ip' (is iproute2 installed and in PATH?)";
  else
    err = cmd + " failed (its message is above)";
  return false;
}

bool ReadSysctl(const std::string& key, std::string& value, bool& exists, std::string& err) {
  std::string path = SysctlPath(key), text;
  exists = false;
  if (key.find("..") != std::string::npos) {
    err = "sysctl key '" + key + "' leaves /proc/sys";
    return false;
  }
  if (access(path.c_str(), F_OK) != 0) return true;
  if (!ReadWhole(path, text, err)) return false;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  value = text;
  exists = true;
  return true;
}

bool WriteSysctl(const std::string& key, const std::string& value, std::string& err) {
  std::string path = SysctlPath(key);
  if (key.find("..") != std::string::npos) {
    err = "sysctl key '" + key + "' leaves /proc/sys";
    return false;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  std::string line = value + "\n";
  if (fd < 0 || write(fd, line.data(), line.size()) != ssize_t(line.size())) {
    err = "cannot set sysctl " + key + " = " + value + ": " + strerror(errno);
    if (fd >= 0) close(fd);
    return false;
  }
  close(fd);
  return true;
}

}  // namespace pbrc::apply
