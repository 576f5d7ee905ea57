// The pipeline, top to bottom (see include/pbrc/pipeline.h), and the artifact list.
#include "pbrc/pipeline.h"

#include <filesystem>

#include "pbrc/emit.h"
#include "pbrc/lower.h"
#include "pbrc/sema.h"

namespace pbrc {

std::unique_ptr<Compilation> Compile(const std::string& path, FileReader& reader) {
  auto c = std::make_unique<Compilation>();
  c->parsed = LoadPolicy(path, c->sm, c->diags, reader);  // parse, with imports
  if (c->parsed.files.empty()) {
    c->read_failed = true;
    return c;
  }
  c->model = Analyze(c->parsed, c->sm, c->diags, reader);  // resolve, check, evaluate sets
  if (!c->model) return c;
  // Nothing past sema reads the AST (the model holds what lowering needs, the source
  // manager what diagnostics need); at 1M rules it is gigabytes, so it goes now.
  c->parsed = ParsedPolicy{};
  std::string name = std::filesystem::path(path).filename().string();
  ir::Program p = ir::Lower(*c->model, c->sm, name);  // lower to the IR
  c->model.reset();  // the IR holds all the rest needs (and shares the sets' intervals)
  if (!ir::Allocate(p, c->diags)) return c;  // marks, tables, preferences
  c->ir = std::move(p);
  return c;
}

const std::vector<std::string>& ArtifactKinds() {
  static const std::vector<std::string> kKinds = {"nft", "nft-json", "ip", "sysctl", "ir"};
  return kKinds;
}

std::vector<Artifact> Emit(const ir::Program& p, const std::vector<std::string>& kinds) {
  std::vector<Artifact> out;
  for (const auto& k : ArtifactKinds()) {
    bool wanted = false;
    for (const auto& w : kinds) wanted = wanted || w == k;
    if (!wanted) continue;
    if (k == "nft") out.push_back({k, "nft", emit::NftText(p)});
    if (k == "nft-json") out.push_back({k, "nft.json", emit::NftJson(p)});
    if (k == "ip") {
      out.push_back({k, "ip", emit::IpBatch(p, Family::kV4)});
      out.push_back({k, "ip6", emit::IpBatch(p, Family::kV6)});
    }
    if (k == "sysctl") out.push_back({k, "sysctl.conf", emit::Sysctl(p)});
    if (k == "ir") out.push_back({k, "ir", ir::Print(p)});
  }
  return out;
}

}  // namespace pbrc
