// The netlink floor of bench/apply_bench.sh: the least work that puts IPv4 elements into an
// existing interval set, one libnftnl batch sent with libmnl, nothing else (no policy, no
// snapshot, no listing). apply's times are read as ratios against this, measured in the
// same run and namespace conditions.
//
// Usage: nftnl_floor [--netns NAME] TABLE SET ADD_FILE [DEL_FILE]
// --netns: enters /run/netns/NAME itself (setns), as `pbrc apply --netns` does, so the two
// are timed alike (`ip netns exec` would add its own exec and mount-namespace setup).
// The files hold one IPv4 address per line; each becomes the interval [a, a+1): a start
// key and an end key flagged NFT_SET_ELEM_INTERVAL_END, as nft sends a single address.
#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr size_t kChunk = 4096, kRoom = 65536 + 16384;

std::vector<uint32_t> Read(const char* path) {
  std::vector<uint32_t> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    in_addr a{};
    if (inet_pton(AF_INET, line.c_str(), &a) == 1) out.push_back(ntohl(a.s_addr));
  }
  return out;
}

void Append(std::vector<char>& buf, size_t& used, const char* table, const char* set,
            const std::vector<uint32_t>& addrs, bool del, uint32_t& seq) {
  for (size_t at = 0; at < addrs.size(); at += kChunk) {
    nftnl_set* s = nftnl_set_alloc();
    nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, set);
    for (size_t i = at; i < addrs.size() && i < at + kChunk; ++i) {
      for (uint32_t k = 0; k < 2; ++k) {
        uint32_t key = htonl(addrs[i] + k);
        nftnl_set_elem* e = nftnl_set_elem_alloc();
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, sizeof key);
        if (k) nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
        nftnl_set_elem_add(s, e);
      }
    }
    nftnl_set_elems_iter* it = nftnl_set_elems_iter_create(s);
    for (int more = 1; more == 1;) {
      if (buf.size() < used + kRoom) buf.resize(std::max(buf.size() * 2, used + kRoom));
      nlmsghdr* nlh =
          nftnl_nlmsg_build_hdr(buf.data() + used, del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
                                NFPROTO_INET, del ? 0 : NLM_F_CREATE, seq++);
      more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
      used += NLMSG_ALIGN(nlh->nlmsg_len);
    }
    nftnl_set_elems_iter_destroy(it);
    nftnl_set_free(s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "--netns") == 0) {
    std::string path = std::string("/run/netns/") + argv[2];
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) return perror(path.c_str()), 1;
    close(fd);
    argv += 2;
    argc -= 2;
  }
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: nftnl_floor [--netns NAME] TABLE SET ADD_FILE [DEL_FILE]\n");
    return 2;
  }
  std::vector<char> buf(kRoom);
  size_t used = 0;
  uint32_t seq = 1;
  used += NLMSG_ALIGN(nftnl_batch_begin(buf.data(), seq++)->nlmsg_len);
  if (argc == 5) Append(buf, used, argv[1], argv[2], Read(argv[4]), true, seq);
  Append(buf, used, argv[1], argv[2], Read(argv[3]), false, seq);
  buf.resize(used + kRoom);
  used += NLMSG_ALIGN(nftnl_batch_end(buf.data() + used, seq)->nlmsg_len);
  mnl_socket* nl = mnl_socket_open(NETLINK_NETFILTER);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) return perror("netlink"), 1;
  int size = int(used + 65536);
  setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
  if (mnl_socket_sendto(nl, buf.data(), used) < 0) return perror("sendto"), 1;
  // The kernel ran the batch inside sendto: any answer now is an error.
  char rbuf[MNL_SOCKET_BUFFER_SIZE];
  ssize_t n = recv(mnl_socket_get_fd(nl), rbuf, sizeof rbuf, MSG_DONTWAIT);
  if (n > 0) {
    auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_get_payload(reinterpret_cast<nlmsghdr*>(rbuf)));
    fprintf(stderr, "nftnl_floor: the kernel refused the batch: %s\n", strerror(-e->error));
    return 1;
  }
  mnl_socket_close(nl);
  return 0;
}
