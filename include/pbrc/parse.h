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

// What the parser keeps of each policy rule. Only fmt needs every rule's tree at once; the
// compiler reads each rule once, in sema. With kDefer a block keeps each rule's range (32
// bytes, not a tree of about 1.3 KB; the text stays in the source manager) and sema parses
// the rule again when it checks it (ParseDeferredRule), so a million-rule policy never has
// all its trees alive.
enum class RuleTrees { kKeep, kDefer };

// Parses buffer `file_id` of `sm`. Always returns a tree (partial after errors).
ast::File ParseBuffer(const SourceManager& sm, Diagnostics& diags, uint32_t file_id,
                      RuleTrees rules = RuleTrees::kKeep);

// The tree of a rule ParseBuffer deferred: `where` is its entry in PolicyBlock::deferred. The
// text parsed without errors before and yields the same tree, ranges included; what the
// scanner reported about it then is not reported again.
ast::Rule ParseDeferredRule(const SourceManager& sm, const Range& where);

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
                        FileReader& reader, RuleTrees rules = RuleTrees::kKeep);
// Same, with the root given as text (fuzzer, tests).
ParsedPolicy LoadPolicyFromText(const std::string& name, std::string text, SourceManager& sm,
                                Diagnostics& diags, FileReader& reader,
                                RuleTrees rules = RuleTrees::kKeep);

// The embedded standard library: module text by name ("special", "services"), or nullptr.
const char* StdlibModule(const std::string& name);
std::vector<std::string> StdlibModuleNames();

// Maximum size of any input file.
constexpr size_t kMaxFileSize = 64 * 1024 * 1024;

}  // namespace pbrc
