#include "apply_genid.h"

#include "../live/live.h"
#include "apply_session.h"

namespace pbrc::cli {

KnownTable ProveTable(const apply::Target& t, const std::optional<apply::Generation>& cur,
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
  // Compiled again from its recorded sources: the same compiler gives the same table.
  auto prog = CompileSources(cur->sources, err);
  if (!prog || !live::DesiredState(*prog, k.state, err)) {
    say("warning: the recorded " + cur->name + " does not compile again (" + err +
        "); the table is listed");
    k.state = {};
    return k;
  }
  k.program = std::move(prog);
  say("nft: ruleset generation " + std::to_string(id) + " is the one " + cur->name +
      " recorded: planning from it without listing the table");
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
