// Every nft table of the namespace, by a libnftnl GETTABLE dump. nft 1.0.6 fills its whole
// cache for `list tables` (every set's elements included), which costs about a second per
// 100k intervals of a large set; the table dump itself is one short netlink exchange.
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "live.h"

namespace pbrc::live {
namespace {

const char* FamilyName(uint32_t f) {
  switch (f) {
    case NFPROTO_IPV4:
      return "ip";
    case NFPROTO_IPV6:
      return "ip6";
    case NFPROTO_INET:
      return "inet";
    case NFPROTO_ARP:
      return "arp";
    case NFPROTO_BRIDGE:
      return "bridge";
    case NFPROTO_NETDEV:
      return "netdev";
    default:
      return nullptr;
  }
}

int OnTable(const nlmsghdr* nlh, void* data) {
  auto* out = static_cast<std::vector<TableName>*>(data);
  std::unique_ptr<nftnl_table, void (*)(const nftnl_table*)> t(nftnl_table_alloc(),
                                                               nftnl_table_free);
  if (!t || nftnl_table_nlmsg_parse(nlh, t.get()) < 0) return MNL_CB_ERROR;
  const char* family = FamilyName(nftnl_table_get_u32(t.get(), NFTNL_TABLE_FAMILY));
  const char* name = nftnl_table_get_str(t.get(), NFTNL_TABLE_NAME);
  if (family && name) out->push_back({family, name});
  return MNL_CB_OK;
}

}  // namespace

bool ListNftTables(std::vector<TableName>& out, std::string& err) {
  std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> nl(mnl_socket_open(NETLINK_NETFILTER),
                                                       mnl_socket_close);
  if (!nl || mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    err = std::string("nft tables: netlink socket: ") + strerror(errno);
    return false;
  }
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  uint32_t seq = 1, portid = mnl_socket_get_portid(nl.get());
  auto* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
  if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0) {
    err = std::string("nft tables: netlink dump request: ") + strerror(errno);
    return false;
  }
  int ret;
  do {
    ret = int(mnl_socket_recvfrom(nl.get(), buf.data(), buf.size()));
    if (ret > 0) ret = mnl_cb_run(buf.data(), ret, seq, portid, OnTable, &out);
  } while (ret > 0);
  if (ret < 0) {
    err = std::string("nft tables: reading the table dump: ") + strerror(errno);
    return false;
  }
  return true;
}

}  // namespace pbrc::live
