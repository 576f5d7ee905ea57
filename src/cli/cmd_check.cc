// pbrc check FILE...: load, check, report; `-` is standard input.
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

po::options_description CheckOptions(std::string* format) {
  po::options_description desc("pbrc check [--format text|json] FILE...");
  desc.add_options()("help,h", "show this help")(
      "format", po::value<std::string>(format)->default_value("text"),
      "diagnostics as text (stderr) or json (stdout)");
  return desc;
}

}  // namespace

void HelpCheck() {
  std::string f;
  std::cout << CheckOptions(&f)
            << "\nChecks each policy file and its imports; prints every "
               "diagnostic. FILE '-' is standard input (imports are then relative to the current "
               "folder). Exit 0 when no file has errors, 1 otherwise, 3 when a file cannot be "
               "read.\n";
}

int RunCheck(const std::vector<std::string>& args) {
  std::string format;
  std::vector<std::string> files;
  CommonOptions common;
  if (auto rc = ParseOrHelp("check", args, CheckOptions(&format), files, HelpCheck)) return *rc;
  if (files.empty() || !ParseFormat(format, common)) {
    std::cerr << "pbrc check: " << (files.empty() ? "no input files" : "--format is text or json")
              << "\n";
    return kFailure;
  }
  int rc = kOk;
  // With --format json, one array for all files.
  nlohmann::ordered_json all_json = nlohmann::ordered_json::array();
  StdinReader reader;
  for (const auto& f : files) {
    auto c = Compile(f == "-" ? kStdinName : f, reader);
    if (common.format == DiagFormat::kJson) {
      for (auto& d : nlohmann::ordered_json::parse(RenderJson(c->diags.Sorted(), c->sm))) {
        all_json.push_back(std::move(d));
      }
    } else {
      Report(c->diags, c->sm, common);
    }
    if (c->read_failed) rc = kFailure;
    if (c->diags.HasErrors() && rc == kOk) rc = kInputErrors;
  }
  if (common.format == DiagFormat::kJson) std::cout << all_json.dump(2) << "\n";
  return rc;
}

}  // namespace pbrc::cli
