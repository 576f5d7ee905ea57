// `pbrc apply`: putting a compiled policy on the live system as one change that either
// completes or is undone (docs/architecture.md, "Apply"). The state directory keeps what
// was applied (to remove what a policy no longer owns, to roll back, and for diff's drift)
// and a journal, so that a process killed at any step is recovered by the next one.
// Every function returns false with `err` naming what failed (a system failure, exit 3).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pbrc/ir.h"
#include "pbrc/live.h"
#include "pbrc/parse.h"
#include "pbrc/plan.h"

namespace pbrc::apply {

inline constexpr const char* kDefaultStateDir = "/var/lib/pbrc";

// The files a policy was compiled from, by the path the loader asked for, so that the same
// policy can be compiled again (rollback, diff's drift) when the files have changed since.
struct Sources {
  std::string root;
  std::map<std::string, std::string> files;
};
std::string EncodeSources(const Sources& s);
// The same record as pieces to write in order: the contents are not copied (a list file of a
// million prefixes is megabytes); `heads` holds the length lines the pieces point into.
std::vector<std::string_view> EncodeSourcesPieces(const Sources& s, std::deque<std::string>& heads);
bool DecodeSources(const std::string& data, Sources& out, std::string& err);

// A reader that keeps a copy of every file it reads through `inner`.
class RecordingReader : public FileReader {
 public:
  RecordingReader(FileReader& inner, Sources& out) : inner_(inner), out_(out) {}
  bool Read(const std::string& path, std::string& out, std::string& error) override;
  std::optional<std::string> Identity(const std::string& path) override;

 private:
  FileReader& inner_;
  Sources& out_;
};
// Reads only the files of `s` (what a replayed compile sees).
class SourcesReader : public FileReader {
 public:
  explicit SourcesReader(const Sources& s) : s_(s) {}
  bool Read(const std::string& path, std::string& out, std::string& error) override;

 private:
  const Sources& s_;
};

// The exclusive lock of a state directory (flock on the folder itself), held while alive:
// two applies, rollbacks or recoveries never interleave. Waits for a holder; `on_wait` is
// called once before waiting.
class Lock {
 public:
  static std::unique_ptr<Lock> Take(const std::string& state_dir,
                                    const std::function<void()>& on_wait, std::string& err);
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  explicit Lock(int fd) : fd_(fd) {}
  int fd_;
};

// One policy's folder in the state directory (named after its nft table).
struct Target {
  std::string state_dir;
  std::string table;  // the policy's nft table name
  std::string netns;  // where it is applied ("" = this process's namespace)
  std::string Dir() const { return state_dir + "/" + table; }
};

// An applied policy as the state directory keeps it.
struct Generation {
  std::string name;      // "gen-000007"
  std::string previous;  // the generation it replaced ("" = none)
  uint32_t protocol = 0;
  Sources sources;  // empty until LoadSources (megabytes for a big list, read when needed)
  bool sources_loaded = false;
  // The value each sysctl pbrc set had before pbrc first set it: a later policy that no
  // longer names the key puts it back.
  std::map<std::string, std::string> sysctl_origin;
};
// The generation `current` names; nullopt with `err` empty when nothing was applied, or with
// `err` saying why the state is unreadable (then ownership falls back to the protocol).
// `with_sources`: also read its sources (else LoadSources when needed).
std::optional<Generation> CurrentGeneration(const Target& t, std::string& err,
                                            bool with_sources = true);
// The name `current` points at in a policy folder ("" when nothing is applied).
std::string CurrentName(const std::string& dir);
bool ReadGeneration(const Target& t, const std::string& name, Generation& out, std::string& err,
                    bool with_sources = true);
// Reads `g`'s sources if they are not read yet.
bool LoadSources(const Target& t, Generation& g, std::string& err);
// Whether generation `gen`'s sources file is a complete record (read, not kept).
bool SourcesIntact(const Target& t, const std::string& gen, std::string& err);
// Whether generation `gen`'s sources are exactly `s`, compared as encoded (nothing decoded);
// nullopt with `err` when they cannot be read or are not a complete record.
std::optional<bool> SameSources(const Target& t, const std::string& gen, const Sources& s,
                                std::string& err);

// Messages for the user while applying ("nft: table replaced"; "progress: ..." lines say what
// runs now, "warning: ..." lines are warnings); never errors.
using Say = std::function<void(const std::string&)>;

// The elements of one nft set to delete and add (sorted, disjoint intervals of one family);
// `was_empty`: the kernel's set had no elements before.
struct SetElementChange {
  std::string set;
  IntervalList del, add;  // a first load's `add` is the IR's own list, shared
  bool was_empty = false;
};
// One element of a verdict map (`classify maps;`) in its netlink form (map_elements.cc):
// the concatenated key, each field in network order padded to 4 bytes; `key_end` the
// range's last key (interval maps only); the verdict's chain; the comment.
struct MapElementBytes {
  std::string key, key_end;
  bool verdict_goto = true;  // else jump
  std::string chain;
  std::string comment;
};
// The elements of one verdict map to delete and add, exactly as the kernel holds them (a
// map's elements are the regions of the policy's rules, which the kernel neither splits nor
// joins).
struct MapElementChange {
  std::string map;
  std::vector<MapElementBytes> del, add;
};
// The nft part of an apply when only set and map elements change: one netlink batch of
// element deletes and adds (set_update.cc, nftnl_batch.cc).
struct SetUpdate {
  std::vector<SetElementChange> changes;
  std::vector<MapElementChange> maps;
  size_t sets = 0, deleted = 0, added = 0;  // `deleted`, `added`: set and map elements
};
// nullopt when the kernel's table differs from the policy in anything but elements of
// existing sets (or could not be read: `err`); then the table is replaced. `listed`: the
// table as the plan read it (its elements are used), nullptr to dump the sets' elements.
// `known`: the nft side of the policy the kernel is known to hold (the recorded generation
// when the nftables generation id has not moved); its sets' elements are used and nothing is
// read. `desired`: `p`'s own plan state when the caller has it (else computed here).
std::optional<SetUpdate> ElementOnlyUpdate(const ir::Program& p, const plan::Plan& plan,
                                           const live::TableListing* listed, std::string& err,
                                           const plan::State* known = nullptr,
                                           const plan::State* desired = nullptr);

// The applied generation's nft side (the plan's objects of kind table, set, chain, rule, NAT
// as the desired side computed them) as a binary record, `gen-N/nft-state` (state_record.cc):
// versioned and checksummed; a damaged or missing record is refused (`err`).
// `listing_text`: the nft text (sets trimmed) whose private load gave the listed objects, so
// the next policy with the same text reuses them (live::DesiredState).
inline constexpr const char* kNftStateRecord = "nft-state";
struct NftStateRecord {
  std::string listing_text;
  plan::State state;
};
std::string EncodeNftState(const std::vector<const plan::Object*>& objects,
                           const std::string& listing_text);
bool DecodeNftState(const std::string& data, NftStateRecord& out, std::string& err);
std::optional<NftStateRecord> RecordedNftState(const Target& t, const std::string& gen,
                                               std::string& err);

// The nftables ruleset generation id of this process's network namespace (NFT_MSG_GETGEN).
bool ReadNftGenId(uint32_t& out, std::string& err);
// The id recorded right after generation `gen`'s own nft commit, when the record is intact
// and was made in this boot and namespace; nullopt otherwise (nft_genid.cc).
std::optional<uint32_t> RecordedNftGenId(const Target& t, const std::string& gen);
// Records `id` for generation `gen` (the kernel's table is known to be exactly `gen`'s).
bool RecordNftGenId(const Target& t, const std::string& gen, uint32_t id, std::string& err);

struct Request {
  Target target;
  const ir::Program* program = nullptr;
  // The current generation as the caller read it under the same lock (nullptr: Apply reads
  // it; its sources are megabytes for a big list, so they are not read twice).
  const Generation* current = nullptr;
  const Sources* sources = nullptr;  // the new generation's (not copied, for the same reason)
  // The generation the new one replaces, for rollback chains: when set, the new
  // generation's `previous` is this instead of the current generation.
  std::optional<std::string> previous_override;
  int confirm_seconds = 0;  // > 0: try mode (rolled back unless confirmed in time)
  std::string confirm_token;
  std::optional<SetUpdate> set_update;  // instead of replacing the table
  // The table as the plan read it just before, under the same lock: the snapshot keeps it
  // (nullopt: the snapshot lists the table itself).
  std::optional<live::TableListing> listing;
  // The nftables generation id read before the plan (nullopt: unknown). An element batch
  // carries it, so the kernel refuses the batch when anything committed since.
  std::optional<uint32_t> genid;
  // Set when the plan came from the recorded generation instead of a listing (the id had not
  // moved): that generation's name; the snapshot names it instead of listing the table.
  std::optional<std::string> known_generation;
  // The new generation's nft side, encoded (EncodeNftState) and recorded beside its sources
  // by the thread that writes them, so the next apply can plan from it (nullopt = none: the
  // next apply compiles this one again). Its sets share the IR's intervals.
  std::optional<NftStateRecord> nft_state;
  // The plan has no ip rule, route or sysctl change: the kernel already holds the policy's,
  // so the ip batches and the sysctl writes are skipped (two `ip -batch` runs saved).
  bool ip_unchanged = false;
  // The plan has no change in the nft table (only the sources changed: a comment, a list
  // file's order): the table is not loaded again (a million-element set would take seconds).
  bool nft_unchanged = false;
};

// Applies under the caller's Lock: journal, snapshot, nft transaction, ip batches, sysctls,
// new generation. On failure everything is restored from the snapshot and `err` says what
// failed (and whether the restore failed too).
// `genid_moved` (when given) is set when the element batch was refused because the nftables
// generation id moved since `r.genid`: nothing was changed, plan again from a listing.
bool Apply(const Request& r, const Say& say, std::string& err, bool* genid_moved = nullptr);

// Finishes or undoes an apply that was interrupted (its journal is present): `recovered` is
// set when there was one. Under the caller's Lock.
bool Recover(const Target& t, const Say& say, bool& recovered, std::string& err);

// Try mode. The pending confirmation of a policy folder, if any.
struct PendingConfirm {
  std::string gen;    // the generation on trial
  int64_t deadline;   // unix seconds
  std::string token;  // names the try (a watchdog acts only on its own)
  std::string netns;
};
std::optional<PendingConfirm> ReadPendingConfirm(const Target& t);
// Keeps the generation on trial (removes the pending confirmation).
bool Confirm(const Target& t, std::string& err);
// Returns to the state before the trial (the snapshot taken before it) and to the previous
// generation. Only when `token` matches the pending try (empty: any).
bool RollbackTrial(const Target& t, const std::string& token, const Say& say, std::string& err);

// Test hook (docs/testing.md): PBRC_FAULT=STEP makes the process SIGKILL itself at STEP.
void FaultPoint(const char* step);

}  // namespace pbrc::apply
