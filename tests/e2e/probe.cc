// probe: the end-to-end tests' traffic tool. Every mode is bounded in time and packets.
//   probe serve [--port P] [--seconds S]       UDP+TCP server (both families); answers each
//                                              datagram or connection with "SEEN <peer address>"
//   probe udp|tcp --to A [--port P] [--from S] [--dev D] [--mark M] [--timeout-ms T]
//                                              prints the answer ("SEEN x"), or REFUSED (an ICMP
//                                              error came back; exit 2), TIMEOUT (exit 1),
//                                              ERROR <text> (exit 3)
//   probe icmp-reply --from S --to D [--id N] [--seq N]
//                                              sends one forged IPv4 ICMP echo reply
//   probe icmp-listen --from S [--timeout-ms T] waits for an echo reply from S: GOT (exit 0)
//   probe sample --per-list N FILE...          prints "ADDRESS INDEX" for N addresses of each
//                                              list file that no earlier list contains
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> Flags(int argc, char** argv, int first) {
  std::map<std::string, std::string> f;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0 && i + 1 < argc) {
      f[a.substr(2)] = argv[++i];
    } else {
      f["_" + std::to_string(f.size())] = a;
    }
  }
  return f;
}

std::string Get(const std::map<std::string, std::string>& f, const char* k, const char* def) {
  auto it = f.find(k);
  return it == f.end() ? def : it->second;
}

[[noreturn]] void Die(const std::string& what) {
  printf("ERROR %s: %s\n", what.c_str(), strerror(errno));
  exit(3);
}

bool ParseSockaddr(const std::string& addr, int port, sockaddr_storage& ss, socklen_t& len) {
  memset(&ss, 0, sizeof ss);
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, addr.c_str(), &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    len = sizeof *s4;
    return true;
  }
  if (inet_pton(AF_INET6, addr.c_str(), &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    len = sizeof *s6;
    return true;
  }
  return false;
}

std::string PeerText(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  } else {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
      inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
    }
  }
  return buf;
}

// Answers one datagram from the address it was sent to (a server with many addresses on lo
// must not answer from another one: the client's connected socket would drop it).
void AnswerDatagram(int s, bool v6) {
  char buf[2048];
  char cbuf[256];
  sockaddr_storage peer{};
  iovec iov{buf, sizeof buf};
  msghdr m{};
  m.msg_name = &peer;
  m.msg_namelen = sizeof peer;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = sizeof cbuf;
  if (recvmsg(s, &m, 0) < 0) return;
  std::string reply = "SEEN " + PeerText(peer) + "\n";
  char obuf[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  msghdr out{};
  iovec oiov{reply.data(), reply.size()};
  out.msg_name = &peer;
  out.msg_namelen = m.msg_namelen;
  out.msg_iov = &oiov;
  out.msg_iovlen = 1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (!v6 && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo pi = *reinterpret_cast<in_pktinfo*>(CMSG_DATA(c));
      in_pktinfo o{};
      o.ipi_spec_dst = pi.ipi_addr;
      out.msg_control = obuf;
      out.msg_controllen = CMSG_SPACE(sizeof o);
      cmsghdr* oc = CMSG_FIRSTHDR(&out);
      oc->cmsg_level = IPPROTO_IP;
      oc->cmsg_type = IP_PKTINFO;
      oc->cmsg_len = CMSG_LEN(sizeof o);
      memcpy(CMSG_DATA(oc), &o, sizeof o);
    }
    if (v6 && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi = *reinterpret_cast<in6_pktinfo*>(CMSG_DATA(c));
      pi.ipi6_ifindex = 0;
      out.msg_control = obuf;
      out.msg_controllen = CMSG_SPACE(sizeof pi);
      cmsghdr* oc = CMSG_FIRSTHDR(&out);
      oc->cmsg_level = IPPROTO_IPV6;
      oc->cmsg_type = IPV6_PKTINFO;
      oc->cmsg_len = CMSG_LEN(sizeof pi);
      memcpy(CMSG_DATA(oc), &pi, sizeof pi);
    }
  }
  sendmsg(s, &out, 0);
}

int Serve(const std::map<std::string, std::string>& f) {
  int port = std::stoi(Get(f, "port", "7000"));
  int seconds = std::stoi(Get(f, "seconds", "300"));
  int off = 0, on = 1;
  sockaddr_in any4{};
  any4.sin_family = AF_INET;
  any4.sin_port = htons(port);
  sockaddr_in6 any6{};
  any6.sin6_family = AF_INET6;
  any6.sin6_port = htons(port);
  int u4 = socket(AF_INET, SOCK_DGRAM, 0);
  int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
  int t = socket(AF_INET6, SOCK_STREAM, 0);
  if (u4 < 0 || u6 < 0 || t < 0) Die("socket");
  setsockopt(u4, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  setsockopt(u6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  setsockopt(u6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
  setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (bind(u4, reinterpret_cast<sockaddr*>(&any4), sizeof any4) != 0) Die("bind udp4");
  if (bind(u6, reinterpret_cast<sockaddr*>(&any6), sizeof any6) != 0) Die("bind udp6");
  if (bind(t, reinterpret_cast<sockaddr*>(&any6), sizeof any6) != 0) Die("bind tcp");
  if (listen(t, 64) != 0) Die("listen");
  auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    pollfd p[3] = {{u4, POLLIN, 0}, {u6, POLLIN, 0}, {t, POLLIN, 0}};
    if (poll(p, 3, 500) <= 0) continue;
    if (p[0].revents & POLLIN) AnswerDatagram(u4, false);
    if (p[1].revents & POLLIN) AnswerDatagram(u6, true);
    if (p[2].revents & POLLIN) {
      sockaddr_storage peer{};
      socklen_t plen = sizeof peer;
      int c = accept(t, reinterpret_cast<sockaddr*>(&peer), &plen);
      if (c >= 0) {
        std::string reply = "SEEN " + PeerText(peer) + "\n";
        ssize_t w = write(c, reply.data(), reply.size());
        (void)w;
        close(c);
      }
    }
  }
  return 0;
}

int Client(bool tcp, const std::map<std::string, std::string>& f) {
  sockaddr_storage to{};
  socklen_t tolen = 0;
  if (!ParseSockaddr(Get(f, "to", ""), std::stoi(Get(f, "port", "7000")), to, tolen)) {
    printf("ERROR bad --to\n");
    return 3;
  }
  int timeout = std::stoi(Get(f, "timeout-ms", "1500"));
  int s = socket(to.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (s < 0) Die("socket");
  std::string dev = Get(f, "dev", "");
  if (!dev.empty() && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), dev.size()) != 0) {
    Die("SO_BINDTODEVICE");
  }
  std::string mark = Get(f, "mark", "");
  if (!mark.empty()) {
    unsigned m = std::stoul(mark, nullptr, 0);
    if (setsockopt(s, SOL_SOCKET, SO_MARK, &m, sizeof m) != 0) Die("SO_MARK");
  }
  std::string from = Get(f, "from", "");
  if (!from.empty()) {
    sockaddr_storage src{};
    socklen_t slen = 0;
    if (!ParseSockaddr(from, 0, src, slen) ||
        bind(s, reinterpret_cast<sockaddr*>(&src), slen) != 0) {
      Die("bind " + from);
    }
  }
  timeval tv{timeout / 1000, (timeout % 1000) * 1000};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(s, reinterpret_cast<sockaddr*>(&to), tolen) != 0) {
    if (errno == ECONNREFUSED) {
      printf("REFUSED\n");
      return 2;
    }
    if (errno == EINPROGRESS || errno == EAGAIN || errno == ETIMEDOUT) {
      printf("TIMEOUT\n");
      return 1;
    }
    Die("connect");
  }
  if (!tcp && send(s, "probe", 5, 0) < 0) Die("send");
  char buf[256];
  ssize_t n = recv(s, buf, sizeof buf - 1, 0);
  if (n < 0) {
    if (errno == ECONNREFUSED) {
      printf("REFUSED\n");
      return 2;
    }
    printf("TIMEOUT\n");
    return 1;
  }
  buf[n] = 0;
  printf("%s", buf);
  return 0;
}

uint16_t Checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (n & 1) sum += p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

int IcmpReply(const std::map<std::string, std::string>& f) {
  uint8_t pkt[20 + 8 + 8] = {};
  in_addr src{}, dst{};
  if (inet_pton(AF_INET, Get(f, "from", "").c_str(), &src) != 1 ||
      inet_pton(AF_INET, Get(f, "to", "").c_str(), &dst) != 1) {
    printf("ERROR bad --from/--to\n");
    return 3;
  }
  pkt[0] = 0x45;
  pkt[3] = sizeof pkt;
  pkt[8] = 64;
  pkt[9] = IPPROTO_ICMP;
  memcpy(pkt + 12, &src, 4);
  memcpy(pkt + 16, &dst, 4);
  uint8_t* icmp = pkt + 20;
  icmp[0] = ICMP_ECHOREPLY;
  uint16_t id = static_cast<uint16_t>(std::stoi(Get(f, "id", "4242")));
  uint16_t seq = static_cast<uint16_t>(std::stoi(Get(f, "seq", "1")));
  icmp[4] = id >> 8;
  icmp[5] = id & 0xff;
  icmp[6] = seq >> 8;
  icmp[7] = seq & 0xff;
  memcpy(icmp + 8, "pbrcpbrc", 8);
  uint16_t c = Checksum(icmp, 16);
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  uint16_t ipc = Checksum(pkt, 20);
  pkt[10] = ipc >> 8;
  pkt[11] = ipc & 0xff;
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (s < 0) Die("raw socket");
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = dst;
  if (sendto(s, pkt, sizeof pkt, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) Die("sendto");
  printf("SENT\n");
  return 0;
}

int IcmpListen(const std::map<std::string, std::string>& f) {
  in_addr want{};
  if (inet_pton(AF_INET, Get(f, "from", "").c_str(), &want) != 1) {
    printf("ERROR bad --from\n");
    return 3;
  }
  int timeout = std::stoi(Get(f, "timeout-ms", "3000"));
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (s < 0) Die("raw socket");
  printf("READY\n");
  fflush(stdout);
  auto end = Clock::now() + std::chrono::milliseconds(timeout);
  while (Clock::now() < end) {
    pollfd p{s, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count());
    if (poll(&p, 1, std::max(left, 1)) <= 0) continue;
    uint8_t buf[1500];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n < 28) continue;
    size_t ihl = (buf[0] & 0xf) * 4;
    if (memcmp(buf + 12, &want, 4) == 0 && static_cast<size_t>(n) > ihl &&
        buf[ihl] == ICMP_ECHOREPLY) {
      printf("GOT\n");
      return 0;
    }
  }
  printf("TIMEOUT\n");
  return 1;
}

// Sampling for the operators scenario: intervals per list, first list wins.
struct Iv {
  bool v6;
  unsigned __int128 lo, hi;
};

bool ParsePrefix(const std::string& line, Iv& out, std::string& first_host) {
  size_t slash = line.find('/');
  std::string a = line.substr(0, slash);
  int len = slash == std::string::npos ? -1 : std::stoi(line.substr(slash + 1));
  unsigned char b[16];
  unsigned __int128 v = 0;
  int bits;
  if (inet_pton(AF_INET6, a.c_str(), b) == 1) {
    for (int i = 0; i < 16; ++i) v = (v << 8) | b[i];
    bits = 128;
    out.v6 = true;
  } else if (inet_pton(AF_INET, a.c_str(), b) == 1) {
    for (int i = 0; i < 4; ++i) v = (v << 8) | b[i];
    bits = 32;
    out.v6 = false;
  } else {
    return false;
  }
  if (len < 0) len = bits;
  unsigned __int128 host =
      bits - len >= 128 ? ~(unsigned __int128)0 : (((unsigned __int128)1 << (bits - len)) - 1);
  out.lo = v & ~host;
  out.hi = v | host;
  unsigned __int128 h = out.lo + (out.hi > out.lo ? 1 : 0);
  char txt[INET6_ADDRSTRLEN];
  if (out.v6) {
    for (int i = 15; i >= 0; --i) b[i] = static_cast<unsigned char>(h >> (8 * (15 - i)));
    inet_ntop(AF_INET6, b, txt, sizeof txt);
  } else {
    for (int i = 3; i >= 0; --i) b[i] = static_cast<unsigned char>(h >> (8 * (3 - i)));
    inet_ntop(AF_INET, b, txt, sizeof txt);
  }
  first_host = txt;
  return true;
}

int Sample(const std::map<std::string, std::string>& f) {
  int per = std::stoi(Get(f, "per-list", "3"));
  std::vector<std::vector<std::pair<Iv, std::string>>> lists;
  for (size_t i = 0;; ++i) {
    auto it = f.find("_" + std::to_string(i + 1));
    if (it == f.end()) break;
    std::ifstream in(it->second);
    if (!in) {
      printf("ERROR cannot read %s\n", it->second.c_str());
      return 3;
    }
    std::vector<std::pair<Iv, std::string>> entries;
    std::string line;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find('#'));
      while (!line.empty() && isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
      Iv iv;
      std::string host;
      if (!line.empty() && ParsePrefix(line, iv, host)) entries.push_back({iv, host});
    }
    lists.push_back(std::move(entries));
  }
  for (size_t li = 0; li < lists.size(); ++li) {
    const auto& l = lists[li];
    int printed = 0;
    // Spread the samples over the list: first, middle, last, ...
    for (size_t k = 0; k < l.size() && printed < per; ++k) {
      size_t idx = (k * 7919) % l.size();
      const auto& [iv, host] = l[idx];
      unsigned __int128 h = iv.lo + (iv.hi > iv.lo ? 1 : 0);
      bool earlier = false;
      for (size_t lj = 0; lj < li && !earlier; ++lj) {
        for (const auto& [o, unused] : lists[lj]) {
          if (o.v6 == iv.v6 && o.lo <= h && h <= o.hi) {
            earlier = true;
            break;
          }
        }
      }
      if (earlier) continue;
      printf("%s %zu\n", host.c_str(), li);
      ++printed;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: probe serve|udp|tcp|icmp-reply|icmp-listen|sample ...\n");
    return 3;
  }
  std::string mode = argv[1];
  auto f = Flags(argc, argv, 2);
  if (mode == "serve") return Serve(f);
  if (mode == "udp") return Client(false, f);
  if (mode == "tcp") return Client(true, f);
  if (mode == "icmp-reply") return IcmpReply(f);
  if (mode == "icmp-listen") return IcmpListen(f);
  if (mode == "sample") return Sample(f);
  fprintf(stderr, "probe: unknown mode %s\n", mode.c_str());
  return 3;
}
