// Diagnostics are data: produced by the stages, rendered once at the end by a renderer.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "pbrc/source.h"

namespace pbrc {

// Every diagnostic pbrc can report, generated from the one list in
// include/pbrc/diagnostic_codes.def (add codes there, not here). Codes are stable;
// docs/diagnostics.md documents each one with a failing example (a test checks the two agree).
enum class Code {
#define PBRC_DIAG(enumerator, id, name, summary) enumerator,
#include "pbrc/diagnostic_codes.def"
#undef PBRC_DIAG
};

enum class Severity { kError, kWarning, kNote };

// One row of the catalog; `Catalog()[i].code == Code(i)` (checked at compile time).
struct CodeInfo {
  Code code;
  const char* id;    // "E0203"; the letter is the severity: E error, W warning
  const char* name;  // "host-bits-set"
  const char* summary;
};
const CodeInfo& Info(Code code);
std::span<const CodeInfo> Catalog();
// What the id's letter says: kError for E codes, kWarning for W codes.
Severity DefaultSeverity(Code code);

// A labelled range shown with `---` under it.
struct Label {
  Range range;
  std::string text;
};

struct Diagnostic {
  Code code;
  Severity severity = Severity::kError;
  std::string message;
  Range primary;
  bool has_range = true;
  std::vector<Label> secondary;
  std::vector<std::string> notes;
  std::optional<std::string> help;
};

// Collects diagnostics of one compilation. Deduplicates the same code at the same place and
// stops collecting after kMaxErrors errors (one note says so).
class Diagnostics {
 public:
  static constexpr size_t kMaxErrors = 100;

  Diagnostic& Error(Code code, Range range, std::string message);
  Diagnostic& Warning(Code code, Range range, std::string message);
  Diagnostic& ErrorNoRange(Code code, std::string message);
  Diagnostic& WarningNoRange(Code code, std::string message);
  bool HasErrors() const { return errors_ > 0; }
  size_t ErrorCount() const { return errors_; }
  // All diagnostics, sorted by (file, offset, code) for a deterministic order.
  std::vector<Diagnostic> Sorted() const;

 private:
  Diagnostic& Add(Diagnostic d);
  std::vector<Diagnostic> list_;
  // (code, file, begin, end) of every ranged diagnostic kept: dedupe without a linear scan.
  std::set<std::tuple<Code, uint32_t, uint32_t, uint32_t>> seen_;
  Diagnostic sink_;  // receives diagnostics past the limit
  size_t errors_ = 0;
  bool truncated_ = false;
};

struct RenderOptions {
  bool color = false;
};
std::string RenderText(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                       const RenderOptions& opts);
std::string RenderJson(const std::vector<Diagnostic>& diags, const SourceManager& sm);

// Closest candidate by edit distance, for "did you mean" (empty when none is close).
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace pbrc
