// The two nft artifacts, rendered from one structured table so they cannot differ.
#include "nft_model.h"
#include "pbrc/emit.h"

namespace pbrc::emit {

void NftText(const ir::Program& p, Sink& out) { nft::RenderText(nft::TableBuilder(p), p, out); }
void NftJson(const ir::Program& p, Sink& out) { nft::RenderJson(nft::TableBuilder(p), out); }

std::string NftText(const ir::Program& p) {
  StringSink s;
  NftText(p, s);
  return std::move(s.text);
}
std::string NftText(const ir::Program& p, std::array<ir::ClassifyPlan, 2> plans) {
  StringSink s;
  nft::RenderText(nft::TableBuilder(p, std::move(plans)), p, s);
  return std::move(s.text);
}
std::string NftTextStaged(const ir::Program& p) {
  StringSink s;
  nft::RenderText(nft::TableBuilder(p), p, s, true);
  return std::move(s.text);
}
std::string NftJson(const ir::Program& p) {
  StringSink s;
  NftJson(p, s);
  return std::move(s.text);
}

}  // namespace pbrc::emit
