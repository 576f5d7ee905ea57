// Loads a policy and its imports depth-first. Each file is parsed once, however its path is
// spelled (files are told apart by device and inode); a file that imports one of the files
// still being loaded closes a cycle and is reported with the whole chain.
#include <filesystem>
#include <map>

#include "pbrc/parse.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxImportDepth = 64;

class Loader {
 public:
  Loader(SourceManager& sm, Diagnostics& diags, FileReader& reader, RuleTrees rules)
      : sm_(sm), diags_(diags), reader_(reader), rules_(rules) {}

  size_t Load(const std::string& name, const std::string& key, std::string text) {
    std::string identity = reader_.Identity(key).value_or(key);
    uint32_t id = sm_.Add(name, key, std::move(text));
    stack_.push_back({key, identity});
    ast::File file = ParseBuffer(sm_, diags_, id, rules_);
    for (const auto& st : file.statements) {
      if (auto* imp = std::get_if<ast::Import>(&st)) Import(*imp, sm_.Get(id));
    }
    stack_.pop_back();
    prog_.files.push_back(std::move(file));
    size_t index = prog_.files.size() - 1;
    loaded_[identity] = index;
    return index;
  }

  ParsedPolicy Take(size_t root) {
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
    std::string identity = reader_.Identity(key).value_or(key);
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i].identity != identity) continue;
      auto& d = diags_.Error(Code::kImportCycle, imp.range, "import cycle through '" + p + "'");
      for (size_t k = i; k < stack_.size(); ++k)
        d.notes.push_back("'" + stack_[k].key + "' imports '" +
                          (k + 1 < stack_.size() ? stack_[k + 1].key : key) + "'");
      return;
    }
    if (loaded_.count(identity)) return;
    // The stack holds the root and every file imported so far: a chain of 64 imports is allowed.
    if (stack_.size() > kMaxImportDepth) {
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
  RuleTrees rules_;
  ParsedPolicy prog_;
  struct Open {
    std::string key;       // the path, for messages
    std::string identity;  // what tells files apart (FileReader::Identity)
  };
  std::map<std::string, size_t> loaded_;  // by identity
  std::vector<Open> stack_;               // the files being loaded, outermost first
};

}  // namespace

ParsedPolicy LoadPolicyFromText(const std::string& name, std::string text, SourceManager& sm,
                                Diagnostics& diags, FileReader& reader, RuleTrees rules) {
  Loader loader(sm, diags, reader, rules);
  std::string key = fs::path(name).lexically_normal().string();
  size_t root = loader.Load(name, key, std::move(text));
  return loader.Take(root);
}

ParsedPolicy LoadPolicy(const std::string& path, SourceManager& sm, Diagnostics& diags,
                        FileReader& reader, RuleTrees rules) {
  std::string text, err;
  if (!reader.Read(path, text, err)) {
    diags.ErrorNoRange(Code::kImportNotFound, "cannot read '" + path + "': " + err);
    return ParsedPolicy{};
  }
  return LoadPolicyFromText(path, std::move(text), sm, diags, reader, rules);
}

}  // namespace pbrc
