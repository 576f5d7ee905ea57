// Lookup of the stdlib modules embedded at build time (stdlib/*.pbr).
#include "pbrc/parse.h"

namespace pbrc {

struct StdlibEntry {
  const char* name;
  const char* text;
};
extern const std::vector<StdlibEntry>& StdlibEntries();

const char* StdlibModule(const std::string& name) {
  for (const auto& e : StdlibEntries()) {
    if (name == e.name) return e.text;
  }
  return nullptr;
}

std::vector<std::string> StdlibModuleNames() {
  std::vector<std::string> out;
  for (const auto& e : StdlibEntries()) out.push_back(e.name);
  return out;
}

}  // namespace pbrc
