// live::NftSession: the one libnftables context wrapper (src/live/live.h).
#include <nftables/libnftables.h>

#include "live.h"

namespace pbrc::live {

NftSession::NftSession(bool json) : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
  if (!ctx_) return;
  if (json) nft_ctx_output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON);
  nft_ctx_buffer_output(ctx_);
  nft_ctx_buffer_error(ctx_);
}

NftSession::~NftSession() {
  if (ctx_) nft_ctx_free(ctx_);
}

bool NftSession::Run(const std::string& cmd, std::string& out) {
  if (!ctx_) {
    out = "cannot create a libnftables context";
    return false;
  }
  bool ok = nft_run_cmd_from_buffer(ctx_, cmd.c_str()) == 0;
  const char* text = ok ? nft_ctx_get_output_buffer(ctx_) : nft_ctx_get_error_buffer(ctx_);
  out = text ? text : "";
  while (!ok && !out.empty() && out.back() == '\n') out.pop_back();
  return ok;
}

}  // namespace pbrc::live
