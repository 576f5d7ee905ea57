// Reading what the kernel holds for one policy, in the plan's comparable form. Every reader
// returns false with a message naming what failed (a system failure, exit 3); none of them
// changes anything in the kernel.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pbrc/analysis.h"
#include "pbrc/ir.h"
#include "pbrc/live.h"
#include "pbrc/plan.h"

struct nft_ctx;  // libnftables

namespace pbrc::live {

// One libnftables context with buffered output and errors; `json` lists in JSON. Shared by
// the readers here and by apply's writes.
class NftSession {
 public:
  explicit NftSession(bool json);
  ~NftSession();
  NftSession(const NftSession&) = delete;
  NftSession& operator=(const NftSession&) = delete;
  // Runs one command (or script); the output, or the error text without trailing newlines.
  bool Run(const std::string& cmd, std::string& out);

 private:
  nft_ctx* ctx_;
};

// Moves this (single-threaded) process into the named network namespace (/run/netns/NAME).
bool EnterNetns(const std::string& name, std::string& err);

// What pbrc owns outside nft: its ip rules and routes carry `protocol`.
struct Ownership {
  uint32_t protocol = 0;
  uint32_t pref_lo = 0, pref_hi = 0;  // pbrc's preference band
  std::vector<uint32_t> tables;       // tables pbrc's routes go to (for warnings)
};

// `ip rule`s of both families with pbrc's protocol; warns about others in the band.
bool ReadIpRules(const Ownership& own, plan::State& out, std::vector<std::string>& warnings,
                 std::string& err);
// Routes of both families with pbrc's protocol, in every table; warns about routes of other
// protocols in pbrc's tables.
bool ReadRoutes(const Ownership& own, plan::State& out, std::vector<std::string>& warnings,
                std::string& err);
// The current values of `keys` under /proc/sys; a key that does not exist is left out.
bool ReadSysctls(const std::vector<std::string>& keys, plan::State& out, std::string& err);

// `list table inet TABLE` as libnftables JSON; `exists` false when there is no such table.
bool ListNftTable(const std::string& table, std::string& json, bool& exists, std::string& err);
struct TableName {
  std::string family, name;
};
// Every nft table (a libnftnl dump, nftnl_tables.cc: no set elements fetched), and one
// table's listing (JSON).
bool ListNftTables(std::vector<TableName>& out, std::string& err);
bool ListNftTableOf(const TableName& t, std::string& json, std::string& err);
// Warns about rules in tables other than pbrc's `own` that can write bits of `mask` in the
// packet or connection mark; such rules can change where pbrc's traffic goes.
bool WarnMarkWriters(const std::string& own, uint32_t mask, std::vector<std::string>& warnings,
                     std::string& err);
// The bits of `mask` a mangle statement's value can change: `mark & A | O` changes
// ~A | O, a value that does not read the mark (a constant, `ct mark`) changes all of them.
uint32_t WrittenMarkBits(const nlohmann::json& value, uint32_t mask);

// The JSON listing the kernel gives for `nft_script` (pbrc's nft artifact), loaded in a
// private network namespace of a child process that exits right after: the desired side in
// the kernel's own words, so both sides of the plan are listed the same way.
bool CanonicalNftListing(const std::string& nft_script, const std::string& table, std::string& json,
                         std::string& err);
// The objects of a table listing: sets (elements normalized), chains and their rules (by
// chain and the rule id their comment starts with, else by chain and position; the comment
// is the origin).
bool NftObjects(const std::string& json, plan::State& out, std::string& err);

// The texts of one artifact set (`compile -o DIR`, or rendered from a policy in memory).
struct ArtifactTexts {
  std::string nft_json, ip, ip6, sysctl;
};
// The set's objects in the plan's form: nft objects as NftObjects reads them, ip rules and
// routes of the owning protocol, sysctls. False, with what is wrong, for a file that is not
// pbrc's ("ip is not a pbrc ip batch").
bool ArtifactState(const ArtifactTexts& a, plan::State& out, std::string& err);
// The texts `compile -o` would write for `p`, rendered in memory.
ArtifactTexts RenderArtifacts(const ir::Program& p);
// AlignRules for two artifact states (rule ids are positions in their own policy: rules
// align per chain by content); both come back sorted.
void AlignArtifactRules(plan::State& desired, plan::State& current);
// The elements of every set of a table listing as the kernel holds them (split and joined as
// it loaded them, not normalized), by set name.
bool SetElements(const std::string& json, std::map<std::string, std::vector<Interval>>& out,
                 std::string& err);

// A rule's expression list as nft-like text; statements it does not know stay JSON.
std::string ExprText(const nlohmann::json& expr);

// Matches the current side's rules to the desired ones: by the rule id NftObjects read from
// the comment ("CHAIN rule N", order still counting), the others ("CHAIN #N", by position)
// by content and order, so that unchanged rules match whatever their position.
void AlignRules(plan::State& desired, plan::State& current);

// The desired side of a live plan for the allocated program `p`: its nft table as the
// kernel lists it after loading it privately, its sets, ip rules, routes and sysctls from
// the IR.
// `listing_text` (when given) receives the nft text whose private load gave the listed
// objects (sets trimmed). `reuse` (when given): a desired state built from loading the text
// `reuse_text`; when this policy's text is the same, its listed objects are taken instead of
// loading the text again (apply's fast path: the recorded generation's state).
bool DesiredState(const ir::Program& p, plan::State& desired, std::string& err,
                  std::string* listing_text = nullptr, const plan::State* reuse = nullptr,
                  const std::string* reuse_text = nullptr);
// The reading half of ReadLivePlan (include/pbrc/live.h), in the network namespace this
// process is in: `desired` from DesiredState, `was` (or nullptr) the DesiredState of the
// policy last applied. `listed` (or nullptr) receives the table's listing it read.
// `known_nft` (or nullptr): the table is known to hold these objects (the DesiredState of the
// generation the nftables generation id proves is live); the table is then not listed.
bool PlanAgainstKernel(const ir::Program& p, plan::State desired, const plan::State* was,
                       plan::Plan& out, std::string& err, TableListing* listed = nullptr,
                       const plan::State* known_nft = nullptr);
// Marks the changes of `plan` that undo hand edits: where the kernel (`current`, rules by
// position) differs from the state of the policy last applied (`applied`).
void MarkDrift(plan::Plan& plan, plan::State applied, plan::State current);

// What `ip route get` answered for a packet with a mark (explain --live).
struct KernelRoute {
  bool found = false;  // false: the kernel refused the lookup, `error` says why
  std::string error;
  std::string type, dev, gateway, table;  // table "main" when ip prints none
};
// Asks the kernel (inside `netns` when not empty) where `pkt` with `mark` goes. False only
// when ip cannot be run or its answer not read.
bool KernelRouteGet(const std::string& netns, const analysis::Packet& pkt, uint32_t mark,
                    KernelRoute& out, std::string& err);
// The main table's unicast routes of both families, as the model's input.
bool KernelMainRoutes(const std::string& netns, std::vector<analysis::Route>& out,
                      std::string& err);

}  // namespace pbrc::live
