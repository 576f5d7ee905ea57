// pbrc apply POLICY: prints the plan against the kernel, then changes the kernel to the
// policy as one transaction (src/apply/). With --confirm SECONDS the change is a try: a
// detached watchdog rolls it back at the deadline unless `pbrc confirm`, the same apply again,
// or a key press on the terminal keeps it.
// Exit 0 applied (or nothing to change), 1 errors in the policy, 3 usage or system failure
// (the kernel restored), 5 a try not confirmed and rolled back.
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>

#include "apply_genid.h"
#include "apply_session.h"
#include "commands.h"
#include "common.h"
#include "huge_heap.h"
#include "pbrc/render_escape.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

struct ApplyArgs {
  std::string netns, state_dir;
  int confirm = 0;
  bool quiet = false;
};

po::options_description ApplyOptions(ApplyArgs& a) {
  po::options_description desc(
      "pbrc apply [--netns NAME] [--state-dir DIR] [--confirm SECONDS] [-q] POLICY");
  desc.add_options()("help,h", "show this help")(
      "netns", po::value<std::string>(&a.netns),
      "apply inside the named network namespace (/run/netns/NAME)")(
      "state-dir", po::value<std::string>(&a.state_dir)->default_value(apply::kDefaultStateDir),
      "where applied policies, snapshots and the journal are kept")(
      "confirm", po::value<int>(&a.confirm), "try mode: roll back after SECONDS unless confirmed")(
      "quiet,q", po::bool_switch(&a.quiet), "print neither the plan nor the steps");
  return desc;
}

// Waits for a key on the terminal until the deadline: true when one came.
bool KeyBefore(int64_t deadline) {
  termios old{}, raw{};
  bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    raw = old;
    raw.c_lflag &= ~(ICANON | ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  bool key = false;
  for (int64_t left; !key && (left = deadline - int64_t(time(nullptr))) > 0;) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int n = poll(&p, 1, int(std::min<int64_t>(left, 1) * 1000));
    if (n > 0) {
      char c;
      key = read(STDIN_FILENO, &c, 1) == 1;
      if (!key) {  // end of input: nobody can press a key; the deadline still holds
        sleep(static_cast<unsigned>(left));
        break;
      }
    }
  }
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
  return key;
}

// A try on the terminal: the user's key confirms, the deadline rolls back (the watchdog
// would too; whoever takes the lock first does it, the other finds nothing pending).
int AwaitKey(const apply::Target& t, const apply::PendingConfirm& c, bool quiet) {
  std::cout << "press any key within " << c.deadline - int64_t(time(nullptr))
            << " seconds to keep it; otherwise it is rolled back" << std::endl;
  bool key = KeyBefore(c.deadline);
  std::string err;
  auto lock = apply::Lock::Take(t.state_dir, nullptr, err);
  if (!lock) {
    std::cerr << "pbrc apply: " << EscapeMessage(err) << "\n";
    return kFailure;
  }
  auto now = apply::ReadPendingConfirm(t);
  if (!now || now->token != c.token) {
    // Another process ended the try first: `pbrc confirm` or `rollback`, or the watchdog,
    // which reaches the same deadline and may take the lock first. The exit status says
    // what the kernel holds now, whatever this process saw on the terminal.
    if (apply::CurrentName(t.Dir()) == c.gen) {
      std::cout << "confirmed: " << c.gen << " stays (confirmed by another command)" << std::endl;
      return kOk;
    }
    std::cerr << "pbrc apply: " << c.gen << " was rolled back by another command"
              << (key ? " (the key came as the deadline passed)" : " at the deadline") << "\n";
    return kRolledBack;
  }
  if (key && apply::Confirm(t, err)) {
    std::cout << "confirmed: " << c.gen << " stays" << std::endl;
    return kOk;
  }
  if (!key && apply::RollbackTrial(t, c.token, Sayer(quiet), err)) return kRolledBack;
  std::cerr << "pbrc apply: " << EscapeMessage(err) << "\n";
  return kFailure;
}

// A pending try: the same policy again confirms it; another policy must wait for it.
std::optional<int> PendingTry(const apply::Target& t, const apply::Sources& sources) {
  auto c = apply::ReadPendingConfirm(t);
  if (!c) return std::nullopt;
  std::string err;
  if (apply::CurrentGeneration(t, err, false) &&
      apply::SameSources(t, c->gen, sources, err).value_or(false) && apply::Confirm(t, err)) {
    std::cout << "confirmed: " << c->gen << " stays" << std::endl;
    return kOk;
  }
  std::cerr << "pbrc apply: " << c->gen << " is on trial for "
            << c->deadline - int64_t(time(nullptr))
            << " more seconds: confirm it ('pbrc confirm') or roll it back ('pbrc rollback') "
               "first\n";
  return kFailure;
}

// The plan and the apply; `listing_only` after a batch the kernel refused because another
// program committed since the plan: plan again from a listing. nullopt: applied.
std::optional<int> PlanAndApply(const ApplyArgs& a, const std::string& file,
                                const ir::Program& prog, const apply::Sources& sources,
                                const apply::Target& t, bool listing_only, bool& retry) {
  apply::Say say = Sayer(a.quiet);
  std::string err;
  // Its sources are read only when needed: they are megabytes for a big list.
  auto cur = apply::CurrentGeneration(t, err, false);
  KnownTable known = ProveTable(t, cur, listing_only, say);
  say("progress: the plan against the kernel");
  plan::Plan plan;
  std::optional<live::TableListing> listed;
  std::optional<apply::NftStateRecord> record;
  plan::State sets;  // the policy's sets for the element changes (a first apply has none)
  if (!PrintPlan("apply", prog, file, a.quiet, plan, listed,
                 known.generation ? &known.state : nullptr, &known.listing_text, &record,
                 cur ? &sets : nullptr))
    return kFailure;
  if (plan.Empty() && cur && a.confirm == 0) {
    if (auto same = apply::SameSources(t, cur->name, sources, err); !same) {
      say("warning: " + err + "; the policy is recorded again as a new generation");
    } else if (*same) {
      say("nothing to change: " + cur->name + " is applied");
      if (!known.generation) RecordUnchanged(t, cur->name, known.genid, say);
      return kOk;
    }
  }
  apply::Request r;
  r.target = t;
  r.program = &prog;
  if (cur) r.current = &*cur;
  r.sources = &sources;
  r.confirm_seconds = a.confirm;
  r.confirm_token = NewToken();
  r.listing = std::move(listed);
  r.genid = known.genid;
  r.ip_unchanged = std::all_of(plan.changes.begin(), plan.changes.end(),
                               [](const auto& c) { return plan::IsNftKind(c.kind); });
  // Only the sources changed (a comment, a file moved): the kernel keeps its table.
  r.nft_unchanged = std::none_of(plan.changes.begin(), plan.changes.end(),
                                 [](const auto& c) { return plan::IsNftKind(c.kind); });
  r.known_generation = known.generation;
  r.nft_state = std::move(record);
  std::string uerr;
  say("progress: the element changes of changed sets");
  r.set_update =
      apply::ElementOnlyUpdate(prog, plan, r.listing ? &*r.listing : nullptr, uerr,
                               known.generation ? &known.state : nullptr, cur ? &sets : nullptr);
  if (!uerr.empty()) say("warning: " + uerr + "; the table is replaced instead");
  // The plan's elements were printed and diffed; what follows needs only its summary, and
  // a first apply's million intervals would otherwise stay through the kernel batch.
  for (auto& c : plan.changes) c.added = c.removed = {};
  sets = {};
  bool moved = false;
  err.clear();
  if (!apply::Apply(r, say, err, &moved)) {
    retry = moved && !listing_only;
    if (retry) {
      say("warning: " + err +
          ": another program changed nftables since the plan; nothing was "
          "changed, planning again from a listing");
      return std::nullopt;
    }
    std::cerr << "pbrc apply: " << EscapeMessage(err) << "\n";
    return kFailure;
  }
  say("applied: " + apply::CurrentName(t.Dir()) + " (" + plan::Summary(plan) + ")");
  return std::nullopt;
}

int Run(const ApplyArgs& a, const std::string& file) {
  AdviseHugeHeap();
  int rc = kOk;
  apply::Sources sources;
  apply::Say say = Sayer(a.quiet);
  say("progress: compiling " + file);
  auto prog = CompileRecorded(file, sources, rc);
  if (!prog) return rc;
  apply::Target t{a.state_dir, prog->opts.nft_table, a.netns};
  Session s;
  if (!OpenSession("apply", t, say, s)) return kFailure;
  if (auto pending = PendingTry(t, sources)) return *pending;
  bool retry = false;
  if (auto done = PlanAndApply(a, file, *prog, sources, t, false, retry)) return *done;
  if (retry) {
    if (auto done = PlanAndApply(a, file, *prog, sources, t, true, retry)) return *done;
  }
  std::string err;
  if (a.confirm <= 0) return kOk;
  auto c = apply::ReadPendingConfirm(t);
  if (!c || !SpawnWatchdog(t, *c, err)) {
    std::cerr << "pbrc apply: cannot start the watchdog: " << EscapeMessage(err)
              << "; the next pbrc run after the deadline rolls back\n";
  }
  s.lock.reset();
  if (isatty(STDIN_FILENO)) return AwaitKey(t, *c, a.quiet);
  say("on trial until the deadline: 'pbrc confirm' keeps it, otherwise it is rolled back");
  return kOk;
}

}  // namespace

void HelpApply() {
  ApplyArgs a;
  std::cout << ApplyOptions(a)
            << "\nPrints the plan against the running kernel (as 'pbrc diff'), then applies the "
               "policy as one transaction: nft table, ip rules and routes of both families, "
               "sysctls; on any failure everything is restored. Needs root.\nExit 0 applied, 1 "
               "errors in the policy, 3 usage or system failure, 5 try rolled back.\n";
}

int RunApply(const std::vector<std::string>& args) {
  ApplyArgs a;
  std::vector<std::string> files;
  switch (ParseArgs("apply", args, ApplyOptions(a), files)) {
    case Args::kError:
      return kFailure;
    case Args::kHelp:
      HelpApply();
      return kOk;
    case Args::kOk:
      break;
  }
  if (files.size() != 1 || a.confirm < 0 || a.confirm > 86400) {
    std::cerr << "pbrc apply: give one POLICY file (and --confirm 1-86400 seconds)\n";
    return kFailure;
  }
  if (geteuid() != 0) {
    std::cerr << "pbrc apply: changing the kernel's nft table, rules and routes needs root\n";
    return kFailure;
  }
  return Run(a, files[0]);
}

}  // namespace pbrc::cli
