// Helpers for unit tests: compile text held in memory and render its diagnostics.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "pbrc/pipeline.h"

namespace pbrc::testing {

struct Result {
  std::unique_ptr<Compilation> c;
  std::string diags;  // rendered text, no colour
};

// Compiles `text` as file "t.pbr" with `reader` (imports/list files).
inline Result CompileText(const std::string& text, MemoryReader reader = {}) {
  reader.Add("t.pbr", text);
  Result r;
  r.c = Compile("t.pbr", reader);
  r.diags = RenderText(r.c->diags.Sorted(), r.c->sm, RenderOptions{});
  return r;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pbrc::testing
