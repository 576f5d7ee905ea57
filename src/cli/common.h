// What every subcommand shares: exit codes, loading + checking a policy, printing diagnostics.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pbrc/diagnostics.h"
#include "pbrc/pipeline.h"

namespace pbrc::cli {

// Stable exit codes (docs/pbrc.1.md).
enum Exit : int {
  kOk = 0,
  kInputErrors = 1,     // diagnostics with errors, or `fmt --check` found a change
  kChangesPending = 2,  // reserved for `diff`
  kFailure = 3,         // usage errors, system failures (I/O, out of memory)
  kInternalError = 4,   // a bug in pbrc: an exception nothing else handled
};

// `-` as a FILE means standard input (check, fmt); diagnostics call it this.
inline constexpr const char* kStdinName = "<stdin>";

// Reads FILE as given on the command line: `-` is standard input (read once), anything else a
// regular file; both at most kMaxFileSize bytes.
bool ReadInput(const std::string& arg, std::string& text, std::string& err);

// The disk, except that kStdinName is the text of standard input (for `check -`).
class StdinReader : public FileReader {
 public:
  bool Read(const std::string& path, std::string& out, std::string& error) override;
  std::optional<std::string> Identity(const std::string& path) override;
};

enum class DiagFormat { kText, kJson };
struct CommonOptions {
  DiagFormat format = DiagFormat::kText;
};

// Prints the diagnostics of one run: text on stderr; JSON on stdout, or on stderr when stdout
// carries artifacts (`json_to_stderr`).
void Report(const Diagnostics& diags, const SourceManager& sm, const CommonOptions& opts,
            bool json_to_stderr = false);

bool ParseFormat(const std::string& s, CommonOptions& opts);

// Parses a subcommand's arguments: the options of `desc` plus positional FILE arguments.
// kError means a usage error was printed ("pbrc CMD: ...").
enum class Args { kOk, kHelp, kError };
Args ParseArgs(const char* cmd, const std::vector<std::string>& args,
               const boost::program_options::options_description& desc,
               std::vector<std::string>& files);
// ParseArgs for a subcommand, printing `help()` for --help: the exit code when the command
// ends here (usage error or help), nullopt when it goes on.
std::optional<int> ParseOrHelp(const char* cmd, const std::vector<std::string>& args,
                               const boost::program_options::options_description& desc,
                               std::vector<std::string>& files, void (*help)());

}  // namespace pbrc::cli
