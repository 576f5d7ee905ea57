// The commands around apply: rollback (to the policy applied before, or the state before an
// unconfirmed try), confirm (keep a try), recover (finish an interrupted apply), and the
// hidden __watchdog a try starts. Each takes TABLE (a policy folder of the state directory,
// named after the policy's nft table); without it, every folder there.
// Exit 0 done, 3 usage or system failure; rollback also 1 when the previous policy no longer
// compiles.
#include <time.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <thread>

#include "apply_session.h"
#include "commands.h"
#include "common.h"
#include "huge_heap.h"
#include "pbrc/render_escape.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

struct StateArgs {
  std::string netns, state_dir, token;
  int64_t deadline = 0;
  bool quiet = false;
};

po::options_description StateOptions(const char* usage, StateArgs& a, bool watchdog = false) {
  po::options_description desc(usage);
  desc.add_options()("help,h", "show this help")(
      "netns", po::value<std::string>(&a.netns),
      "inside the named network namespace (/run/netns/NAME)")(
      "state-dir", po::value<std::string>(&a.state_dir)->default_value(apply::kDefaultStateDir),
      "where applied policies, snapshots and the journal are kept")(
      "quiet,q", po::bool_switch(&a.quiet), "print neither the plan nor the steps");
  if (watchdog)
    desc.add_options()("token", po::value<std::string>(&a.token))("deadline",
                                                                  po::value<int64_t>(&a.deadline));
  return desc;
}

bool Root(const char* cmd) {
  if (geteuid() == 0) return true;
  std::cerr << "pbrc " << cmd << ": changing the kernel's nft table, rules and routes needs root\n";
  return false;
}

// Back to the generation before the current one: compiled again from its sources and applied
// as a new generation whose previous is that one's previous (a stack of rollbacks).
int RollbackOne(const StateArgs& a, const std::string& table) {
  apply::Say say = Sayer(a.quiet);
  apply::Target t{a.state_dir, table, a.netns};
  if (apply::ReadPendingConfirm(t)) {
    Session s;
    if (!OpenSession("rollback", t, say, s)) return kFailure;
    std::string err;
    if (apply::RollbackTrial(t, "", say, err)) return kOk;
    std::cerr << "pbrc rollback: " << EscapeMessage(err) << "\n";
    return kFailure;
  }
  Session s;
  if (!OpenSession("rollback", t, say, s)) return kFailure;
  std::string err;
  // Only the previous generation's sources are needed (the current one's may be damaged).
  auto cur = apply::CurrentGeneration(t, err, false);
  apply::Generation prev;
  if (!cur || cur->previous.empty()) {
    std::cerr << "pbrc rollback: no previous applied policy for '" << EscapeMessage(table) << "'"
              << (err.empty() ? "" : ": " + EscapeMessage(err)) << "\n";
    return kFailure;
  }
  if (!apply::ReadGeneration(t, cur->previous, prev, err)) {
    std::cerr << "pbrc rollback: the previous applied policy " << cur->previous
              << " is unreadable: " << EscapeMessage(err) << "\n";
    return kFailure;
  }
  auto prog = CompileSources(prev.sources, err);
  if (!prog) {
    std::cerr << "pbrc rollback: " << EscapeMessage(err) << "\n";
    return kInputErrors;
  }
  plan::Plan plan;
  std::optional<live::TableListing> listed;
  std::optional<apply::NftStateRecord> record;
  if (!PrintPlan("rollback", *prog, prev.sources.root, a.quiet, plan, listed, nullptr, nullptr,
                 &record))
    return kFailure;
  apply::Request r;
  r.nft_state = std::move(record);
  r.target = t;
  r.program = &*prog;
  r.sources = &prev.sources;
  r.previous_override = prev.previous;
  r.listing = std::move(listed);
  r.set_update = apply::ElementOnlyUpdate(*prog, plan, r.listing ? &*r.listing : nullptr, err);
  err.clear();
  if (!apply::Apply(r, say, err)) {
    std::cerr << "pbrc rollback: " << EscapeMessage(err) << "\n";
    return kFailure;
  }
  say("rolled back to " + prev.name + " (" + prev.sources.root + ") as " +
      apply::CurrentName(t.Dir()));
  return kOk;
}

// Parses a state command's arguments; nullopt is the exit code to return.
std::optional<int> Parse(const char* cmd, const char* usage, const std::vector<std::string>& args,
                         StateArgs& a, std::vector<std::string>& tables, void (*help)(),
                         bool watchdog = false) {
  if (auto rc = ParseOrHelp(cmd, args, StateOptions(usage, a, watchdog), tables, help)) return rc;
  if (tables.size() > 1) {
    std::cerr << "pbrc " << cmd << ": give at most one TABLE\n";
    return kFailure;
  }
  if (!Root(cmd)) return kFailure;
  return std::nullopt;
}

const char* kRollbackUsage = "pbrc rollback [--netns NAME] [--state-dir DIR] [-q] [TABLE]";
const char* kConfirmUsage = "pbrc confirm [--state-dir DIR] [TABLE]";
const char* kRecoverUsage = "pbrc recover [--netns NAME] [--state-dir DIR] [-q] [TABLE]";

}  // namespace

void HelpRollback() {
  StateArgs a;
  std::cout << StateOptions(kRollbackUsage, a)
            << "\nDuring a try (--confirm), returns to the state before it; otherwise applies "
               "the policy applied before the current one again. TABLE is the policy's nft "
               "table name; it may be left out when the state folder holds one policy.\n";
}
void HelpConfirm() {
  StateArgs a;
  std::cout << StateOptions(kConfirmUsage, a)
            << "\nKeeps the policy on trial (apply --confirm): no rollback at the deadline.\n";
}
void HelpRecover() {
  StateArgs a;
  std::cout << StateOptions(kRecoverUsage, a)
            << "\nFinishes or undoes an apply that was interrupted (its journal is present) and "
               "rolls back a try whose deadline passed. apply and rollback do this first too.\n";
}

int RunRollback(const std::vector<std::string>& args) {
  StateArgs a;
  std::vector<std::string> tables;
  if (auto rc = Parse("rollback", kRollbackUsage, args, a, tables, HelpRollback)) return *rc;
  tables = TablesOf(a.state_dir, tables.empty() ? "" : tables[0]);
  if (tables.size() != 1) {
    std::cerr << "pbrc rollback: name the policy's TABLE (" << tables.size() << " policies in '"
              << EscapeMessage(a.state_dir) << "')\n";
    return kFailure;
  }
  AdviseHugeHeap();  // it compiles and loads the previous policy, as apply does
  return RollbackOne(a, tables[0]);
}

int RunConfirm(const std::vector<std::string>& args) {
  StateArgs a;
  std::vector<std::string> tables;
  if (auto rc = Parse("confirm", kConfirmUsage, args, a, tables, HelpConfirm)) return *rc;
  std::string err;
  auto lock = apply::Lock::Take(a.state_dir, nullptr, err);
  int confirmed = 0;
  for (const auto& table : TablesOf(a.state_dir, tables.empty() ? "" : tables[0])) {
    apply::Target t{a.state_dir, table, ""};
    auto c = apply::ReadPendingConfirm(t);
    if (!c || !lock) continue;
    if (c->deadline <= int64_t(time(nullptr))) {
      std::cerr << "pbrc confirm: too late: the deadline of " << c->gen << " has passed\n";
      return kFailure;
    }
    if (!apply::Confirm(t, err)) break;
    std::cout << "confirmed: " << c->gen << " of '" << EscapeMessage(table) << "' stays\n";
    ++confirmed;
  }
  if (!err.empty()) std::cerr << "pbrc confirm: " << EscapeMessage(err) << "\n";
  if (err.empty() && !confirmed) std::cerr << "pbrc confirm: nothing is on trial\n";
  return confirmed && err.empty() ? kOk : kFailure;
}

int RunRecover(const std::vector<std::string>& args) {
  StateArgs a;
  std::vector<std::string> tables;
  if (auto rc = Parse("recover", kRecoverUsage, args, a, tables, HelpRecover)) return *rc;
  apply::Say say = Sayer(a.quiet);
  for (const auto& table : TablesOf(a.state_dir, tables.empty() ? "" : tables[0])) {
    Session s;
    if (!OpenSession("recover", apply::Target{a.state_dir, table, a.netns}, say, s))
      return kFailure;
  }
  return kOk;
}

// Started detached by `apply --confirm`: sleeps to the deadline, then rolls the try back if
// it is still pending (and still the same try).
int RunWatchdog(const std::vector<std::string>& args) {
  StateArgs a;
  std::vector<std::string> tables;
  if (auto rc = Parse(
          "__watchdog", "pbrc __watchdog", args, a, tables, [] {}, true))
    return *rc;
  if (tables.size() != 1) return kFailure;
  const std::string& table = tables[0];
  std::cerr << "watchdog " << getpid() << ": rolls back try " << a.token << " of '"
            << EscapeMessage(table) << "' at " << a.deadline << " unless confirmed" << std::endl;
  while (int64_t(time(nullptr)) < a.deadline) std::this_thread::sleep_for(std::chrono::seconds(1));
  apply::Target t{a.state_dir, table, a.netns};
  auto c = apply::ReadPendingConfirm(t);
  if (!c || c->token != a.token) return kOk;  // confirmed, or another try
  Session s;
  if (!OpenSession("__watchdog", t, Sayer(false), s)) return kFailure;
  std::string err;
  if (apply::RollbackTrial(t, a.token, Sayer(false), err)) return kOk;
  std::cerr << "pbrc __watchdog: " << EscapeMessage(err) << "\n";
  return kFailure;
}

}  // namespace pbrc::cli
