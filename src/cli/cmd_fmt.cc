// pbrc fmt [--check | --write] FILE...: print, verify or rewrite the canonical form. Every
// file is handled even when an earlier one failed; `-` is standard input (printed or checked,
// never written).
#include <boost/program_options.hpp>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "fmt_write.h"
#include "pbrc/fmt.h"
#include "pbrc/render_escape.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

enum class Mode { kPrint, kCheck, kWrite };

po::options_description FmtOptions(bool* check, bool* write) {
  po::options_description desc("pbrc fmt [--check | --write] FILE...");
  desc.add_options()("help,h", "show this help")("check", po::bool_switch(check),
                                                 "exit 1 when a file is not formatted")(
      "write,w", po::bool_switch(write), "rewrite files in place");
  return desc;
}

// Formats one file; returns its exit code.
int FormatOne(const std::string& arg, Mode mode) {
  std::string name = arg == "-" ? kStdinName : arg;
  std::string text, err;
  if (!ReadInput(arg, text, err)) {
    std::cerr << "pbrc fmt: cannot read '" << EscapeName(name) << "': " << err << "\n";
    return kFailure;
  }
  SourceManager sm;
  Diagnostics diags;
  uint32_t id = sm.Add(name, name, text);
  ast::File file = ParseBuffer(sm, diags, id);
  if (diags.HasErrors()) {
    Report(diags, sm, CommonOptions{});
    return kInputErrors;
  }
  std::string formatted = Format(file, sm.Get(id));
  switch (mode) {
    case Mode::kPrint:
      std::cout << formatted;
      return kOk;
    case Mode::kCheck:
      if (formatted == text) return kOk;
      std::cout << EscapeName(name) << "\n";
      return kInputErrors;
    case Mode::kWrite:
      if (formatted == text) return kOk;
      if (!RewriteFile(arg, text, formatted, err)) {
        std::cerr << "pbrc fmt: " << err << "\n";
        return kFailure;
      }
      return kOk;
  }
  return kOk;
}

}  // namespace

void HelpFmt() {
  bool c = false, w = false;
  std::cout
      << FmtOptions(&c, &w)
      << "\nPrints each file in canonical form (stdout), or with --check "
         "lists the files that differ and exits 1, or with --write rewrites them (keeping mode, "
         "owner and symlinks; files with several hard links or no write permission are "
         "refused). FILE '-' is standard input (not with --write). Comments are kept; files "
         "with syntax errors are not formatted (exit 1); unreadable files exit 3.\n";
}

int RunFmt(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  bool check = false, write = false;
  if (auto rc = ParseOrHelp("fmt", args, FmtOptions(&check, &write), files, HelpFmt)) return *rc;
  bool stdin_write = false;
  for (const auto& f : files) stdin_write = stdin_write || (write && f == "-");
  if (files.empty() || (check && write) || stdin_write) {
    std::cerr << "pbrc fmt: "
              << (files.empty() ? "no input files"
                  : stdin_write ? "--write cannot rewrite standard input ('-'); print it instead"
                                : "--check and --write exclude each other")
              << "\n";
    return kFailure;
  }
  Mode mode = check ? Mode::kCheck : write ? Mode::kWrite : Mode::kPrint;
  int rc = kOk;
  // The worst outcome wins: a system failure (3) over unformatted or broken files (1).
  for (const auto& path : files) rc = std::max(rc, FormatOne(path, mode));
  return rc;
}

}  // namespace pbrc::cli
