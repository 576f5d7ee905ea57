// The elements of one nft set as intervals, read with a libnftnl GETSETELEM dump: listing
// a table through libnftables costs about a second per 100k intervals (nft 1.0.6 rebuilds
// every interval in userspace), the raw dump a few milliseconds.
//
// The kernel holds what nftnl_batch.cc (and nft) send: start keys, and end keys one past
// the interval flagged NFT_SET_ELEM_INTERVAL_END; a start with no end after it reaches the
// family's last address; an end key with no start before it (nft's leading end at 0)
// belongs to no interval.
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "internal.h"

namespace pbrc::apply {
namespace {

struct Key {
  Family family;
  U128 value;
  bool end;
};

int OnMessage(const nlmsghdr* nlh, void* data) {
  auto* keys = static_cast<std::vector<Key>*>(data);
  std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
  if (nftnl_set_elems_nlmsg_parse(nlh, s.get()) < 0) return MNL_CB_ERROR;
  std::unique_ptr<nftnl_set_elems_iter, void (*)(nftnl_set_elems_iter*)> it(
      nftnl_set_elems_iter_create(s.get()), nftnl_set_elems_iter_destroy);
  for (auto* e = nftnl_set_elems_iter_next(it.get()); e; e = nftnl_set_elems_iter_next(it.get())) {
    uint32_t len = 0;
    auto* bytes = static_cast<const uint8_t*>(nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len));
    if (!bytes || (len != 4 && len != 16)) return MNL_CB_ERROR;
    Key k{len == 4 ? Family::kV4 : Family::kV6, 0, false};
    for (uint32_t i = 0; i < len; ++i) k.value = (k.value << 8) | bytes[i];
    if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
      k.end = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END;
    keys->push_back(k);
  }
  return MNL_CB_OK;
}

std::vector<Interval> Pair(std::vector<Key>& keys) {
  // By address; at one address an end (closing the interval before) comes first.
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.family != b.family) return a.family < b.family;
    return a.value != b.value ? a.value < b.value : a.end > b.end;
  });
  std::vector<Interval> out;
  bool open = false;
  for (const auto& k : keys) {
    if (open && (k.end || k.family != out.back().family)) {
      if (k.end && k.family == out.back().family) out.back().hi = k.value - 1;
      open = false;
      if (k.end) continue;
    }
    if (k.end) continue;  // an end without a start: nft's leading end key
    U128 last = k.family == Family::kV4 ? U128(0xffffffffu) : ~U128(0);
    out.push_back({k.family, k.value, last});
    open = true;
  }
  return out;
}

}  // namespace

bool DumpSetElements(const std::string& table, const std::string& set, std::vector<Interval>& out,
                     std::string& err) {
  std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> nl(mnl_socket_open(NETLINK_NETFILTER),
                                                       mnl_socket_close);
  if (!nl || mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    err = std::string("netlink socket: ") + strerror(errno);
    return false;
  }
  std::vector<char> buf(65536);  // the kernel fills a dump read with at most 32 KiB
  uint32_t seq = 1, portid = mnl_socket_get_portid(nl.get());
  auto* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, seq);
  {
    std::unique_ptr<nftnl_set, void (*)(const nftnl_set*)> s(nftnl_set_alloc(), nftnl_set_free);
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, table.c_str());
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, set.c_str());
    nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
  }
  if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0) {
    err = std::string("netlink dump request: ") + strerror(errno);
    return false;
  }
  std::vector<Key> keys;
  int ret;
  do {
    ret = int(mnl_socket_recvfrom(nl.get(), buf.data(), buf.size()));
    if (ret > 0) ret = mnl_cb_run(buf.data(), ret, seq, portid, OnMessage, &keys);
  } while (ret > 0);
  if (ret < 0) {
    err = "reading the elements of set '" + set + "': " + strerror(errno);
    return false;
  }
  out = Pair(keys);
  return true;
}

}  // namespace pbrc::apply
