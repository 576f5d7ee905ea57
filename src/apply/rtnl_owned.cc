// pbrc's ip rules and routes as raw rtnetlink messages: dumped, deleted and added back
// exactly as the kernel gave them (what `ip route save/restore` does, which this iproute2
// cannot do for rules with a protocol filter). A message keeps every attribute, including
// ones pbrc never writes, so a restore is exact for whatever carried pbrc's protocols.
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "internal.h"

namespace pbrc::apply {
namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  bool Ok(std::string& err) const {
    if (fd_ < 0) err = std::string("netlink socket: ") + strerror(errno);
    return fd_ >= 0;
  }
  // Sends one message and reads replies until DONE or the ACK; `fn` sees data messages.
  // A negative kernel error is returned in `kerr` (0 = success).
  bool Talk(nlmsghdr* nh, const std::function<void(const nlmsghdr*)>& fn, int& kerr,
            std::string& err) {
    nh->nlmsg_seq = ++seq_;
    kerr = 0;
    if (send(fd_, nh, nh->nlmsg_len, 0) != ssize_t(nh->nlmsg_len)) {
      err = std::string("netlink send: ") + strerror(errno);
      return false;
    }
    std::vector<char> buf(1 << 17);
    for (;;) {
      ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = std::string("netlink receive: ") + (n < 0 ? strerror(errno) : "socket closed");
        return false;
      }
      int len = static_cast<int>(n);
      for (auto* m = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(m, len);
           m = NLMSG_NEXT(m, len)) {
        if (m->nlmsg_seq != seq_) continue;
        if (m->nlmsg_type == NLMSG_DONE) return true;
        if (m->nlmsg_type == NLMSG_ERROR) {
          kerr = static_cast<nlmsgerr*>(NLMSG_DATA(m))->error;
          return true;
        }
        fn(m);
      }
    }
  }

 private:
  int fd_;
  uint32_t seq_ = 0;
};

uint32_t ProtocolOf(const nlmsghdr* nh) {
  if (nh->nlmsg_type == RTM_NEWROUTE)
    return static_cast<const rtmsg*>(NLMSG_DATA(nh))->rtm_protocol;
  auto* h = static_cast<const fib_rule_hdr*>(NLMSG_DATA(nh));
  int len = static_cast<int>(nh->nlmsg_len - NLMSG_LENGTH(sizeof *h));
  auto* rta =
      reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(h) + NLMSG_ALIGN(sizeof *h));
  for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
    if ((rta->rta_type & NLA_TYPE_MASK) == FRA_PROTOCOL && RTA_PAYLOAD(rta) >= 1)
      return *static_cast<const uint8_t*>(RTA_DATA(rta));
  return 0;
}

bool DumpAll(Socket& s, int type, int family, const std::vector<uint32_t>& protocols,
             std::vector<std::string>& out, std::string& err) {
  struct {
    nlmsghdr nh;
    rtmsg rt;
  } req{};
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = type;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.rt.rtm_family = family;
  int kerr = 0;
  auto fn = [&](const nlmsghdr* m) {
    if (m->nlmsg_type != RTM_NEWROUTE && m->nlmsg_type != RTM_NEWRULE) return;
    uint32_t p = ProtocolOf(m);
    if (std::find(protocols.begin(), protocols.end(), p) != protocols.end())
      out.emplace_back(reinterpret_cast<const char*>(m), m->nlmsg_len);
  };
  if (!s.Talk(&req.nh, fn, kerr, err)) return false;
  if (kerr) err = std::string("netlink dump: ") + strerror(-kerr);
  return kerr == 0;
}

// Sends a dumped message back as `type` (add or delete) with `flags`.
int Send(Socket& s, const std::string& msg, int type, int flags, std::string& err) {
  std::string copy = msg;
  auto* nh = reinterpret_cast<nlmsghdr*>(copy.data());
  nh->nlmsg_type = type;
  nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  int kerr = 0;
  if (!s.Talk(
          nh, [](const nlmsghdr*) {}, kerr, err))
    return -EIO;
  return kerr;
}

// Flags the kernel reports about a route's state, not parts of the route: a route whose
// device has no carrier is dumped with RTNH_F_LINKDOWN, and the kernel refuses a new route
// that carries it (EINVAL), so a restore while an uplink is down would fail exactly when a
// rollback is needed most. They are cleared in the header and in every multipath nexthop.
constexpr unsigned kRouteStatusFlags =
    RTNH_COMPARE_MASK | RTNH_F_UNRESOLVED | RTM_F_OFFLOAD | RTM_F_TRAP | RTM_F_OFFLOAD_FAILED;

void ClearRouteStatus(std::string& msg) {
  auto* nh = reinterpret_cast<nlmsghdr*>(msg.data());
  auto* rt = static_cast<rtmsg*>(NLMSG_DATA(nh));
  rt->rtm_flags &= ~kRouteStatusFlags;
  int len = static_cast<int>(nh->nlmsg_len - NLMSG_LENGTH(sizeof *rt));
  for (auto* rta = RTM_RTA(rt); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
    if ((rta->rta_type & NLA_TYPE_MASK) != RTA_MULTIPATH) continue;
    int left = static_cast<int>(RTA_PAYLOAD(rta));
    for (auto* hop = static_cast<rtnexthop*>(RTA_DATA(rta)); RTNH_OK(hop, left);
         left -= RTNH_ALIGN(hop->rtnh_len), hop = RTNH_NEXT(hop))
      hop->rtnh_flags &= ~static_cast<unsigned char>(RTNH_COMPARE_MASK);
  }
}

}  // namespace

bool DumpOwned(const std::vector<uint32_t>& protocols, std::vector<std::string>& msgs,
               std::string& err) {
  Socket s;
  if (!s.Ok(err)) return false;
  for (int family : {AF_INET, AF_INET6})
    if (!DumpAll(s, RTM_GETRULE, family, protocols, msgs, err) ||
        !DumpAll(s, RTM_GETROUTE, family, protocols, msgs, err))
      return false;
  return true;
}

bool FlushOwned(const std::vector<uint32_t>& protocols, std::string& err) {
  std::vector<std::string> msgs;
  if (!DumpOwned(protocols, msgs, err)) return false;
  Socket s;
  if (!s.Ok(err)) return false;
  for (const auto& m : msgs) {
    bool rule = reinterpret_cast<const nlmsghdr*>(m.data())->nlmsg_type == RTM_NEWRULE;
    int kerr = Send(s, m, rule ? RTM_DELRULE : RTM_DELROUTE, 0, err);
    if (kerr == -EIO && !err.empty()) return false;
    if (kerr && kerr != -ENOENT && kerr != -ESRCH) {
      err = std::string("deleting one of pbrc's ") + (rule ? "ip rules" : "routes") + ": " +
            strerror(-kerr);
      return false;
    }
  }
  return true;
}

bool AddMessages(const std::vector<std::string>& msgs, std::string& err) {
  Socket s;
  if (!s.Ok(err)) return false;
  for (std::string m : msgs) {
    bool rule = reinterpret_cast<const nlmsghdr*>(m.data())->nlmsg_type == RTM_NEWRULE;
    if (!rule) ClearRouteStatus(m);
    int kerr = Send(s, m, rule ? RTM_NEWRULE : RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, err);
    if (kerr == -EIO && !err.empty()) return false;
    if (kerr && kerr != -EEXIST) {
      err = std::string("restoring one of pbrc's ") + (rule ? "ip rules" : "routes") + ": " +
            strerror(-kerr);
      return false;
    }
  }
  return true;
}

}  // namespace pbrc::apply
