// libFuzzer target over the whole front end and the backends: parse (with imports from an
// in-memory file system), check, lower, allocate, emit, and fmt. Any crash, sanitizer report,
// hang or fmt that does not reparse is a bug; so is an artifact whose syntax does not hold:
// JSON that does not parse or is not UTF-8, or a text line that pbrc does not control.
//
// Input: the policy text, or 0x01, a length byte L, L bytes of file name, then the policy
// (so file names with newlines, '#', quotes or non-ASCII are fuzzed too).
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "pbrc/fmt.h"
#include "pbrc/pipeline.h"
#include "pbrc/syntax.h"

namespace {

[[noreturn]] void Bug(const std::string& what, const std::string& where) {
  fprintf(stderr, "artifact bug: %s\n--- in ---\n%s\n", what.c_str(),
          where.substr(0, 2000).c_str());
  abort();
}

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// '#' outside a quoted string starts a comment in nft; quotes must pair up on each line.
void CheckNftLine(const std::string& line) {
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == '#' && !quoted) Bug("'#' outside quotes in an nft line", line);
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') Bug("control byte in nft", line);
  }
  if (quoted) Bug("unbalanced quote in an nft line", line);
}

// Every line of a text artifact starts the way pbrc writes it; a comment line is harmless.
void CheckTextArtifact(const pbrc::Artifact& a) {
  std::istringstream in(a.Text());
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (a.suffix == "nft") {
      if (!StartsWith(line, "table inet ") && !StartsWith(line, "delete table inet ") &&
          line[0] != '\t' && line != "}")
        Bug("nft line not written by pbrc", line);
      CheckNftLine(line);
    } else if (a.suffix == "ip" || a.suffix == "ip6") {
      if (!StartsWith(line, "route ") && !StartsWith(line, "rule "))
        Bug("ip batch line not written by pbrc", line);
      // ip -batch cuts lines at '#' and treats quotes and a final backslash specially.
      if (line.find_first_of("#\"'\\") != std::string::npos)
        Bug("ip batch syntax in a token", line);
    } else if (a.suffix == "sysctl.conf") {
      if (!StartsWith(line, "net.") && !StartsWith(line, "net/")) Bug("sysctl line", line);
      if (line.find('=') != line.rfind('=')) Bug("two '=' in a sysctl line", line);
    }
  }
}

void CheckJson(const pbrc::Artifact& a) {
  std::string text = a.Text();
  if (!pbrc::syntax::ValidUtf8(text)) Bug("JSON artifact is not valid UTF-8", text);
  if (text.find("\\u0000") != std::string::npos) Bug("NUL in the JSON artifact", text);
  if (!nlohmann::json::accept(text)) Bug("JSON artifact does not parse", text);
}

void CheckArtifacts(const pbrc::ir::Program& p) {
  for (const auto& a : pbrc::Emit(p, pbrc::ArtifactKinds())) {
    if (a.suffix == "nft.json") {
      CheckJson(a);
    } else if (a.suffix != "ir") {
      CheckTextArtifact(a);
    }
  }
}

// Compile defers rules (RuleTrees::kDefer): each must parse again to the tree kept by a whole
// parse of the same buffer, and the rule's own range must not move.
void CheckDeferredRules(const pbrc::SourceManager& sm, uint32_t id, const pbrc::ast::File& kept) {
  pbrc::Diagnostics diags;
  pbrc::ast::File deferred = pbrc::ParseBuffer(sm, diags, id, pbrc::RuleTrees::kDefer);
  for (size_t i = 0; i < deferred.statements.size(); ++i) {
    auto* block = std::get_if<pbrc::ast::PolicyBlock>(&deferred.statements[i]);
    auto* whole = i < kept.statements.size()
                      ? std::get_if<pbrc::ast::PolicyBlock>(&kept.statements[i])
                      : nullptr;
    if (!block) continue;
    if (!whole || whole->rules.size() != block->deferred.size()) abort();
    for (size_t r = 0; r < block->deferred.size(); ++r) {
      block->rules.push_back(pbrc::ParseDeferredRule(sm, block->deferred[r]));
      if (block->rules.back().range.end.offset != whole->rules[r].range.end.offset) abort();
    }
  }
  if (pbrc::DumpAst(deferred) != pbrc::DumpAst(kept)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string name = "p.pbr";
  if (size >= 2 && data[0] == 0x01 && size >= 2u + data[1]) {
    name = text.substr(2, data[1]) + ".pbr";
    text = text.substr(2 + data[1]);
  }
  pbrc::MemoryReader fs;
  fs.Add(name, text);
  fs.Add("lib.pbr",
         "set lib = { 10.0.0.0/8, 2001:db8::/32 };\nlink l { device l0; gateway 10.9.9.9; }\n");
  fs.Add("list.txt", "1.0.1.0/24\n1.0.2.0-1.0.3.255\n# comment\n2001:db8:1::/48\n");
  auto c = pbrc::Compile(name, fs);
  (void)pbrc::RenderText(c->diags.Sorted(), c->sm, {});
  (void)pbrc::RenderJson(c->diags.Sorted(), c->sm);
  if (c->ir) CheckArtifacts(*c->ir);

  // fmt must reparse to the same tree.
  pbrc::SourceManager sm;
  pbrc::Diagnostics diags;
  uint32_t id = sm.Add("p.pbr", "p.pbr", text);
  pbrc::ast::File file = pbrc::ParseBuffer(sm, diags, id);
  CheckDeferredRules(sm, id, file);
  if (diags.HasErrors()) return 0;
  std::string once = pbrc::Format(file, sm.Get(id));
  pbrc::Diagnostics diags2;
  uint32_t id2 = sm.Add("q.pbr", "q.pbr", once);
  pbrc::ast::File again = pbrc::ParseBuffer(sm, diags2, id2);
  if (diags2.HasErrors() || pbrc::DumpAst(again) != pbrc::DumpAst(file)) abort();
  if (pbrc::Format(again, sm.Get(id2)) != once) abort();
  return 0;
}
