// Set elements through one netlink batch built with libnftnl: nft 1.0.6 spends seconds of
// userspace time per thousand deleted intervals (issue 10), while the kernel itself takes
// milliseconds. The batch is BATCH_BEGIN, the element deletes and adds (and optionally a
// table update), BATCH_END: the kernel commits all of it or none.
//
// Interval sets are encoded the way nft 1.0.6 sends them (checked with `nft --debug=netlink`
// and by tests/kernel/apply_nftnl.sh against a fresh `nft -f`): a start key, then the key
// after the last address with NFT_SET_ELEM_INTERVAL_END; an interval reaching the family's
// last address has no end key but "interval open" user data; a set filled from empty gets a
// leading end key at address 0 when its first interval does not start there.
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "internal.h"

namespace pbrc::apply {
namespace {

// A message holds at most 64 KiB of elements (a netlink attribute length); the headroom
// lets libnftnl finish the element that crossed it before it steps back.
constexpr size_t kMsgRoom = 65536 + 16384;
// Elements handed to libnftnl at a time: its objects cost ~200 bytes each, so a million
// elements are never all allocated at once.
constexpr size_t kChunk = 4096;
constexpr size_t kPage = 4 << 20;  // 1024 pages (IOV_MAX) hold 4 GiB of messages

struct Key {
  uint8_t bytes[16];
  uint32_t len;
};

Key KeyOf(Family f, U128 v) {
  Key k{{}, f == Family::kV4 ? 4u : 16u};
  for (uint32_t i = 0; i < k.len; ++i) k.bytes[k.len - 1 - i] = uint8_t(v >> (8 * i));
  return k;
}

U128 LastAddress(Family f) { return f == Family::kV4 ? U128(0xffffffffu) : ~U128(0); }

class Batch {
 public:
  Batch(const std::string& table, std::optional<uint32_t> genid) : table_(table) {
    Grow();
    auto* nlh = nftnl_batch_begin(Cur(), seq_++);
    // The kernel compares it with the ruleset's id under its commit mutex (ERESTART).
    if (genid) mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(*genid));
    Commit();
  }
  // One NEWSETELEM or DELSETELEM message per ~64 KiB of the keys of `els` (sorted,
  // disjoint), encoded kChunk intervals at a time straight from the caller's list (no copy
  // of a million intervals as keys). `lead`: the end key at address 0 nft sends first when
  // it fills an empty set.
  void Elements(const std::string& set, bool del, const std::vector<Interval>& els, bool lead) {
    for (size_t at = 0; at < els.size(); at += kChunk) {
      std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
      nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, table_.c_str());
      nftnl_set_set_str(s.get(), NFTNL_SET_NAME, set.c_str());
      if (at == 0 && lead && els[0].lo != 0)
        s_add(s.get(), KeyOf(els[0].family, 0), NFT_SET_ELEM_INTERVAL_END);
      for (size_t i = at; i < els.size() && i < at + kChunk; ++i) {
        const Interval& iv = els[i];
        bool open = iv.hi == LastAddress(iv.family);
        s_add(s.get(), KeyOf(iv.family, iv.lo), open ? kOpen : 0);
        if (!open) s_add(s.get(), KeyOf(iv.family, iv.hi + 1), NFT_SET_ELEM_INTERVAL_END);
      }
      Messages(s.get(), del);
    }
  }
  // The same for elements of a verdict map: key (and key end), and for an add the verdict
  // and the comment.
  void MapElements(const std::string& map, bool del, const std::vector<MapElementBytes>& els) {
    for (size_t at = 0; at < els.size(); at += kChunk) {
      std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
      nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, table_.c_str());
      nftnl_set_set_str(s.get(), NFTNL_SET_NAME, map.c_str());
      for (size_t i = at; i < els.size() && i < at + kChunk; ++i) m_add(s.get(), els[i], del);
      Messages(s.get(), del);
    }
  }
  // NEWTABLE on the existing table with flags 0: wakes a dormant table.
  void WakeTable() {
    std::unique_ptr<nftnl_table, void (*)(const nftnl_table*)> t(nftnl_table_alloc(),
                                                                 nftnl_table_free);
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, table_.c_str());
    nftnl_table_set_u32(t.get(), NFTNL_TABLE_FLAGS, 0);
    Grow();
    auto* nlh = nftnl_nlmsg_build_hdr(Cur(), NFT_MSG_NEWTABLE, NFPROTO_INET, 0, seq_++);
    nftnl_table_nlmsg_build_payload(nlh, t.get());
    last_ = Cur();
    Commit();
  }
  bool Send(std::string& err, bool* moved);

 private:
  // As many messages as the elements of `s` need.
  void Messages(nftnl_set* s, bool del) {
    std::unique_ptr<nftnl_set_elems_iter, void (*)(nftnl_set_elems_iter*)> it(
        nftnl_set_elems_iter_create(s), nftnl_set_elems_iter_destroy);
    for (int more = 1; more == 1;) {
      Grow();
      auto* nlh = nftnl_nlmsg_build_hdr(Cur(), del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
                                        NFPROTO_INET, del ? 0 : NLM_F_CREATE, seq_++);
      more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it.get());
      last_ = Cur();
      Commit();
    }
  }
  static void m_add(nftnl_set* s, const MapElementBytes& m, bool del) {
    nftnl_set_elem* e = nftnl_set_elem_alloc();
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, m.key.data(), uint32_t(m.key.size()));
    if (!m.key_end.empty())
      nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, m.key_end.data(), uint32_t(m.key_end.size()));
    if (!del) {
      nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, m.verdict_goto ? NFT_GOTO : NFT_JUMP);
      nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, m.chain.c_str());
      if (!m.comment.empty()) {
        // nft's element user data: one NFTNL_UDATA_SET_ELEM_COMMENT, the text and its NUL
        // (a comment is at most 128 bytes, a listed one never longer).
        std::string udata{'\0', static_cast<char>(m.comment.size() + 1)};
        udata += m.comment;
        udata.push_back('\0');
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, udata.data(), uint32_t(udata.size()));
      }
    }
    nftnl_set_elem_add(s, e);
  }
  static void s_add(nftnl_set* s, const Key& k, uint32_t flags) {
    nftnl_set_elem* e = nftnl_set_elem_alloc();
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, k.bytes, k.len);
    if (flags & NFT_SET_ELEM_INTERVAL_END)
      nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
    if (flags & kOpen) {
      // nft's element user data: one NFTNL_UDATA_SET_ELEM_FLAGS = "interval open".
      const uint8_t udata[] = {1, 4, 1, 0, 0, 0};
      nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, udata, sizeof udata);
    }
    nftnl_set_elem_add(s, e);
  }
  void Grow() {
    if (!pages_.empty() && pages_.back().used + kMsgRoom <= kPage) return;
    // Not zeroed: only the part the messages fill is ever touched (a small change would
    // otherwise clear, and fault in, 4 MiB).
    pages_.push_back({std::make_unique_for_overwrite<char[]>(kPage), 0});
  }
  void Commit() {
    auto* nlh = reinterpret_cast<nlmsghdr*>(Cur());
    pages_.back().used += NLMSG_ALIGN(nlh->nlmsg_len);
    total_ += NLMSG_ALIGN(nlh->nlmsg_len);
  }
  char* Cur() { return pages_.back().data.get() + pages_.back().used; }

 public:
  static constexpr uint32_t kOpen = 1u << 31;  // our marker, never sent as a flag

 private:
  std::string table_;
  // Whole messages in fixed pages sent as one iovec: a growing buffer would copy itself and
  // hold twice the batch at its peak.
  struct Page {
    std::unique_ptr<char[]> data;
    size_t used;
  };
  std::vector<Page> pages_;
  size_t total_ = 0;
  char* last_ = nullptr;
  uint32_t seq_ = 1;
};

// The kernel runs a batch inside sendmsg, so every answer is queued when it returns. Only
// the last message asks for an ACK: its arrival with no error before it means committed.
bool Batch::Send(std::string& err, bool* moved) {
  if (!last_) return true;
  reinterpret_cast<nlmsghdr*>(last_)->nlmsg_flags |= NLM_F_ACK;
  Grow();
  nftnl_batch_end(Cur(), seq_);
  Commit();
  std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> nl(mnl_socket_open(NETLINK_NETFILTER),
                                                       mnl_socket_close);
  if (!nl || mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    err = std::string("netlink socket: ") + strerror(errno);
    return false;
  }
  int fd = mnl_socket_get_fd(nl.get());
  int size = int(std::min<size_t>(total_ + 65536, INT32_MAX)), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  int rcv = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
  std::vector<iovec> iov;
  for (const auto& pg : pages_) iov.push_back({pg.data.get(), pg.used});
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  msghdr msg{};
  msg.msg_name = &kernel;
  msg.msg_namelen = sizeof kernel;
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  if (sendmsg(fd, &msg, 0) < 0) {
    err = std::string("sending the netlink batch: ") + strerror(errno);
    return false;
  }
  pages_.clear();
  char rbuf[MNL_SOCKET_BUFFER_SIZE];
  bool acked = false;
  for (;;) {
    ssize_t n = recv(fd, rbuf, sizeof rbuf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      err = std::string("reading the netlink answers: ") + strerror(errno);
      return false;
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(rbuf); mnl_nlmsg_ok(h, int(n));
         h = mnl_nlmsg_next(h, reinterpret_cast<int*>(&n))) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_get_payload(h));
      if (e->error != 0) {
        if (e->error == -ERESTART && moved) *moved = true;
        err = std::string("the kernel refused the element batch: ") + strerror(-e->error);
        return false;
      }
      acked = true;
    }
  }
  if (!acked) err = "the kernel did not acknowledge the element batch";
  return acked;
}

}  // namespace

bool SendElementBatch(const std::string& table, const std::vector<SetElementChange>& changes,
                      const std::vector<MapElementChange>& maps, bool wake_table, std::string& err,
                      std::optional<uint32_t> genid, bool* moved) {
  Batch b(table, genid);
  for (const auto& c : changes) {
    b.Elements(c.set, true, c.del.vec(), false);
    b.Elements(c.set, false, c.add.vec(), c.was_empty);
  }
  for (const auto& m : maps) {
    b.MapElements(m.map, true, m.del);
    b.MapElements(m.map, false, m.add);
  }
  if (wake_table) b.WakeTable();
  // An element of a set that does not exist, after all the others: the kernel must refuse
  // the whole batch.
  if (FaultWanted("nft-reject") || FaultWanted("elements-reject"))
    b.Elements("pbrc_fault_no_set", false, {Interval{}}, false);
  return b.Send(err, moved);
}

}  // namespace pbrc::apply
