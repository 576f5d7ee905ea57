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

po::options_description FmtOptions() {
  po::options_description desc("pbrc fmt [--check | --write] FILE...");
  desc.add_options()("help,h", "show this help")("check", "exit 1 when a file is not formatted")(
      "write,w", "rewrite files in place");
  return desc;
}

}  // namespace

void HelpFmt() {
  std::cout << FmtOptions() << "\nPrints each file in canonical form (stdout), or with --check "
            "lists the files that differ and exits 1, or with --write rewrites them. Comments are "
            "kept; files with syntax errors are not formatted (exit 1).\n";
}

int RunFmt(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  po::options_description all = FmtOptions();
  all.add_options()("file", po::value<std::vector<std::string>>(&files));
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "pbrc fmt: " << e.what() << "\n";
    return kFailure;
  }
  if (vm.count("help")) {
    HelpFmt();
    return kOk;
  }
  bool check = vm.count("check") > 0, write = vm.count("write") > 0;
  if (files.empty() || (check && write)) {
    std::cerr << "pbrc fmt: " << (files.empty() ? "no input files" : "--check and --write exclude each other") << "\n";
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
