// Loads a policy and its imports depth-first. Each file is parsed once; a file that imports
// one of the files still being loaded closes a cycle and is reported with the whole chain.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "pbrc/parse.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxImportDepth = 64;

class DiskFileReader : public FileReader {
 public:
  bool Read(const std::string& path, std::string& out, std::string& error) override {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      error = "is a directory";
      return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = std::strerror(errno);
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    if (out.size() > kMaxFileSize) {
      error = "file is larger than 64 MiB";
      return false;
    }
    return true;
  }
};

class Loader {
 public:
  Loader(SourceManager& sm, Diagnostics& diags, FileReader& reader)
      : sm_(sm), diags_(diags), reader_(reader) {}

  size_t Load(const std::string& name, const std::string& key, std::string text) {
    uint32_t id = sm_.Add(name, key, std::move(text));
    stack_.push_back(key);
    ast::File file = ParseBuffer(sm_, diags_, id);
    for (const auto& st : file.statements) {
      if (auto* imp = std::get_if<ast::Import>(&st)) Import(*imp, sm_.Get(id));
    }
    stack_.pop_back();
    prog_.files.push_back(std::move(file));
    size_t index = prog_.files.size() - 1;
    loaded_[key] = index;
    return index;
  }

  Program Take(size_t root) {
    prog_.root = root;
    return std::move(prog_);
  }

 private:
  void Import(const ast::Import& imp, const SourceFile& from) {
    std::string name, key, text;
    const std::string& p = imp.path.text;
    if (p.rfind("std/", 0) == 0) {
      const char* mod = StdlibModule(p.substr(4));
      if (!mod) {
        std::vector<std::string> names;
        for (const auto& n : StdlibModuleNames()) names.push_back("std/" + n);
        auto& d =
            diags_.Error(Code::kImportNotFound, imp.path.range, "no stdlib module '" + p + "'");
        std::string near = ClosestName(p, names);
        if (!near.empty()) d.help = "did you mean '" + near + "'?";
        return;
      }
      name = "<std>/" + p.substr(4) + ".pbr";
      key = name;
      text = mod;
    } else {
      fs::path base = fs::path(from.name).parent_path();
      name = (base / p).lexically_normal().string();
      fs::path disk_base = fs::path(from.path).parent_path();
      key = fs::path(p).is_absolute() ? fs::path(p).lexically_normal().string()
                                      : (disk_base / p).lexically_normal().string();
    }
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != key) continue;
      auto& d = diags_.Error(Code::kImportCycle, imp.range, "import cycle through '" + p + "'");
      for (size_t k = i; k < stack_.size(); ++k)
        d.notes.push_back("'" + stack_[k] + "' imports '" +
                          (k + 1 < stack_.size() ? stack_[k + 1] : key) + "'");
      return;
    }
    if (loaded_.count(key)) return;
    if (stack_.size() >= kMaxImportDepth) {
      diags_.Error(Code::kImportTooDeep, imp.range, "imports nested more than 64 deep");
      return;
    }
    if (text.empty() && p.rfind("std/", 0) != 0) {
      std::string err;
      if (!reader_.Read(key, text, err)) {
        diags_.Error(Code::kImportNotFound, imp.path.range, "cannot import '" + p + "': " + err);
        return;
      }
    }
    Load(name, key, std::move(text));
  }

  SourceManager& sm_;
  Diagnostics& diags_;
  FileReader& reader_;
  Program prog_;
  std::map<std::string, size_t> loaded_;
  std::vector<std::string> stack_;  // keys of the files being loaded, outermost first
};

}  // namespace

FileReader& DiskReader() {
  static DiskFileReader reader;
  return reader;
}

Program LoadProgramFromText(const std::string& name, std::string text, SourceManager& sm,
                            Diagnostics& diags, FileReader& reader) {
  Loader loader(sm, diags, reader);
  std::string key = fs::path(name).lexically_normal().string();
  size_t root = loader.Load(name, key, std::move(text));
  return loader.Take(root);
}

Program LoadProgram(const std::string& path, SourceManager& sm, Diagnostics& diags,
                    FileReader& reader) {
  std::string text, err;
  if (!reader.Read(path, text, err)) {
    diags.ErrorNoRange(Code::kImportNotFound, "cannot read '" + path + "': " + err);
    return Program{};
  }
  return LoadProgramFromText(path, std::move(text), sm, diags, reader);
}

}  // namespace pbrc
