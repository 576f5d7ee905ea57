// pbrc compile POLICY [-o DIR] [--emit KINDS]: nothing is written unless the whole
// compilation succeeded, and then as one set (cli/artifact_set.h). The artifacts are rendered
// while they are written, so none is ever held whole in memory.
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "artifact_set.h"
#include "commands.h"
#include "common.h"
#include "pbrc/render_escape.h"
#include "pbrc/syntax.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace pbrc::cli {
namespace {

struct CompileArgs {
  std::string out_dir;
  std::string emit;
  std::string format;
  bool out_given = false;  // `-o ''` is a mistake, not "stdout"
  bool emit_given = false;
};

po::options_description CompileOptions(CompileArgs& a) {
  po::options_description desc("pbrc compile POLICY [-o DIR] [--emit KINDS]");
  desc.add_options()("help,h", "show this help")(
      "output,o", po::value<std::string>(&a.out_dir)->notifier([&a](const std::string&) {
        a.out_given = true;
      }),
      "write NAME.<suffix> files into DIR")(
      "emit",
      po::value<std::string>(&a.emit)->notifier([&a](const std::string&) { a.emit_given = true; }),
      "comma-separated: nft, nft-json, ip, sysctl, ir (default: nft,ip,sysctl on stdout; all with "
      "-o)")("format", po::value<std::string>(&a.format)->default_value("text"),
             "diagnostics: text or json");
  return desc;
}

// The kinds named by --emit; a usage error (printed) for an unknown or empty one.
bool EmitKinds(const CompileArgs& a, std::vector<std::string>& kinds) {
  std::string list = a.emit_given  ? a.emit
                     : a.out_given ? "nft,nft-json,ip,sysctl,ir"
                                   : "nft,ip,sysctl";
  size_t start = 0;
  for (;;) {
    size_t comma = list.find(',', start);
    std::string k = list.substr(start, comma == std::string::npos ? comma : comma - start);
    bool known = false;
    for (const auto& v : ArtifactKinds()) known = known || v == k;
    if (!known) {
      std::cerr << "pbrc compile: "
                << (k.empty() ? "empty artifact kind in --emit '" : "unknown artifact '")
                << EscapeMessage(k.empty() ? list : k) << "' (nft, nft-json, ip, sysctl, ir)\n";
      return false;
    }
    kinds.push_back(k);
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

// Usage errors that option parsing cannot see; prints the message.
bool CheckUsage(const CompileArgs& a, const std::vector<std::string>& files,
                CommonOptions& common) {
  const char* problem = nullptr;
  if (files.size() != 1) {
    problem = "give exactly one policy file";
  } else if (!ParseFormat(a.format, common)) {
    problem = "--format is text or json";
  } else if (files[0] == "-") {
    problem =
        "standard input ('-') is not supported: the artifact names come from the policy's file "
        "name (check and fmt read '-')";
  } else if (a.out_given && a.out_dir.empty()) {
    problem = "-o needs a folder name (leave -o out to print to stdout)";
  }
  if (problem) std::cerr << "pbrc compile: " << problem << "\n";
  return problem == nullptr;
}

int WriteToFolder(const std::string& dir, const std::string& stem,
                  const std::vector<Artifact>& arts) {
  WriteResult w = WriteArtifactSet(dir, stem, arts);
  std::string where = "'" + EscapeName(dir) + "'";
  if (w.repaired && w.ok) {
    std::cerr << "pbrc compile: note: replaced the artifact set in " << where
              << " that an interrupted compile left incomplete\n";
  }
  if (w.ok) return kOk;
  std::cerr << "pbrc compile: " << EscapeName(w.error) << "\npbrc compile: "
            << (w.mixed || w.repaired
                    ? "the artifact set in " + where + " is incomplete; compile again to repair it"
                    : "the artifacts in " + where + " were not changed")
            << "\n";
  return kFailure;
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
  if (auto rc = ParseOrHelp("compile", args, CompileOptions(a), files, HelpCompile)) return *rc;
  if (!CheckUsage(a, files, common)) return kFailure;
  std::vector<std::string> kinds;
  if (!EmitKinds(a, kinds)) return kFailure;
  auto c = Compile(files[0], DiskReader());
  Report(c->diags, c->sm, common, /*json_to_stderr=*/a.out_dir.empty());
  if (c->read_failed) return kFailure;
  if (!c->ir) return kInputErrors;
  std::vector<Artifact> arts = Emit(*c->ir, kinds);
  std::string stem = fs::path(files[0]).stem().string();
  if (!a.out_given) {
    // Printed output cannot be taken back, so every text is made whole before the first is
    // printed; only -o streams (into unnamed temp files, cli/artifact_set.h).
    std::vector<std::string> texts;
    for (const auto& art : arts) texts.push_back(art.Text());
    for (size_t i = 0; i < arts.size(); ++i) {
      if (arts.size() > 1)
        std::cout << "# ==> " << syntax::CommentLine(stem + "." + arts[i].suffix) << " <==\n";
      std::cout << texts[i];
    }
    return kOk;
  }
  return WriteToFolder(a.out_dir, stem, arts);
}

}  // namespace pbrc::cli
