// pbrc: git-style dispatch to subcommands. Usage errors exit 3, and so does running out of
// memory (a clean message, never an abort); a bug that throws exits 4.
#include <unistd.h>

#include <exception>
#include <iostream>
#include <new>

#include "commands.h"
#include "common.h"
#include "pbrc/render_escape.h"

namespace pbrc::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"apply", "put a policy on the running system as one transaction", RunApply, HelpApply},
      {"check", "check policy files and report every mistake", RunCheck, HelpCheck},
      {"compile", "compile a policy to nft, ip and sysctl artifacts", RunCompile, HelpCompile},
      {"confirm", "keep a policy applied with --confirm", RunConfirm, HelpConfirm},
      {"diff", "show what a policy changes: against another policy or the kernel", RunDiff,
       HelpDiff},
      {"explain", "show the path of a packet: rule, mark, ip rule, table, route", RunExplain,
       HelpExplain},
      {"fmt", "format policy files canonically", RunFmt, HelpFmt},
      {"lint", "find shadowed, overlapping and ineffective rules and collisions", RunLint,
       HelpLint},
      {"recover", "finish or undo an interrupted apply", RunRecover, HelpRecover},
      {"rollback", "return to the policy applied before", RunRollback, HelpRollback},
  };
  return kCommands;
}

namespace {

void Usage(std::ostream& os) {
  os << "usage: pbrc [--version] [--help] COMMAND [ARGS]\n\ncommands:\n";
  for (const auto& c : Commands())
    os << "  " << c.name << std::string(10 - std::string(c.name).size(), ' ') << c.summary << "\n";
  os << "  help CMD  show help for a command\n\nexit codes: 0 ok, 1 errors in input, "
        "2 changes pending, 3 usage or system failure (out of memory too), 4 internal error, "
        "5 a try not confirmed (rolled back)\n";
}

const Command* Find(const std::string& name) {
  for (const auto& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    Usage(std::cerr);
    return kFailure;
  }
  const std::string& first = args[0];
  if (first == "--version" || first == "version") {
    std::cout << "pbrc " << PBRC_VERSION << "\n";
    return kOk;
  }
  if (first == "--help" || first == "-h") {
    Usage(std::cout);
    return kOk;
  }
  if (first == "help") {
    if (args.size() < 2) {
      Usage(std::cout);
      return kOk;
    }
    if (const Command* c = Find(args[1])) {
      c->help();
      return kOk;
    }
    std::cerr << "pbrc: unknown command '" << EscapeMessage(args[1]) << "'\n";
    return kFailure;
  }
  if (first == "__watchdog")
    return RunWatchdog(std::vector<std::string>(args.begin() + 1, args.end()));
  const Command* c = Find(first);
  if (!c) {
    std::cerr << "pbrc: unknown command '" << EscapeMessage(first) << "' (see 'pbrc --help')\n";
    return kFailure;
  }
  return c->run(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace
}  // namespace pbrc::cli

namespace {

// Allocation failures where no exception may leave (destructors, noexcept code) would end in
// std::terminate and SIGABRT; this ends the process with the documented exit code instead.
// Only async-signal-safe calls: the heap is exhausted.
[[noreturn]] void OutOfMemory() {
  static const char kMsg[] = "pbrc: out of memory\n";
  ssize_t ignored = write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  (void)ignored;
  _exit(pbrc::cli::kFailure);
}

}  // namespace

int main(int argc, char** argv) {
  std::set_new_handler(OutOfMemory);
  try {
    return pbrc::cli::Main(argc, argv);
  } catch (const std::bad_alloc&) {
    OutOfMemory();
  } catch (const std::exception& e) {
    std::cerr << "pbrc: internal error: " << pbrc::EscapeMessage(e.what()) << "\n";
    return pbrc::cli::kInternalError;
  }
}
