// Writing `compile -o DIR` output as one set (docs/pbrc.1.md, OUTPUT FILES): under an
// exclusive lock on DIR/.pbrc.lock, every artifact is written and synced before any replaces
// its old version, and a marker file says when a set is between its first and last rename.
#pragma once

#include <string>
#include <vector>

#include "pbrc/pipeline.h"

namespace pbrc::cli {

// The lock file readers can share (`flock -s DIR/.pbrc.lock ...`) to see whole sets.
inline constexpr const char* kLockName = ".pbrc.lock";
// ".STEM.pbrc-incomplete" exists only while (or, after a crash, since) a set was being renamed.
std::string IncompleteMarker(const std::string& stem);

struct WriteResult {
  bool ok = false;
  bool repaired = false;  // an earlier interrupted compile had left the set incomplete
  bool mixed = false;     // failed between renames: the set is incomplete (marker kept)
  std::string error;      // "cannot write 'PATH': errno text"
};

// Writes DIR/STEM.SUFFIX for every artifact; on failure before the renames (full disk, I/O
// error, a name taken) the previous set is left as it was and no temp file remains.
WriteResult WriteArtifactSet(const std::string& dir, const std::string& stem,
                             const std::vector<Artifact>& arts);

}  // namespace pbrc::cli
