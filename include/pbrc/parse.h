// Parsing: one buffer into a syntax tree, and a policy file with its imports into a ParsedPolicy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pbrc/ast.h"
#include "pbrc/diagnostics.h"
#include "pbrc/source.h"

namespace pbrc {

// Parses buffer `file_id` of `sm`. Always returns a tree (partial after errors).
ast::File ParseBuffer(const SourceManager& sm, Diagnostics& diags, uint32_t file_id);

// A policy and everything it imports, parsed, in load order (imports before importers, each
// file once). `root` indexes files.
struct ParsedPolicy {
  std::vector<ast::File> files;
  size_t root = 0;
};

// How the loader reads files; tests and the fuzzer replace it to stay off the disk.
struct FileReader {
  virtual ~FileReader() = default;
  // Returns false and sets `error` (the errno text) when the file cannot be read.
  // Only regular files are read (a FIFO or device is refused), at most kMaxFileSize bytes.
  virtual bool Read(const std::string& path, std::string& out, std::string& error) = 0;
  // What makes two paths the same file ("device:inode"), so a file reached by two spellings
  // or through a symlink is loaded once; nullopt when unknown (then the path is the identity).
  virtual std::optional<std::string> Identity(const std::string& /*path*/) { return std::nullopt; }
};
FileReader& DiskReader();

// Reads `fd` to its end into `out`, failing (with `error`) past kMaxFileSize bytes: the limit
// is checked while reading, so an endless stream stops there.
bool ReadBounded(int fd, std::string& out, std::string& error);

// Files held in memory by path, for tests and the fuzzer.
class MemoryReader : public FileReader {
 public:
  void Add(const std::string& path, std::string text) { files_[path] = std::move(text); }
  bool Read(const std::string& path, std::string& out, std::string& error) override {
    auto it = files_.find(path);
    if (it == files_.end()) {
      error = "No such file or directory";
      return false;
    }
    out = it->second;
    return true;
  }

 private:
  std::map<std::string, std::string> files_;
};

// Loads `path` and its imports. Missing files, cycles and chains of more than 64 imports are
// diagnostics.
ParsedPolicy LoadPolicy(const std::string& path, SourceManager& sm, Diagnostics& diags,
                        FileReader& reader);
// Same, with the root given as text (fuzzer, tests).
ParsedPolicy LoadPolicyFromText(const std::string& name, std::string text, SourceManager& sm,
                                Diagnostics& diags, FileReader& reader);

// The embedded standard library: module text by name ("special", "services"), or nullptr.
const char* StdlibModule(const std::string& name);
std::vector<std::string> StdlibModuleNames();

// Maximum size of any input file.
constexpr size_t kMaxFileSize = 64 * 1024 * 1024;

}  // namespace pbrc
