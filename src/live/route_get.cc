// What the kernel itself answers for explain --live: `ip route get` with the mark, and the
// main table, both through `ip -n NETNS -j` (the kernel's own lookup, with the iproute2 every
// router has, rather than a second FIB walk of ours). Nothing is changed.
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

namespace pbrc::live {
namespace {

// Runs `ip ARGS...` (no shell), collecting stdout and stderr; false when it cannot start or
// exits non-zero (err: its stderr).
bool RunIp(const std::vector<std::string>& args, std::string& out, std::string& err) {
  int pout[2], perr[2];
  if (pipe(pout) != 0 || pipe(perr) != 0) {
    err = "pipe failed";
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    err = "fork failed";
    return false;
  }
  if (pid == 0) {
    dup2(pout[1], STDOUT_FILENO);
    dup2(perr[1], STDERR_FILENO);
    close(pout[0]);
    close(perr[0]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>("ip"));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp("ip", argv.data());
    _exit(127);
  }
  close(pout[1]);
  close(perr[1]);
  auto drain = [](int fd, std::string& s) {
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) s.append(buf, size_t(n));
    close(fd);
  };
  std::string errtext;
  drain(pout[0], out);  // ip's answers are small: stderr cannot fill its pipe meanwhile
  drain(perr[0], errtext);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  while (!errtext.empty() && errtext.back() == '\n') errtext.pop_back();
  err = errtext.empty() ? "ip failed" : errtext;
  return false;
}

std::vector<std::string> Base(const std::string& netns, Family f) {
  std::vector<std::string> a;
  if (!netns.empty()) a = {"-n", netns};
  a.push_back(f == Family::kV4 ? "-4" : "-6");
  a.push_back("-j");
  return a;
}

}  // namespace

bool KernelRouteGet(const std::string& netns, const analysis::Packet& pkt, uint32_t mark,
                    KernelRoute& out, std::string& err) {
  std::vector<std::string> a = Base(netns, pkt.family);
  for (const char* w : {"route", "get", "to"}) a.push_back(w);
  a.push_back(FormatAddr(pkt.dst));
  a.push_back("from");
  a.push_back(FormatAddr(pkt.src));
  if (!pkt.from_router) a.insert(a.end(), {"iif", pkt.iif});
  if (!pkt.oif.empty()) a.insert(a.end(), {"oif", pkt.oif});
  a.insert(a.end(), {"mark", std::to_string(mark)});
  std::string text;
  out = KernelRoute{};
  if (!RunIp(a, text, out.error)) return true;  // an answer too: the kernel refused the lookup
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array() || j.empty() || !j[0].is_object()) {
    err = "cannot read the answer of ip route get: " + text;
    return false;
  }
  const auto& r = j[0];
  out.found = true;
  out.type = r.value("type", "unicast");
  out.dev = r.value("dev", "");
  out.gateway = r.value("gateway", "");
  out.table = r.contains("table") ? r["table"].get<std::string>() : "main";
  return true;
}

bool KernelMainRoutes(const std::string& netns, std::vector<analysis::Route>& out,
                      std::string& err) {
  for (Family f : {Family::kV4, Family::kV6}) {
    std::vector<std::string> a = Base(netns, f);
    for (const char* w : {"route", "show", "table", "main"}) a.push_back(w);
    std::string text;
    if (!RunIp(a, text, err)) return false;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_array()) {
      err = "cannot read the main table: " + text;
      return false;
    }
    for (const auto& r : j) {
      if (r.value("type", "unicast") != "unicast" || !r.contains("dev")) continue;
      std::string dst = r.value("dst", "");
      analysis::Route route;
      route.family = f;
      route.table = ir::kMainTable;
      route.from_ir = false;
      route.device = r["dev"].get<std::string>();
      if (r.contains("gateway")) route.via = ParseAddr(r["gateway"].get<std::string>());
      if (dst == "default") {
        route.dst = Prefix{Addr{f, 0}, 0};
      } else {
        size_t slash = dst.find('/');
        auto addr = ParseAddr(dst.substr(0, slash));
        if (!addr) continue;
        int len = slash == std::string::npos ? Bits(f) : std::stoi(dst.substr(slash + 1));
        route.dst = Prefix{*addr, len};
      }
      out.push_back(route);
    }
  }
  return true;
}

}  // namespace pbrc::live
