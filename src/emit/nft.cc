// The two nft artifacts, rendered from one structured table so they cannot differ.
#include "nft_model.h"
#include "pbrc/emit.h"

namespace pbrc::emit {

std::string NftText(const ir::Program& p) { return nft::RenderText(nft::Build(p), p); }
std::string NftTextStaged(const ir::Program& p) { return nft::RenderText(nft::Build(p), p, true); }
std::string NftJson(const ir::Program& p) { return nft::RenderJson(nft::Build(p)); }

}  // namespace pbrc::emit
