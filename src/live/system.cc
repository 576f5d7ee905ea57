// Entering a named network namespace, and sysctls read from /proc/sys: /proc/sys/net shows
// the network namespace of the process that opens the file, so after EnterNetns it shows the
// namespace's values.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "live.h"

namespace pbrc::live {

bool EnterNetns(const std::string& name, std::string& err) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    err = "invalid network namespace name '" + name + "'";
    return false;
  }
  std::string path = "/run/netns/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = "network namespace '" + name + "': " + path + ": " + strerror(errno);
    return false;
  }
  bool ok = setns(fd, CLONE_NEWNET) == 0;
  if (!ok) err = "setns into '" + name + "': " + strerror(errno);
  close(fd);
  return ok;
}

// net.ipv4.conf.eth0.rp_filter -> net/ipv4/conf/eth0/rp_filter; keys already written with
// '/' (a device name with a '.') are paths as they are.
static std::string SysctlPath(const std::string& key) {
  std::string path = key;
  if (path.find('/') == std::string::npos) std::replace(path.begin(), path.end(), '.', '/');
  return "/proc/sys/" + path;
}

bool ReadSysctls(const std::vector<std::string>& keys, plan::State& out, std::string& err) {
  for (const auto& key : keys) {
    if (key.find("..") != std::string::npos) continue;  // never leaves /proc/sys
    std::ifstream in(SysctlPath(key));
    if (!in) {
      if (errno == ENOENT) continue;  // no such device (yet): the plan adds it
      err = "cannot read " + SysctlPath(key) + ": " + strerror(errno);
      return false;
    }
    std::string value;
    std::getline(in, value);
    out.objects.push_back({plan::Kind::kSysctl, key, value, "", {}});
  }
  return true;
}

}  // namespace pbrc::live
