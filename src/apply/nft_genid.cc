// The nftables ruleset generation id (NFT_MSG_GETGEN) and its record in a generation folder.
// Every committed nft transaction in a network namespace moves the id by one, so an id equal
// to the one recorded after pbrc's own commit proves nothing changed any nft object since:
// the table is then exactly the recorded generation's, and apply need not list its sets
// (docs/architecture.md, "Trusting the generation id"). The id restarts with every boot and
// namespace, so the record also names the boot and the namespace it was read in.
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>

#include "internal.h"

namespace pbrc::apply {
namespace {

int OnGen(const nlmsghdr* nlh, void* data) {
  std::unique_ptr<nftnl_gen, void (*)(const nftnl_gen*)> g(nftnl_gen_alloc(), nftnl_gen_free);
  if (nftnl_gen_nlmsg_parse(nlh, g.get()) < 0 || !nftnl_gen_is_set(g.get(), NFTNL_GEN_ID))
    return MNL_CB_ERROR;
  auto* got = static_cast<std::pair<uint32_t, bool>*>(data);
  *got = {nftnl_gen_get_u32(g.get(), NFTNL_GEN_ID), true};
  return MNL_CB_STOP;
}

// "BOOT_ID NETNS_INODE PBRC": where a generation id means something, and which pbrc binary
// recorded it (device, inode, size, mtime of /proc/self/exe). The fast path trusts the
// recorded generation's sources to compile into the table that is loaded (a restore compiles
// them again); another pbrc, after an upgrade say, may compile them into another form, so
// its first apply lists the table instead.
std::string Place() {
  std::string boot, ignored;
  ReadWhole("/proc/sys/kernel/random/boot_id", boot, ignored);
  while (!boot.empty() && boot.back() == '\n') boot.pop_back();
  struct stat st {};
  if (stat("/proc/self/ns/net", &st) != 0) return "";
  struct stat exe {};
  if (stat("/proc/self/exe", &exe) != 0) return "";
  return boot + " " + std::to_string(st.st_ino) + " " + std::to_string(exe.st_dev) + ":" +
         std::to_string(exe.st_ino) + ":" + std::to_string(exe.st_size) + ":" +
         std::to_string(exe.st_mtim.tv_sec) + "." + std::to_string(exe.st_mtim.tv_nsec);
}

constexpr const char* kGenIdFile = "nft-genid";
constexpr const char* kGenIdFormat = "pbrc-nft-genid/2";

}  // namespace

bool ReadNftGenId(uint32_t& out, std::string& err) {
  std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> nl(mnl_socket_open(NETLINK_NETFILTER),
                                                       mnl_socket_close);
  if (!nl || mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    err = std::string("netlink socket: ") + strerror(errno);
    return false;
  }
  char buf[MNL_SOCKET_BUFFER_SIZE];
  uint32_t seq = uint32_t(time(nullptr));
  auto* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, NFPROTO_UNSPEC, 0, seq);
  if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0) {
    err = std::string("asking for the nftables generation: ") + strerror(errno);
    return false;
  }
  uint32_t port = mnl_socket_get_portid(nl.get());
  std::pair<uint32_t, bool> got{0, false};
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    int rc = n < 0 ? -1 : mnl_cb_run(buf, size_t(n), seq, port, OnGen, &got);
    if (rc <= MNL_CB_STOP || got.second) break;
  }
  if (!got.second) err = std::string("reading the nftables generation: ") + strerror(errno);
  out = got.first;
  return got.second;
}

bool RecordNftGenId(const std::string& gen_dir, uint32_t id, std::string& err) {
  std::string place = Place();
  if (place.empty()) return true;  // nowhere to prove it later: the next apply lists
  // Not synced: it names this boot, so no later boot trusts it anyway, and a file a power
  // loss cut is refused like any other record that does not parse.
  return WriteAtomic(gen_dir, kGenIdFile,
                     std::string(kGenIdFormat) + " " + std::to_string(id) + " " + place + "\n", err,
                     Durable::kLater);
}

bool RecordNftGenId(const Target& t, const std::string& gen, uint32_t id, std::string& err) {
  return RecordNftGenId(t.Dir() + "/" + gen, id, err);
}

std::optional<uint32_t> RecordedNftGenId(const Target& t, const std::string& gen) {
  std::string text, ignored;
  if (!ReadWhole(t.Dir() + "/" + gen + "/" + kGenIdFile, text, ignored)) return std::nullopt;
  std::istringstream in(text);
  std::string format, id, boot, ino, exe, rest;
  if (!(in >> format >> id >> boot >> ino >> exe) || (in >> rest) || format != kGenIdFormat ||
      id.empty() || id.size() > 10 || id.find_first_not_of("0123456789") != std::string::npos ||
      boot + " " + ino + " " + exe != Place())
    return std::nullopt;
  unsigned long v = std::stoul(id);
  if (v > UINT32_MAX) return std::nullopt;
  return uint32_t(v);
}

}  // namespace pbrc::apply
