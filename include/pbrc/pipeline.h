// The whole pipeline in one place, top to bottom:
//   parse (with imports) -> sema (names, checks, sets) -> lower to IR -> allocate -> emit.
// Each stage runs only when the ones before it reported no errors.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pbrc/diagnostics.h"
#include "pbrc/ir.h"
#include "pbrc/model.h"
#include "pbrc/parse.h"
#include "pbrc/sink.h"

namespace pbrc {

struct Compilation {
  SourceManager sm;
  Diagnostics diags;
  ParsedPolicy parsed;  // the ASTs; released once sema succeeded (only failed runs keep them)
  std::optional<model::Model> model;  // released once lowered (kept when lowering never ran)
  std::optional<ir::Program> ir;
  bool read_failed = false;  // the root file itself could not be read (a system failure)
};

// `check` runs it too, so allocation errors are reported without emitting anything.
std::unique_ptr<Compilation> Compile(const std::string& path, FileReader& reader);

// One output file: its suffix ("nft", "nft.json", "ip", "ip6", "sysctl.conf", "ir") and how
// to write its text. The text is rendered while it is written, so a million-rule artifact is
// never held whole. Invariant: the program passed to Emit outlives its artifacts.
struct Artifact {
  std::string kind;  // as named in --emit
  std::string suffix;
  std::function<void(Sink&)> write;
  std::string Text() const;  // the whole text at once (tests, small outputs)
};
// Every artifact kind: nft, nft-json, ip (gives .ip and .ip6), sysctl, ir.
const std::vector<std::string>& ArtifactKinds();
std::vector<Artifact> Emit(const ir::Program& p, const std::vector<std::string>& kinds);

}  // namespace pbrc
