// A bounded UDP sender for bench/dataplane_bench.sh: IPv4/UDP datagrams of a fixed size,
// built by hand on a raw socket so that every datagram can carry its own source address and
// port (a new conntrack entry per datagram in the router), sent with sendmmsg until COUNT
// datagrams or MS milliseconds, whichever comes first. It only sends to the address it is
// given, which the benchmark takes from its own namespaces. Prints "sent N ns T".
//
// Usage: dataplane_sender DST DPORT SRC_BASE NSRC NPORTS COUNT MS [FRAME_BYTES]
//   flow i: source SRC_BASE + (i / NPORTS) % NSRC, source port 1024 + i % NPORTS;
//   NSRC = NPORTS = 1 is one flow. FRAME_BYTES (default 64) counts the Ethernet header
//   and FCS, as a 64-byte frame is usually meant.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { kBatch = 64, kMaxPacket = 1500 };

static uint64_t NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int ParseU64(const char* s, uint64_t max, uint64_t* out) {
  char* end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v > max) return 0;
  *out = v;
  return 1;
}

static int Usage(const char* why) {
  fprintf(stderr, "dataplane_sender: %s\n", why);
  fprintf(stderr,
          "usage: dataplane_sender DST DPORT SRC_BASE NSRC NPORTS COUNT MS [FRAME_BYTES]\n");
  return 2;
}

int main(int argc, char** argv) {
  if (argc != 8 && argc != 9) return Usage("wrong number of arguments");
  struct in_addr dst, src_base;
  uint64_t dport, nsrc, nports, count, ms, frame = 64;
  if (inet_pton(AF_INET, argv[1], &dst) != 1) return Usage("DST is not an IPv4 address");
  if (inet_pton(AF_INET, argv[3], &src_base) != 1) return Usage("SRC_BASE is not an IPv4 address");
  if (!ParseU64(argv[2], 65535, &dport) || !ParseU64(argv[4], 1u << 24, &nsrc) || nsrc == 0 ||
      !ParseU64(argv[5], 64511, &nports) || nports == 0 || !ParseU64(argv[6], 1u << 30, &count) ||
      !ParseU64(argv[7], 600000, &ms) || (argc == 9 && !ParseU64(argv[8], 1514, &frame)))
    return Usage("a number is out of range");
  // Ethernet header (14) and FCS (4) are not ours to write; IPv4 (20) and UDP (8) are.
  if (frame < 18 + 28) return Usage("FRAME_BYTES is below 46");
  size_t len = (size_t)frame - 18;

  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);  // IPPROTO_RAW implies IP_HDRINCL
  if (fd < 0) {
    perror("dataplane_sender: socket(SOCK_RAW)");
    return 1;
  }
  static unsigned char pkt[kBatch][kMaxPacket];
  struct mmsghdr msgs[kBatch];
  struct iovec iov[kBatch];
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst};
  memset(msgs, 0, sizeof msgs);
  for (int b = 0; b < kBatch; ++b) {
    memset(pkt[b], 0, len);
    struct iphdr* ip = (struct iphdr*)pkt[b];
    ip->version = 4;
    ip->ihl = 5;
    ip->ttl = 64;
    ip->protocol = IPPROTO_UDP;
    ip->tot_len = htons((uint16_t)len);  // the kernel fills the checksum and id
    ip->daddr = dst.s_addr;
    struct udphdr* udp = (struct udphdr*)(pkt[b] + 20);
    udp->dest = htons((uint16_t)dport);
    udp->len = htons((uint16_t)(len - 20));  // checksum 0: none, valid for IPv4
    iov[b].iov_base = pkt[b];
    iov[b].iov_len = len;
    msgs[b].msg_hdr.msg_iov = &iov[b];
    msgs[b].msg_hdr.msg_iovlen = 1;
    msgs[b].msg_hdr.msg_name = &to;
    msgs[b].msg_hdr.msg_namelen = sizeof to;
  }

  uint32_t base = ntohl(src_base.s_addr);
  uint64_t sent = 0, start = NowNs(), deadline = start + ms * 1000000u;
  while (sent < count && NowNs() < deadline) {
    unsigned n = count - sent < kBatch ? (unsigned)(count - sent) : kBatch;
    for (unsigned b = 0; b < n; ++b) {
      uint64_t i = sent + b;
      struct iphdr* ip = (struct iphdr*)pkt[b];
      struct udphdr* udp = (struct udphdr*)(pkt[b] + 20);
      ip->saddr = htonl(base + (uint32_t)((i / nports) % nsrc));
      udp->source = htons((uint16_t)(1024 + i % nports));
    }
    int r = sendmmsg(fd, msgs, n, 0);
    if (r < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
      perror("dataplane_sender: sendmmsg");
      return 1;
    }
    sent += (uint64_t)r;
  }
  printf("sent %llu ns %llu\n", (unsigned long long)sent, (unsigned long long)(NowNs() - start));
  return 0;
}
