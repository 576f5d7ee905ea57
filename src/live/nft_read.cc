// The nft side through libnftables: the live table listed as JSON, and the desired ruleset
// loaded into a private network namespace (a child process that unshares, loads, lists and
// exits) so the kernel lists both sides in its own words: `meta mark set meta mark &
// 0xfffffff0 | 0x2` comes back as `& 0xfffffff2 | 0x00000002` on both.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "live.h"

namespace pbrc::live {
namespace {

// nft 1.0.6 takes no quoted table name in `list table`, so a name that is not a plain
// identifier is refused here rather than spliced into a command.
bool ListCommand(const std::string& table, std::string& cmd, std::string& err,
                 const std::string& family = "inet") {
  bool plain = !table.empty() && table.size() <= 64 && !isdigit(uint8_t(table[0]));
  for (char c : table) plain = plain && (isalnum(uint8_t(c)) || c == '_' || c == '-');
  if (!plain) {
    err = "nft table name '" + table + "' cannot be listed (letters, digits, '_' and '-' only)";
    return false;
  }
  static const char* kFamilies[] = {"ip", "ip6", "inet", "arp", "bridge", "netdev"};
  if (std::find(std::begin(kFamilies), std::end(kFamilies), family) == std::end(kFamilies)) {
    err = "nft table family '" + family + "' is not known";
    return false;
  }
  cmd = "list table " + family + " " + table;
  return true;
}

}  // namespace

bool ListNftTable(const std::string& table, std::string& json, bool& exists, std::string& err) {
  std::string cmd;
  if (!ListCommand(table, cmd, err)) return false;
  NftSession ctx(true);
  exists = true;
  if (ctx.Run(cmd, json)) return true;
  std::string why = json, lerr;
  // Tell "no such table" (nothing applied yet) from a real failure.
  std::vector<TableName> tables;
  if (ListNftTables(tables, lerr)) {
    bool found = false;
    for (const auto& t : tables) found = found || (t.family == "inet" && t.name == table);
    if (!found) {
      exists = false;
      json.clear();
      return true;
    }
  }
  err = "nft list table inet " + table + ": " + why;
  return false;
}

bool ListNftTableOf(const TableName& t, std::string& json, std::string& err) {
  std::string cmd;
  if (!ListCommand(t.name, cmd, err, t.family)) return false;
  NftSession ctx(true);
  if (ctx.Run(cmd, json)) return true;
  err = "nft " + cmd + ": " + json;
  return false;
}

bool CanonicalNftListing(const std::string& nft_script, const std::string& table, std::string& json,
                         std::string& err) {
  std::string cmd;
  if (!ListCommand(table, cmd, err)) return false;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    err = std::string("pipe: ") + strerror(errno);
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    err = std::string("fork: ") + strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    bool ok = unshare(CLONE_NEWNET) == 0;
    if (!ok) out = std::string("unshare(CLONE_NEWNET): ") + strerror(errno);
    NftSession ctx(true);
    ok = ok && ctx.Run(nft_script, out) && ctx.Run(cmd, out);
    std::string msg = (ok ? "0" : "1") + out;
    for (size_t off = 0; off < msg.size();) {
      ssize_t n = write(fds[1], msg.data() + off, msg.size() - off);
      if (n <= 0) break;
      off += n;
    }
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  std::string msg;
  char buf[65536];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    msg.append(buf, n);
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (msg.empty() || msg[0] != '0' || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    err = "loading the desired ruleset in a private namespace: " +
          (msg.size() > 1 ? msg.substr(1) : std::string("child failed"));
    return false;
  }
  json = msg.substr(1);
  return true;
}

}  // namespace pbrc::live
