// pbrc fmt [--check | --write] FILE...: print, verify or rewrite the canonical form.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "pbrc/fmt.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

po::options_description FmtOptions(bool* check, bool* write) {
  po::options_description desc("pbrc fmt [--check | --write] FILE...");
  desc.add_options()("help,h", "show this help")("check", po::bool_switch(check),
                                                 "exit 1 when a file is not formatted")(
      "write,w", po::bool_switch(write), "rewrite files in place");
  return desc;
}

}  // namespace

void HelpFmt() {
  bool c = false, w = false;
  std::cout
      << FmtOptions(&c, &w)
      << "\nPrints each file in canonical form (stdout), or with --check "
         "lists the files that differ and exits 1, or with --write rewrites them. Comments are "
         "kept; files with syntax errors are not formatted (exit 1).\n";
}

int RunFmt(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  bool check = false, write = false;
  switch (ParseArgs("fmt", args, FmtOptions(&check, &write), files)) {
    case Args::kError:
      return kFailure;
    case Args::kHelp:
      HelpFmt();
      return kOk;
    case Args::kOk:
      break;
  }
  if (files.empty() || (check && write)) {
    std::cerr << "pbrc fmt: "
              << (files.empty() ? "no input files" : "--check and --write exclude each other")
              << "\n";
    return kFailure;
  }
  int rc = kOk;
  for (const auto& path : files) {
    SourceManager sm;
    Diagnostics diags;
    std::string text, err;
    if (!DiskReader().Read(path, text, err)) {
      std::cerr << "pbrc fmt: cannot read '" << path << "': " << err << "\n";
      return kFailure;
    }
    uint32_t id = sm.Add(path, path, text);
    ast::File file = ParseBuffer(sm, diags, id);
    if (diags.HasErrors()) {
      Report(diags, sm, CommonOptions{});
      rc = kInputErrors;
      continue;
    }
    std::string formatted = Format(file, sm.Get(id));
    if (check) {
      if (formatted != text) {
        std::cout << path << "\n";
        rc = kInputErrors;
      }
    } else if (write) {
      if (formatted == text) continue;
      std::string tmp = path + ".pbrc-fmt.tmp";
      std::ofstream out(tmp, std::ios::binary);
      out << formatted;
      out.close();
      if (!out || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::cerr << "pbrc fmt: cannot write '" << path << "'\n";
        std::remove(tmp.c_str());
        return kFailure;
      }
    } else {
      std::cout << formatted;
    }
  }
  return rc;
}

}  // namespace pbrc::cli
