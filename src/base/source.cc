// Source buffers with line tables, so diagnostics quote lines without re-reading files.
#include "pbrc/source.h"

#include <algorithm>
#include <cstring>

namespace pbrc {

uint32_t SourceManager::Add(std::string name, std::string path, std::string text) {
  SourceFile f;
  f.name = std::move(name);
  f.path = std::move(path);
  f.text = std::move(text);
  // Sized first (a list file has a million lines), then filled by memchr, not byte by byte.
  f.line_starts.reserve(std::count(f.text.begin(), f.text.end(), '\n') + 1);
  f.line_starts.push_back(0);
  const char* base = f.text.data();
  const char* end = base + f.text.size();
  for (const char* at = base; (at = static_cast<const char*>(memchr(at, '\n', end - at)));)
    f.line_starts.push_back(static_cast<uint32_t>(++at - base));
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size() - 1);
}

std::string_view SourceManager::Line(uint32_t id, uint32_t line) const {
  const SourceFile& f = files_.at(id);
  if (line == 0 || line > f.line_starts.size()) return {};
  uint32_t start = f.line_starts[line - 1];
  uint32_t end =
      line < f.line_starts.size() ? f.line_starts[line] - 1 : static_cast<uint32_t>(f.text.size());
  std::string_view v(f.text);
  v = v.substr(start, end - start);
  if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
  return v;
}

void Advance(Pos& pos, std::string_view text) {
  for (char c : text) {
    ++pos.offset;
    if (c == '\n') {
      ++pos.line;
      pos.col = 1;
    } else {
      ++pos.col;
    }
  }
}

}  // namespace pbrc
