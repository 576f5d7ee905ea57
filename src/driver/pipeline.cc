// The pipeline, top to bottom (see include/pbrc/pipeline.h), and the artifact list.
#include "pbrc/pipeline.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "pbrc/emit.h"
#include "pbrc/lower.h"
#include "pbrc/sema.h"

namespace pbrc {

std::unique_ptr<Compilation> Compile(const std::string& path, FileReader& reader) {
  auto c = std::make_unique<Compilation>();
  // Parse, with imports; rules keep only their ranges: sema parses each again to check it.
  c->parsed = LoadPolicy(path, c->sm, c->diags, reader, RuleTrees::kDefer);
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

std::string Artifact::Text() const {
  StringSink s;
  write(s);
  return std::move(s.text);
}

namespace {

// An artifact whose text is small enough to be made whole, written in one piece.
std::function<void(Sink&)> Whole(std::function<std::string()> make) {
  return [make = std::move(make)](Sink& out) { out.Write(make()); };
}

// Test hook (docs/testing.md, docs/pbrc.1.md): with PBRC_TEST_FAIL_EMIT=SUFFIX, writing that
// artifact throws after its first piece reached the output, as a bug in an emitter would.
// tests/cli/io_test.sh uses it to prove exit 4 and that no partial artifact set is left.
class FailAfterFirstPiece final : public Sink {
 public:
  explicit FailAfterFirstPiece(Sink& out) : out_(out) {}
  void Write(std::string_view text) override {
    out_.Write(text);
    throw std::logic_error("emitter failed on purpose (PBRC_TEST_FAIL_EMIT)");
  }

 private:
  Sink& out_;
};

void InjectFailure(std::vector<Artifact>& arts) {
  const char* suffix = std::getenv("PBRC_TEST_FAIL_EMIT");
  if (!suffix) return;
  for (auto& a : arts) {
    if (a.suffix != suffix) continue;
    a.write = [write = std::move(a.write)](Sink& out) {
      FailAfterFirstPiece fail(out);
      write(fail);
    };
  }
}

}  // namespace

std::vector<Artifact> Emit(const ir::Program& p, const std::vector<std::string>& kinds) {
  std::vector<Artifact> out;
  const ir::Program* pp = &p;
  for (const auto& k : ArtifactKinds()) {
    bool wanted = false;
    for (const auto& w : kinds) wanted = wanted || w == k;
    if (!wanted) continue;
    if (k == "nft") out.push_back({k, "nft", [pp](Sink& s) { emit::NftText(*pp, s); }});
    if (k == "nft-json") out.push_back({k, "nft.json", [pp](Sink& s) { emit::NftJson(*pp, s); }});
    if (k == "ip") {
      out.push_back({k, "ip", Whole([pp] { return emit::IpBatch(*pp, Family::kV4); })});
      out.push_back({k, "ip6", Whole([pp] { return emit::IpBatch(*pp, Family::kV6); })});
    }
    if (k == "sysctl") out.push_back({k, "sysctl.conf", Whole([pp] { return emit::Sysctl(*pp); })});
    if (k == "ir") out.push_back({k, "ir", [pp](Sink& s) { ir::Print(*pp, s); }});
  }
  InjectFailure(out);
  return out;
}

}  // namespace pbrc
