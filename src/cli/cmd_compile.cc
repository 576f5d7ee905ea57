// pbrc compile POLICY [-o DIR] [--emit KINDS]: all artifacts are computed in memory first;
// nothing is written unless the whole compilation succeeded, and files are replaced by rename.
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace pbrc::cli {
namespace {

struct CompileArgs {
  std::string out_dir;
  std::string emit;
  std::string format;
};

po::options_description CompileOptions(CompileArgs& a) {
  po::options_description desc("pbrc compile POLICY [-o DIR] [--emit KINDS]");
  desc.add_options()("help,h", "show this help")("output,o", po::value<std::string>(&a.out_dir),
                                                 "write NAME.<suffix> files into DIR")(
      "emit", po::value<std::string>(&a.emit),
      "comma-separated: nft, nft-json, ip, sysctl, ir (default: nft,ip,sysctl on stdout; all with "
      "-o)")("format", po::value<std::string>(&a.format)->default_value("text"),
             "diagnostics: text or json");
  return desc;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool WriteAtomically(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  std::ofstream out(tmp, std::ios::binary);
  out << text;
  out.close();
  if (!out) return false;
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

void HelpCompile() {
  CompileArgs a;
  std::cout << CompileOptions(a)
            << "\nArtifacts: NAME.nft (nft -f), NAME.nft.json (nft -j -f), "
               "NAME.ip and NAME.ip6 (ip -batch, ip -6 -batch), NAME.sysctl.conf, NAME.ir.\n"
               "Output is byte-identical for the same policy. Exit 0 ok, 1 errors in the policy, 3 "
               "usage or system failure.\n";
}

int RunCompile(const std::vector<std::string>& args) {
  CompileArgs a;
  std::vector<std::string> files;
  CommonOptions common;
  switch (ParseArgs("compile", args, CompileOptions(a), files)) {
    case Args::kError:
      return kFailure;
    case Args::kHelp:
      HelpCompile();
      return kOk;
    case Args::kOk:
      break;
  }
  if (files.size() != 1 || !ParseFormat(a.format, common)) {
    std::cerr << "pbrc compile: "
              << (files.size() != 1 ? "give exactly one policy file" : "--format is text or json")
              << "\n";
    return kFailure;
  }
  std::vector<std::string> kinds =
      Split(a.emit.empty() ? (a.out_dir.empty() ? "nft,ip,sysctl" : "nft,nft-json,ip,sysctl,ir")
                           : a.emit);
  for (const auto& k : kinds) {
    bool known = false;
    for (const auto& v : ArtifactKinds()) known = known || v == k;
    if (!known) {
      std::cerr << "pbrc compile: unknown artifact '" << k << "' (nft, nft-json, ip, sysctl, ir)\n";
      return kFailure;
    }
  }
  auto c = Compile(files[0], DiskReader());
  Report(c->diags, c->sm, common, /*json_to_stderr=*/a.out_dir.empty());
  if (c->read_failed) return kFailure;
  if (!c->ir) return kInputErrors;
  std::vector<Artifact> arts = Emit(*c->ir, kinds);
  std::string stem = fs::path(files[0]).stem().string();
  if (a.out_dir.empty()) {
    for (const auto& art : arts) {
      if (arts.size() > 1) std::cout << "# ==> " << stem << "." << art.suffix << " <==\n";
      std::cout << art.text;
    }
    return kOk;
  }
  std::error_code ec;
  fs::create_directories(a.out_dir, ec);
  for (const auto& art : arts) {
    fs::path out = fs::path(a.out_dir) / (stem + "." + art.suffix);
    if (!WriteAtomically(out, art.text)) {
      std::cerr << "pbrc compile: cannot write '" << out.string() << "'\n";
      return kFailure;
    }
  }
  return kOk;
}

}  // namespace pbrc::cli
