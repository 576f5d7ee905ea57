// What the subcommands share: diagnostics output (colour only on a terminal, never with
// NO_COLOR) and argument parsing.
#include "common.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "pbrc/render_escape.h"

namespace pbrc::cli {

void Report(const Diagnostics& diags, const SourceManager& sm, const CommonOptions& opts,
            bool json_to_stderr) {
  auto list = diags.Sorted();
  if (opts.format == DiagFormat::kJson) {
    (json_to_stderr ? std::cerr : std::cout) << RenderJson(list, sm);
    return;
  }
  if (list.empty()) return;
  RenderOptions ro;
  const char* no_color = std::getenv("NO_COLOR");
  ro.color = isatty(STDERR_FILENO) && !(no_color && *no_color);
  std::cerr << RenderText(list, sm, ro);
}

Args ParseArgs(const char* cmd, const std::vector<std::string>& args,
               const boost::program_options::options_description& desc,
               std::vector<std::string>& files) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(desc);
  all.add_options()("file", po::value<std::vector<std::string>>(&files));
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "pbrc " << cmd << ": " << EscapeMessage(e.what()) << "\n";
    return Args::kError;
  }
  return vm.count("help") ? Args::kHelp : Args::kOk;
}

std::optional<int> ParseOrHelp(const char* cmd, const std::vector<std::string>& args,
                               const boost::program_options::options_description& desc,
                               std::vector<std::string>& files, void (*help)()) {
  switch (ParseArgs(cmd, args, desc, files)) {
    case Args::kError:
      return kFailure;
    case Args::kHelp:
      help();
      return kOk;
    case Args::kOk:
      break;
  }
  return std::nullopt;
}

bool ReadInput(const std::string& arg, std::string& text, std::string& err) {
  if (arg != "-") return DiskReader().Read(arg, text, err);
  static bool consumed = false;
  if (consumed) {
    err = "standard input was already read";
    return false;
  }
  consumed = true;
  return ReadBounded(STDIN_FILENO, text, err);
}

bool StdinReader::Read(const std::string& path, std::string& out, std::string& error) {
  return ReadInput(path == kStdinName ? "-" : path, out, error);
}

std::optional<std::string> StdinReader::Identity(const std::string& path) {
  if (path == kStdinName) return std::nullopt;
  return DiskReader().Identity(path);
}

bool ParseFormat(const std::string& s, CommonOptions& opts) {
  if (s == "text") {
    opts.format = DiagFormat::kText;
  } else if (s == "json") {
    opts.format = DiagFormat::kJson;
  } else {
    return false;
  }
  return true;
}

}  // namespace pbrc::cli
