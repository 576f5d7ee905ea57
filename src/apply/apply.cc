// One apply as a transaction over the state directory and the kernel:
//
//   1. the new generation's folder and meta (nothing changed yet); its sources are written
//      by a second thread from here on, while the kernel works (a 1M-prefix list is 14 MB);
//   2. the snapshot of pbrc's part of the kernel into gen-N/before/;
//   3. the journal names gen-N: from here a crash is undone by the next pbrc;
//   4. the nft table (one transaction), the IPv4 and IPv6 batches, the previous policy's
//      protocol flushed when it differs, the sysctls;
//   5. the sources thread is joined (written and synced, or the apply is undone), and for a
//      try, the pending confirmation;
//   6. `current` -> gen-N (the commit point), then the journal is removed.
//
// Only a committed generation is ever read for its sources, and nothing removes gen-N before
// the sources thread is joined.
//
// A failure in 4-6 restores the snapshot; a crash anywhere is resolved by Recover: before
// the commit point it restores the snapshot, after it it only removes the journal. So the
// system holds the old or the new policy, never a mix.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <future>
#include <map>

#include "internal.h"
#include "pbrc/emit.h"

namespace pbrc::apply {
namespace {

std::vector<uint32_t> Owned(uint32_t protocol, const Generation* cur,
                            std::vector<uint32_t>& stale) {
  // P holds pbrc's objects, P + 1 the ones a batch stages (docs/architecture.md).
  std::vector<uint32_t> out = {protocol, protocol + 1};
  if (cur && cur->protocol != protocol) stale = {cur->protocol, cur->protocol + 1};
  out.insert(out.end(), stale.begin(), stale.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The sysctls to put back (the previous policies set them, this one does not name them) and
// the origin record of the new generation.
std::map<std::string, std::string> SysctlOrigin(const ir::Program& p, const Snapshot& snap,
                                                std::map<std::string, std::string>& revert) {
  std::map<std::string, std::string> origin;
  for (const auto& s : p.sysctls) {
    if (auto it = revert.find(s.key); it != revert.end()) {
      origin[s.key] = it->second;
      revert.erase(it);
      continue;
    }
    for (const auto& [key, value] : snap.sysctls)
      if (key == s.key) origin[key] = value;
  }
  return origin;
}

// The elements of every named set of `p`: the ones the nft artifact lists.
std::vector<SetElementChange> AllElements(const ir::Program& p) {
  std::vector<SetElementChange> out;
  for (const auto& s : p.sets)
    if (!s.elements.empty()) out.push_back({s.name, {}, s.elements, true});
  return out;
}

// The whole table in one transaction. `staged` (there is no table yet and the sets have
// elements): the table is loaded dormant with empty sets, then one netlink batch fills the
// sets and wakes it, so its rules act only once every element is in; a dormant table does
// nothing, so in between the system still behaves as before (no table).
bool LoadTable(const ir::Program& p, bool staged, std::string& err) {
  std::string script = staged ? emit::NftTextStaged(p) : emit::NftText(p);
  // A rule jumping to a chain that does not exist: nft refuses the whole transaction.
  if (FaultWanted("nft-reject"))
    script += "add rule inet " + p.opts.nft_table + " prerouting jump pbrc_fault_no_chain\n";
  if (!NftRun(script, err)) return false;
  if (!staged) return true;
  FaultPoint("nft-dormant");
  return SendElementBatch(p.opts.nft_table, AllElements(p), {}, true, err);
}

// The nftables generation id before pbrc's own nft commits: the one the plan was read at for
// an element batch (the batch carries it), else read now (a replaced table does not depend
// on what was there).
std::optional<uint32_t> GenIdBefore(const Request& r) {
  if (r.set_update && r.genid) return r.genid;
  uint32_t id = 0;
  std::string ignored;
  return ReadNftGenId(id, ignored) ? std::optional<uint32_t>(id) : std::nullopt;
}

// The id right after pbrc's `commits` nft commits, when no other commit came in between.
std::optional<uint32_t> GenIdAfter(std::optional<uint32_t> before, uint32_t commits) {
  uint32_t id = 0;
  std::string ignored;
  if (!before || !ReadNftGenId(id, ignored) || id != *before + commits) return std::nullopt;
  return id;
}

bool ChangeKernel(const Request& r, bool table_exists, const std::vector<uint32_t>& stale,
                  const std::map<std::string, std::string>& revert, const Say& say,
                  std::string& err, std::optional<uint32_t>& genid_after, bool* moved) {
  const ir::Program& p = *r.program;
  size_t elements = 0;
  for (const auto& s : p.sets) elements += s.elements.size();
  bool staged = !table_exists && elements > 0;
  if (!r.nft_unchanged)
    say("progress: nft transaction (" +
        (r.set_update
             ? std::to_string(r.set_update->deleted + r.set_update->added) + " element changes"
             : std::to_string(elements) + " set elements") +
        ")");
  std::optional<uint32_t> before = GenIdBefore(r);
  // Another program commits between the plan and the batch: the batch must be refused.
  if (r.set_update && r.known_generation && FaultWanted("genid-race"))
    NftRun("add table inet pbrc_fault_race\n", err);
  if (r.nft_unchanged) {
    // nothing: the plan found the table as the policy wants it
  } else if (r.set_update) {
    if (!SendElementBatch(p.opts.nft_table, r.set_update->changes, r.set_update->maps, false, err,
                          r.genid, moved))
      return false;
  } else if (!LoadTable(p, staged, err)) {
    return false;
  }
  genid_after = GenIdAfter(before, r.nft_unchanged ? 0 : staged ? 2 : 1);
  if (r.nft_unchanged)
    say("nft: table inet " + p.opts.nft_table + " already as the policy wants it");
  else if (r.set_update)
    say("nft: " + std::to_string(r.set_update->sets) + " sets" +
        (r.set_update->maps.empty()
             ? ""
             : " and " + std::to_string(r.set_update->maps.size()) + " maps") +
        " updated in place in one netlink batch (" + std::to_string(r.set_update->deleted) +
        " elements deleted, " + std::to_string(r.set_update->added) + " added)");
  else
    say("nft: table inet " + p.opts.nft_table +
        (staged ? " loaded dormant, then its " + std::to_string(elements) +
                      " set elements added and the table woken in one netlink batch"
                : " replaced in one transaction"));
  FaultPoint("nft");
  say("progress: ip rules and routes");
  if (!r.ip_unchanged && !IpBatch(emit::IpBatch(p, Family::kV4), false, err)) return false;
  FaultPoint("ip4");
  if (!r.ip_unchanged && !IpBatch(emit::IpBatch(p, Family::kV6), true, err)) return false;
  say(r.ip_unchanged ? "ip: rules, routes and sysctls already as the policy wants them"
                     : "ip: rules and routes of both families under protocol " +
                           std::to_string(p.opts.protocol));
  FaultPoint("ip6");
  if (!stale.empty()) {
    if (!FlushOwned(stale, err)) return false;
    say("ip: the previous policy's protocol " + std::to_string(stale[0]) + " removed");
  }
  for (const auto& s : p.sysctls)
    if (!r.ip_unchanged && !WriteSysctl(s.key, s.value, err)) return false;
  for (const auto& [key, value] : revert)
    if (!WriteSysctl(key, value, err)) return false;
  if ((!p.sysctls.empty() && !r.ip_unchanged) || !revert.empty())
    say("sysctl: " + std::to_string(p.sysctls.size()) + " values set, " +
        std::to_string(revert.size()) + " put back to their values before pbrc");
  FaultPoint("sysctl");
  return true;
}

std::string EncodeRecord(const NftStateRecord& r) {
  std::vector<const plan::Object*> objects;
  for (const auto& o : r.state.objects) objects.push_back(&o);
  return EncodeNftState(objects, r.listing_text);
}

// The generation's sources, written and synced by a second thread: the kernel batch of a big
// set runs meanwhile on the other core. Wait() before anything removes or commits gen-N.
class SourcesWriter {
 public:
  // `record`: the generation's nft-state record, encoded here and written after the sources
  // (a cache: when it cannot be written, the next apply compiles the sources again).
  SourcesWriter(const std::string& dir, const Sources& s,
                const std::optional<NftStateRecord>& record)
      : done_(std::async(std::launch::async, [dir, &s, &record] {
          std::string err, ignored;
          if (FaultWanted("sources-write")) {  // as a full disk would fail it
            err = "cannot write '" + dir + "/sources': fault injected";
          } else if (std::deque<std::string> heads; WriteAtomic(
                         dir, "sources", EncodeSourcesPieces(s, heads), err, Durable::kLater)) {
            std::vector<std::string> files = {dir + "/sources"};
            if (record &&
                WriteAtomic(dir, kNftStateRecord, EncodeRecord(*record), ignored, Durable::kLater))
              files.push_back(dir + "/" + kNftStateRecord);
            SyncAll(files, {dir}, err);  // both in one filesystem commit
          }
          return err;
        })) {}
  ~SourcesWriter() { Wait(); }
  // "" when the sources are on disk.
  const std::string& Wait() {
    if (done_.valid()) err_ = done_.get();
    return err_;
  }

 private:
  std::future<std::string> done_;
  std::string err_;
};

// After a failed step: the snapshot back, the journal and the new generation gone.
bool Undo(const Target& t, const std::string& gen, const Snapshot& snap, SourcesWriter& sources,
          std::string& err) {
  sources.Wait();
  std::string rerr;
  if (!RestoreSnapshot(snap, rerr)) {
    err += "; restoring the state before failed too (" + rerr +
           "); the journal is kept: fix the cause and run 'pbrc recover'";
    return false;
  }
  std::string ignored;
  RemoveFile(t.Dir(), kJournal, ignored);
  RemoveTree(t.Dir() + "/" + gen);
  err += "; everything pbrc changed was restored to the state before";
  return false;
}

}  // namespace

bool Apply(const Request& r, const Say& say, std::string& err, bool* genid_moved) {
  const Target& t = r.target;
  const ir::Program& p = *r.program;
  if (!MakeDirs(t.Dir(), err)) return false;
  std::string cerr;
  std::optional<Generation> read;
  if (!r.current) read = CurrentGeneration(t, cerr, false);  // its sources are not needed
  const Generation* cur = r.current ? r.current : read ? &*read : nullptr;
  if (!cerr.empty())
    say("warning: the record of the last apply is unreadable (" + cerr + "); only protocol " +
        std::to_string(p.opts.protocol) + "'s rules and routes are treated as pbrc's");
  Generation g;
  g.name = NextGenerationName(t.Dir());
  g.protocol = p.opts.protocol;
  g.previous = r.previous_override ? *r.previous_override : (cur ? cur->name : "");
  std::vector<uint32_t> stale, owned = Owned(p.opts.protocol, cur, stale);
  std::map<std::string, std::string> revert;
  if (cur) revert = cur->sysctl_origin;
  std::vector<std::string> keys;
  for (const auto& s : p.sysctls) keys.push_back(s.key);
  for (const auto& [key, value] : revert) keys.push_back(key);
  Snapshot snap;
  say("progress: snapshot of the state before");
  std::string known_dir = r.known_generation ? t.Dir() + "/" + *r.known_generation : "";
  if (!TakeSnapshot(p.opts.nft_table, r.listing ? &*r.listing : nullptr,
                    r.known_generation ? &known_dir : nullptr, owned, keys, snap, err))
    return false;
  g.sysctl_origin = SysctlOrigin(p, snap, revert);
  say("progress: writing the generation and the snapshot");
  std::string gen_dir = t.Dir() + "/" + g.name;
  std::vector<std::string> unsynced;  // gen-N's meta and snapshot, synced in one go below
  if (!WriteGeneration(t, g, err, &unsynced)) {
    RemoveTree(gen_dir);
    return false;
  }
  SourcesWriter sources(gen_dir, *r.sources, r.nft_state);
  auto forget = [&] {  // before the journal: nothing to undo
    sources.Wait();
    RemoveTree(gen_dir);
    return false;
  };
  if (!SaveSnapshot(gen_dir + "/before", snap, err, &unsynced)) return forget();
  // On disk before the journal that names them (the journal's own write syncs the state
  // folder, which makes gen-N's entry durable).
  if (!SyncAll(unsynced, {gen_dir + "/before", gen_dir}, err)) return forget();
  FaultPoint("snapshot");
  if (!WriteIntent(t, {g.name, t.netns}, err)) return forget();
  FaultPoint("journal");
  std::optional<uint32_t> genid_after;
  bool moved = false;
  if (!ChangeKernel(r, snap.nft_exists, stale, revert, say, err, genid_after, &moved)) {
    if (!moved) return Undo(t, g.name, snap, sources, err);
    // The refused batch was the first change: the kernel is as it was, and the snapshot
    // (the recorded generation) may not be what it holds now, so it is not restored.
    std::string ignored;
    RemoveFile(t.Dir(), kJournal, ignored);
    if (genid_moved) *genid_moved = true;
    return forget();
  }
  // The commit needs the sources on disk: the next apply and rollback read them.
  if (!sources.Wait().empty()) {
    err = sources.Wait();
    return Undo(t, g.name, snap, sources, err);
  }
  FaultPoint("sources");
  // Only an id that pbrc's own commit produced is trusted by the next apply.
  std::string gerr;
  if (genid_after && !RecordNftGenId(gen_dir, *genid_after, gerr))
    say("warning: " + gerr + " (the next apply lists the table)");
  if (r.confirm_seconds > 0) {
    PendingConfirm c{g.name, int64_t(time(nullptr)) + r.confirm_seconds, r.confirm_token, t.netns};
    if (!WritePendingConfirm(t, c, err)) return Undo(t, g.name, snap, sources, err);
    FaultPoint("confirm");
  }
  say("progress: commit");
  if (!SetCurrent(t.Dir(), g.name, err)) return Undo(t, g.name, snap, sources, err);
  FaultPoint("commit");
  std::string jerr;
  // Not synced: a journal that outlives a power loss names the generation `current` names,
  // which Recover reads as committed.
  if (!RemoveFile(t.Dir(), kJournal, jerr, Durable::kLater))
    say("warning: " + jerr + " (the apply is complete; the next pbrc removes it)");
  PruneGenerations(t.Dir(), g.name, g.previous);
  return true;
}

bool Recover(const Target& t, const Say& say, bool& recovered, std::string& err) {
  recovered = false;
  std::string ierr;
  auto intent = ReadIntent(t, ierr);
  if (!intent && ierr.empty()) return true;
  recovered = true;
  if (!intent) {
    err = ierr +
          " (it is only ever replaced whole, so someone changed it): cannot tell what "
          "the interrupted apply did; remove it and apply a policy";
    return false;
  }
  if (intent->netns != t.netns) {
    err = "an interrupted apply in network namespace '" + intent->netns +
          "' must be recovered there first (--netns '" + intent->netns + "')";
    return false;
  }
  std::string gen_dir = t.Dir() + "/" + intent->gen;
  if (CurrentName(t.Dir()) == intent->gen) {
    say("recover: the interrupted apply of " + intent->gen + " had completed");
    return RemoveFile(t.Dir(), kJournal, err);
  }
  Snapshot snap;
  if (!LoadSnapshot(gen_dir + "/before", snap, err)) {
    err = "cannot recover the interrupted apply of " + intent->gen + ": " + err;
    return false;
  }
  if (!RestoreSnapshot(snap, err)) {
    err = "restoring the state before the interrupted apply of " + intent->gen + ": " + err;
    return false;
  }
  if (auto c = ReadPendingConfirm(t);
      c && c->gen == intent->gen && !RemoveFile(t.Dir(), kConfirm, err))
    return false;
  if (!RemoveFile(t.Dir(), kJournal, err)) return false;
  RemoveTree(gen_dir);
  say("recover: the interrupted apply of " + intent->gen +
      " was undone; the state before it is back");
  return true;
}

bool Confirm(const Target& t, std::string& err) { return RemoveFile(t.Dir(), kConfirm, err); }

bool RollbackTrial(const Target& t, const std::string& token, const Say& say, std::string& err) {
  auto c = ReadPendingConfirm(t);
  if (!c || (!token.empty() && c->token != token)) return true;
  if (CurrentName(t.Dir()) != c->gen) return RemoveFile(t.Dir(), kConfirm, err);
  Generation g;
  Snapshot snap;
  std::string gen_dir = t.Dir() + "/" + c->gen;
  // Its sources are not needed (the snapshot and `previous` are): damaged, they must not keep
  // an unconfirmed try in place.
  if (!ReadGeneration(t, c->gen, g, err, false) || !LoadSnapshot(gen_dir + "/before", snap, err) ||
      !RestoreSnapshot(snap, err)) {
    err = "rolling back the unconfirmed " + c->gen + ": " + err;
    return false;
  }
  // Killed from here on, the restore is simply done again: the confirmation is still pending.
  if (g.previous.empty()) {
    if (unlink((t.Dir() + "/current").c_str()) != 0 && errno != ENOENT) {
      err = "cannot remove '" + t.Dir() + "/current'";
      return false;
    }
  } else if (!SetCurrent(t.Dir(), g.previous, err)) {
    return false;
  }
  if (!RemoveFile(t.Dir(), kConfirm, err)) return false;
  RemoveTree(gen_dir);
  say("rollback: " + c->gen + " (a try, not confirmed) was undone; the state before it is back");
  return true;
}

}  // namespace pbrc::apply
