// ip rules and routes through rtnetlink dumps on a raw NETLINK_ROUTE socket (no library:
// two dump requests and a dozen attributes do not justify a new dependency; see
// docs/architecture.md). Only objects with pbrc's protocol become plan objects; others are
// looked at only to warn where they can interfere.
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>

#include "live.h"
#include "pbrc/text.h"

namespace pbrc::live {
namespace {

using Attrs = std::map<int, std::string>;  // attribute type -> payload bytes

Attrs ParseAttrs(const rtattr* rta, int len) {
  Attrs out;
  for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
    out[rta->rta_type & NLA_TYPE_MASK] =
        std::string(static_cast<const char*>(RTA_DATA(rta)), RTA_PAYLOAD(rta));
  return out;
}

uint32_t U32(const Attrs& a, int type, uint32_t fallback) {
  auto it = a.find(type);
  if (it == a.end() || it->second.size() < 4) return fallback;
  uint32_t v;
  memcpy(&v, it->second.data(), 4);
  return v;
}

std::string Str(const Attrs& a, int type) {
  auto it = a.find(type);
  return it == a.end() ? "" : std::string(it->second.c_str());  // up to the NUL
}

// An address attribute as Addr (network byte order in the message).
std::optional<Addr> AddrOf(const Attrs& a, int type, int family) {
  auto it = a.find(type);
  size_t n = family == AF_INET ? 4 : 16;
  if (it == a.end() || it->second.size() < n) return std::nullopt;
  Addr out{family == AF_INET ? Family::kV4 : Family::kV6, 0};
  for (size_t i = 0; i < n; ++i) out.value = (out.value << 8) | uint8_t(it->second[i]);
  return out;
}

std::string PrefixText(const Attrs& a, int type, int family, int len) {
  auto addr = AddrOf(a, type, family);
  return addr ? FormatPrefix(Prefix{*addr, len}) : "";
}

// One dump request; `fn` sees every message. False with err on any netlink error.
bool Dump(int type, int family, const std::function<void(const nlmsghdr*)>& fn, std::string& err) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    err = std::string("netlink socket: ") + strerror(errno);
    return false;
  }
  struct {
    nlmsghdr nh;
    rtmsg rt;  // fib_rule_hdr has the same size and family at the same offset
  } req{};
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = type;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = 1;
  req.rt.rtm_family = family;
  const char* what = type == RTM_GETRULE ? "rule dump" : "route dump";
  bool ok = send(fd, &req, sizeof req, 0) == sizeof req;
  if (!ok) err = std::string("netlink ") + what + ": " + strerror(errno);
  std::vector<char> buf(1 << 16);
  for (bool done = !ok; !done;) {
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = std::string("netlink ") + what + ": " + (n < 0 ? strerror(errno) : "socket closed");
      ok = false;
      break;
    }
    int len = static_cast<int>(n);
    for (auto* nh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nh, len);
         nh = NLMSG_NEXT(nh, len)) {
      if (nh->nlmsg_type == NLMSG_DONE) {
        done = true;
        break;
      }
      if (nh->nlmsg_type == NLMSG_ERROR) {
        auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(nh));
        err = std::string("netlink ") + what + ": " + strerror(-e->error);
        ok = false;
        done = true;
        break;
      }
      fn(nh);
    }
  }
  close(fd);
  return ok;
}

const char* Fam(int family) { return family == AF_INET ? "ip" : "ip6"; }

// The ip rule's selector, spelled as plan::FromProgram spells it.
std::string RuleSelector(const fib_rule_hdr* h, const Attrs& a) {
  std::string out;
  if (h->src_len) out += " from " + PrefixText(a, FRA_SRC, h->family, h->src_len);
  if (h->dst_len) out += " to " + PrefixText(a, FRA_DST, h->family, h->dst_len);
  if (a.count(FRA_IIFNAME)) out += " iif " + Str(a, FRA_IIFNAME);
  if (a.count(FRA_OIFNAME)) out += " oif " + Str(a, FRA_OIFNAME);
  if (a.count(FRA_FWMARK))
    out += " fwmark " + Hex(U32(a, FRA_FWMARK, 0)) + "/" + Hex(U32(a, FRA_FWMASK, 0xffffffff));
  uint32_t suppress = U32(a, FRA_SUPPRESS_PREFIXLEN, 0xffffffff);
  if (suppress != 0xffffffff) out += " suppress_prefixlength " + std::to_string(suppress);
  return out.empty() ? " all" : out;
}

void OneRule(const nlmsghdr* nh, const Ownership& own, plan::State& out,
             std::vector<std::string>& warnings) {
  if (nh->nlmsg_type != RTM_NEWRULE) return;
  auto* h = static_cast<const fib_rule_hdr*>(NLMSG_DATA(nh));
  if (h->family != AF_INET && h->family != AF_INET6) return;
  Attrs a = ParseAttrs(
      reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(h) + NLMSG_ALIGN(sizeof *h)),
      static_cast<int>(nh->nlmsg_len - NLMSG_LENGTH(sizeof *h)));
  uint32_t pref = U32(a, FRA_PRIORITY, 0);
  uint32_t proto = a.count(FRA_PROTOCOL) ? uint8_t(a.at(FRA_PROTOCOL)[0]) : 0;
  std::string key =
      std::string(Fam(h->family)) + " pref " + std::to_string(pref) + RuleSelector(h, a);
  if (proto != own.protocol) {
    if (pref >= own.pref_lo && pref <= own.pref_hi)
      warnings.push_back("ip rule '" + key + "' (protocol " + std::to_string(proto) +
                         ") is inside pbrc's preference band " + std::to_string(own.pref_lo) + "-" +
                         std::to_string(own.pref_hi) +
                         "; pbrc leaves it alone, but it can match before pbrc's rules");
    return;
  }
  std::string attrs = "lookup " + std::to_string(U32(a, FRA_TABLE, h->table)) + " protocol " +
                      std::to_string(proto);
  if (h->action != FR_ACT_TO_TBL) attrs += " action " + std::to_string(h->action);
  out.objects.push_back({plan::Kind::kIpRule, key, attrs, "", {}});
}

std::string DevName(const Attrs& a) {
  char name[IF_NAMESIZE] = {0};
  uint32_t index = U32(a, RTA_OIF, 0);
  if (index && if_indextoname(index, name)) return name;
  return index ? "if" + std::to_string(index) : "";
}

void OneRoute(const nlmsghdr* nh, const Ownership& own, plan::State& out,
              std::vector<std::string>& warnings) {
  if (nh->nlmsg_type != RTM_NEWROUTE) return;
  auto* r = static_cast<const rtmsg*>(NLMSG_DATA(nh));
  if (r->rtm_family != AF_INET && r->rtm_family != AF_INET6) return;
  Attrs a = ParseAttrs(RTM_RTA(r), static_cast<int>(RTM_PAYLOAD(nh)));
  uint32_t table = U32(a, RTA_TABLE, r->rtm_table);
  std::string dst =
      r->rtm_dst_len ? PrefixText(a, RTA_DST, r->rtm_family, r->rtm_dst_len) : "default";
  std::string key = std::string(Fam(r->rtm_family)) + " table " + std::to_string(table) + " " + dst;
  if (r->rtm_protocol != own.protocol) {
    bool ours = std::find(own.tables.begin(), own.tables.end(), table) != own.tables.end();
    if (ours && r->rtm_type == RTN_UNICAST)
      warnings.push_back("route '" + key + "' (protocol " + std::to_string(r->rtm_protocol) +
                         ") is in one of pbrc's tables; pbrc leaves it alone, but it is used "
                         "by pbrc's marked traffic");
    return;
  }
  auto via = AddrOf(a, RTA_GATEWAY, r->rtm_family);
  std::string attrs = via ? "via " + FormatAddr(*via) + " " : "";
  attrs += "dev " + DevName(a) + " proto " + std::to_string(r->rtm_protocol);
  if (r->rtm_type != RTN_UNICAST) attrs += " type " + std::to_string(r->rtm_type);
  out.objects.push_back({plan::Kind::kRoute, key, attrs, "", {}});
}

}  // namespace

bool ReadIpRules(const Ownership& own, plan::State& out, std::vector<std::string>& warnings,
                 std::string& err) {
  for (int family : {AF_INET, AF_INET6}) {
    auto fn = [&](const nlmsghdr* nh) { OneRule(nh, own, out, warnings); };
    if (!Dump(RTM_GETRULE, family, fn, err)) return false;
  }
  return true;
}

bool ReadRoutes(const Ownership& own, plan::State& out, std::vector<std::string>& warnings,
                std::string& err) {
  for (int family : {AF_INET, AF_INET6}) {
    auto fn = [&](const nlmsghdr* nh) { OneRoute(nh, own, out, warnings); };
    if (!Dump(RTM_GETROUTE, family, fn, err)) return false;
  }
  return true;
}

}  // namespace pbrc::live
