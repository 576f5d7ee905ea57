// libFuzzer target over the whole front end and the backends: parse (with imports from an
// in-memory file system), check, lower, allocate, emit, and fmt. Any crash, sanitizer report,
// hang or fmt that does not reparse is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pbrc/fmt.h"
#include "pbrc/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  pbrc::MemoryReader fs;
  fs.Add("p.pbr", text);
  fs.Add("lib.pbr",
         "set lib = { 10.0.0.0/8, 2001:db8::/32 };\nlink l { device l0; gateway 10.9.9.9; }\n");
  fs.Add("list.txt", "1.0.1.0/24\n1.0.2.0-1.0.3.255\n# comment\n2001:db8:1::/48\n");
  auto c = pbrc::Compile("p.pbr", fs);
  (void)pbrc::RenderText(c->diags.Sorted(), c->sm, {});
  (void)pbrc::RenderJson(c->diags.Sorted(), c->sm);
  if (c->ir) (void)pbrc::Emit(*c->ir, pbrc::ArtifactKinds());

  // fmt must reparse to the same tree.
  pbrc::SourceManager sm;
  pbrc::Diagnostics diags;
  uint32_t id = sm.Add("p.pbr", "p.pbr", text);
  pbrc::ast::File file = pbrc::ParseBuffer(sm, diags, id);
  if (diags.HasErrors()) return 0;
  std::string once = pbrc::Format(file, sm.Get(id));
  pbrc::Diagnostics diags2;
  uint32_t id2 = sm.Add("q.pbr", "q.pbr", once);
  pbrc::ast::File again = pbrc::ParseBuffer(sm, diags2, id2);
  if (diags2.HasErrors() || pbrc::DumpAst(again) != pbrc::DumpAst(file)) abort();
  if (pbrc::Format(again, sm.Get(id2)) != once) abort();
  return 0;
}
