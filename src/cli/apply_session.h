// What apply, rollback, confirm and recover share: the state directory lock, recovery of an
// interrupted apply and of an expired trial, compiling a policy (recording its sources), the
// plan against the kernel, and the watchdog of a try.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pbrc/apply.h"
#include "pbrc/ir.h"
#include "pbrc/live.h"
#include "pbrc/plan.h"

namespace pbrc::cli {

// Exit code of a try that was not confirmed and was rolled back (docs/pbrc.1.md).
inline constexpr int kRolledBack = 5;

// A locked policy folder, inside --netns, after recovery.
struct Session {
  apply::Target target;
  std::unique_ptr<apply::Lock> lock;
};
// Enters the namespace, takes the lock, undoes an interrupted apply, rolls back an expired
// trial. Prints why it failed ("pbrc CMD: ...").
bool OpenSession(const char* cmd, const apply::Target& t, const apply::Say& say, Session& s);
// Same as OpenSession for an already entered namespace and a held lock.
bool RecoverTarget(const char* cmd, const apply::Target& t, const apply::Say& say);

// Compiles a policy file, keeping its sources; nullopt after the diagnostics (rc: 1 or 3).
std::optional<ir::Program> CompileRecorded(const std::string& file, apply::Sources& sources,
                                           int& rc);
// Compiles an applied generation's sources again.
std::optional<ir::Program> CompileSources(const apply::Sources& sources, std::string& err);

// The plan of `p` against the kernel of this process's namespace; false after printing why.
// `listed` receives pbrc's table as the plan read it (for the snapshot of the apply after);
// with `known_nft` (the table is known to hold it) the table is not read and `listed` is
// left empty.
// `known_text`: the nft text `known_nft`'s listed objects came from (the same text is not
// loaded again). `record` (when given) receives the nft side of `p`'s desired state for its
// nft-state record (apply::EncodeNftState) and `sets` its set objects, both computed once
// (their intervals shared with the IR, not copied).
bool PrintPlan(const char* cmd, const ir::Program& p, const std::string& desired, bool quiet,
               plan::Plan& out, std::optional<live::TableListing>& listed,
               const plan::State* known_nft = nullptr, const std::string* known_text = nullptr,
               std::optional<apply::NftStateRecord>* record = nullptr, plan::State* sets = nullptr);

// Messages of apply: to stdout unless quiet, warnings always (stderr).
apply::Say Sayer(bool quiet);

// Starts the detached watchdog (`pbrc __watchdog`, its own session) that rolls the trial back
// at its deadline unless it was confirmed; it outlives this process.
bool SpawnWatchdog(const apply::Target& t, const apply::PendingConfirm& c, std::string& err);
// The policy folders of a state directory: `only` when given, else every one.
std::vector<std::string> TablesOf(const std::string& state_dir, const std::string& only);
std::string NewToken();

}  // namespace pbrc::cli
