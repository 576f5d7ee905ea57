// Source buffers and positions. Every buffer pbrc reads (policy files, imported modules,
// list files, the embedded stdlib) is kept in memory so diagnostics can quote it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pbrc {

// A point in a buffer. line and col are 1-based; col counts bytes.
struct Pos {
  uint32_t file = 0;
  uint32_t line = 1;
  uint32_t col = 1;
  uint32_t offset = 0;
};

// A half-open range [begin, end) inside one buffer. This is Bison's location type too:
// its YYLLOC_DEFAULT only needs `begin` and `end`.
struct Range {
  Pos begin;
  Pos end;
  void step() { begin = end; }
};

// One loaded buffer. `name` is what diagnostics print (the path as the user gave it).
struct SourceFile {
  std::string name;
  std::string path;  // resolved path on disk, or "<std>/NAME" for embedded modules
  std::string text;
  std::vector<uint32_t> line_starts;
};

// Owns every buffer of one compilation; ids are indexes in load order (deterministic).
class SourceManager {
 public:
  uint32_t Add(std::string name, std::string path, std::string text);
  const SourceFile& Get(uint32_t id) const { return files_.at(id); }
  // The text of `line` (1-based) of file `id`, without its newline.
  std::string_view Line(uint32_t id, uint32_t line) const;

 private:
  std::vector<SourceFile> files_;
};

// Advances `pos` over `text` (lines and byte columns).
void Advance(Pos& pos, std::string_view text);

}  // namespace pbrc
