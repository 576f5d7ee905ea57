// The pieces `apply.cc` is built from: files of the state directory, the kernel operations
// and the snapshot. Each function returns false with `err` naming what failed.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pbrc/apply.h"

namespace pbrc::apply {

// --- files (state_files.cc) ---
bool MakeDirs(const std::string& path, std::string& err);
bool ReadWhole(const std::string& path, std::string& out, std::string& err);
// Writes `dir/name` through a temp file, fsync and rename, then fsyncs `dir`. kLater: only
// the temp file and the rename (a reader or a killed pbrc still sees old or new, never a
// part); the caller makes it durable with SyncAll before anything durable refers to it, or
// it need not survive a power loss (the kernel state it describes does not either).
enum class Durable { kNow, kLater };
bool WriteAtomic(const std::string& dir, const std::string& name, const std::string& data,
                 std::string& err, Durable when = Durable::kNow);
// The same with the file's bytes given as pieces in order (not joined first).
bool WriteAtomic(const std::string& dir, const std::string& name,
                 const std::vector<std::string_view>& pieces, std::string& err,
                 Durable when = Durable::kNow);
// fsyncs the files, then the folders. The writeback of every file is started first, so the
// filesystem commits them together: one journal commit for all instead of one per file
// (each costs a disk flush, 5-15 ms on this machine).
bool SyncAll(const std::vector<std::string>& files, const std::vector<std::string>& dirs,
             std::string& err);
bool RemoveFile(const std::string& dir, const std::string& name, std::string& err,
                Durable when = Durable::kNow);
// Makes `dir/name` the file `from`: a hard link (no copy), or a copy written as WriteAtomic
// does where links fail. The caller syncs `dir` (a later WriteAtomic into it does).
bool LinkOrCopy(const std::string& from, const std::string& dir, const std::string& name,
                std::string& err);
// Points the symlink `dir/current` at `gen` (rename of a new link: never absent).
bool SetCurrent(const std::string& dir, const std::string& gen, std::string& err);
std::string NextGenerationName(const std::string& dir);
bool RemoveTree(const std::string& path);
// Keeps the newest `keep` generations plus the current one and its previous chain head.
void PruneGenerations(const std::string& dir, const std::string& keep1, const std::string& keep2);

// --- the kernel (kernel_ops.cc), in this process's network namespace ---
// `json`: the script is libnftables JSON.
bool NftRun(const std::string& script, std::string& err, bool json = false);
// Runs `ip [-6] -batch -` with `batch` on its standard input.
bool IpBatch(const std::string& batch, bool v6, std::string& err);
bool ReadSysctl(const std::string& key, std::string& value, bool& exists, std::string& err);
bool WriteSysctl(const std::string& key, const std::string& value, std::string& err);

// --- set elements as one libnftnl netlink batch (nftnl_batch.cc) ---
// Deletes and adds the elements of sets (and maps) of `table inet TABLE` in one batch; `wake_table`
// also clears the table's flags (a dormant table starts to act) in the same batch.
// `genid`: the batch carries it (NFNL_BATCH_GENID) and the kernel refuses the batch when the
// ruleset's id differs; then `moved` is set.
// `maps`: elements of verdict maps to delete and add in the same batch.
bool SendElementBatch(const std::string& table, const std::vector<SetElementChange>& changes,
                      const std::vector<MapElementChange>& maps, bool wake_table, std::string& err,
                      std::optional<uint32_t> genid = {}, bool* moved = nullptr);
// The key of a verdict map as the plan lists it (src/live/nft_objects.cc, its first line).
struct MapShape {
  std::vector<std::string> fields;  // "ipv4_addr", "inet_proto", ...
  bool interval = false;
};
// False (`err`) for a map or element apply cannot encode: the caller replaces the table.
bool ReadMapHeader(const std::string& header, MapShape& out, std::string& err);
bool EncodeMapElement(const MapShape& shape, const std::string& line, MapElementBytes& out,
                      std::string& err);
// Writes the generation id read right after a generation's own commit (nft_genid.cc).
bool RecordNftGenId(const std::string& gen_dir, uint32_t id, std::string& err);
// The elements of set SET of `table inet TABLE` as sorted intervals (nftnl_dump.cc).
bool DumpSetElements(const std::string& table, const std::string& set, std::vector<Interval>& out,
                     std::string& err);

// --- ip rules and routes as raw rtnetlink messages (rtnl_owned.cc) ---
// Every rule and route of both families whose protocol is in `protocols`, as the kernel
// dumps them (rules in preference order).
bool DumpOwned(const std::vector<uint32_t>& protocols, std::vector<std::string>& msgs,
               std::string& err);
// Deletes every rule and route with one of `protocols`.
bool FlushOwned(const std::vector<uint32_t>& protocols, std::string& err);
// Adds dumped messages back (rules and routes, in order).
bool AddMessages(const std::vector<std::string>& msgs, std::string& err);

// --- the snapshot (snapshot.cc) ---
// What pbrc's part of the system was before a change: the nft table (its libnftables JSON
// listing; nft text in snapshots of an older pbrc), the rules and routes of every protocol
// pbrc owns, and the sysctls the change writes.
struct Snapshot {
  std::string table;
  bool nft_exists = false;
  bool nft_json = true;  // false: `nft_listing` is nft text (format pbrc-snapshot/1)
  std::string nft_listing;
  // Format pbrc-snapshot/3: the table was exactly generation `nft_generation`'s (its
  // nftables generation id proved it), kept as that generation's sources, `nft_sources` (a
  // hard link in the snapshot folder: no copy, and pruning the generation keeps it), and
  // compiled again only to restore it.
  std::string nft_generation;
  std::string nft_sources;
  std::vector<uint32_t> protocols;
  std::vector<std::string> ip_msgs;
  std::vector<std::pair<std::string, std::string>> sysctls;  // key, value ("" = absent)
};
// `listed`: the table as the live plan just read it (under the same lock), kept instead of
// listing it again; nullptr lists it here.
// `known_gen_dir`: the table is known to be this generation's (nothing is listed).
bool TakeSnapshot(const std::string& table, const live::TableListing* listed,
                  const std::string* known_gen_dir, const std::vector<uint32_t>& protocols,
                  const std::vector<std::string>& sysctl_keys, Snapshot& out, std::string& err);
inline constexpr const char* kSnapshotSources = "nft-sources";
// `unsynced` (when given): the files are written Durable::kLater and their paths appended;
// the caller syncs them and `dir` (SyncAll).
bool SaveSnapshot(const std::string& dir, const Snapshot& s, std::string& err,
                  std::vector<std::string>* unsynced = nullptr);
bool LoadSnapshot(const std::string& dir, Snapshot& out, std::string& err);
// Puts the snapshot back: nft table (one transaction), then rules and routes, then sysctls.
// Tries every part even when one fails; `err` names all that failed.
bool RestoreSnapshot(const Snapshot& s, std::string& err);

// --- the journal and try state (journal.cc) ---
// PBRC_FAULT names `step` (FaultPoint kills there; "nft-reject" makes nft refuse the ruleset).
bool FaultWanted(const char* step);
struct Intent {
  std::string gen;  // the generation being applied
  std::string netns;
};
inline constexpr const char* kJournal = "journal";
inline constexpr const char* kConfirm = "confirm";
bool WriteIntent(const Target& t, const Intent& i, std::string& err);
// nullopt when there is none; `err` set when it is unreadable.
std::optional<Intent> ReadIntent(const Target& t, std::string& err);
bool WritePendingConfirm(const Target& t, const PendingConfirm& c, std::string& err);
// The generation folder and its meta.json (the sources are written by apply.cc).
// `unsynced`: as for SaveSnapshot.
bool WriteGeneration(const Target& t, const Generation& g, std::string& err,
                     std::vector<std::string>* unsynced = nullptr);

}  // namespace pbrc::apply
