#include "apply_genid.h"

#include "../live/live.h"
#include "apply_session.h"

namespace pbrc::cli {

KnownTable ProveTable(const apply::Target& t, std::optional<apply::Generation>& cur,
                      bool listing_only, const apply::Say& say) {
  KnownTable k;
  uint32_t id = 0;
  std::string err;
  if (!apply::ReadNftGenId(id, err)) {
    say("warning: " + err + "; the table is listed");
    return k;
  }
  k.genid = id;
  if (listing_only || !cur) return k;
  auto recorded = apply::RecordedNftGenId(t, cur->name);
  if (!recorded || *recorded != id) {
    say("nft: ruleset generation " + std::to_string(id) +
        (recorded ? " moved since " + cur->name + " recorded " + std::to_string(*recorded)
                  : ", none recorded for " + cur->name) +
        ": listing the table");
    return k;
  }
  // A fast-path snapshot names this generation, and its restore compiles the generation's
  // sources again: with them damaged, a failed apply could not put the table back, so the
  // table is listed (that snapshot holds the table itself).
  if (!apply::SourcesIntact(t, cur->name, err)) {
    say("warning: " + err + "; the table is listed");
    return k;
  }
  std::string how = "its record";
  if (auto rec = apply::RecordedNftState(t, cur->name, err)) {
    k.state = std::move(rec->state);
    k.listing_text = std::move(rec->listing_text);
  } else {
    // No usable record (an older pbrc, a damaged file): compiled again from its recorded
    // sources; the same compiler gives the same table.
    say("nft: no nft-state record of " + cur->name + " (" + err + "): compiling it again");
    how = "its sources";
    std::optional<ir::Program> prog;
    if (apply::LoadSources(t, *cur, err)) prog = CompileSources(cur->sources, err);
    if (!prog || !live::DesiredState(*prog, k.state, err, &k.listing_text)) {
      say("warning: the recorded " + cur->name + " does not compile again (" + err +
          "); the table is listed");
      k.state = {};
      return k;
    }
  }
  k.generation = cur->name;
  say("nft: ruleset generation " + std::to_string(id) + " is the one " + cur->name +
      " recorded: planning from " + how + " without listing the table");
  return k;
}

void RecordUnchanged(const apply::Target& t, const std::string& gen, std::optional<uint32_t> before,
                     const apply::Say& say) {
  uint32_t id = 0;
  std::string err;
  if (!before || !apply::ReadNftGenId(id, err) || id != *before) return;
  if (!apply::RecordNftGenId(t, gen, id, err)) say("warning: " + err);
}

}  // namespace pbrc::cli
