// Source buffers with line tables, so diagnostics quote lines without re-reading files.
#include "pbrc/source.h"

namespace pbrc {

uint32_t SourceManager::Add(std::string name, std::string path, std::string text) {
  SourceFile f;
  f.name = std::move(name);
  f.path = std::move(path);
  f.text = std::move(text);
  f.line_starts.push_back(0);
  for (uint32_t i = 0; i < f.text.size(); ++i) {
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  }
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
