// Diagnostics are data: produced by the stages, rendered once at the end by a renderer.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "pbrc/source.h"

namespace pbrc {

// The catalog of every diagnostic pbrc can report. Codes are stable; docs/diagnostics.md
// documents each one with a failing example (a test checks the two agree).
enum class Code {
  kSyntax,               // E0001
  kInvalidCharacter,     // E0002
  kUnterminatedString,   // E0003
  kUnterminatedComment,  // E0004
  kNumberTooLarge,       // E0005
  kInvalidNumber,        // E0006
  kTooManyErrors,        // E0007
  kUnknownName,          // E0101
  kDuplicate,            // E0102
  kImportNotFound,       // E0103
  kImportCycle,          // E0104
  kListFileError,        // E0105
  kSetCycle,             // E0106
  kImportTooDeep,        // E0107
  kInvalidAddress,       // E0201
  kInvalidPrefixLength,  // E0202
  kHostBitsSet,          // E0203
  kInvalidRange,         // E0204
  kFamilyMix,            // E0205
  kEmptySet,             // E0206
  kPortsNeedProtocol,    // E0301
  kOutOfRange,           // E0302
  kUnknownProtocol,      // E0303
  kMarkZero,             // E0401
  kMarkOutsideMask,      // E0402
  kMarkReused,           // E0403
  kInvalidMask,          // E0404
  kMarksExhausted,       // E0405
  kTableReserved,        // E0501
  kTableReused,          // E0502
  kTableOutOfRange,      // E0503
  kTablesExhausted,      // E0504
  kIfnameTooLong,        // E0601
  kIfnameInvalid,        // E0602
  kLinkIncomplete,       // E0701
  kBadOption,            // E0702
  kPreferenceBand,       // E0703
  kNatNeedsAddress,      // E0704
  kOifRule,              // E0705
  kNoRoute,              // W0801
  kUnusedName,           // W0802
  kSetTooDeep,           // E0108
  kIifPinned,            // W0803
  kRouteConflict,        // E0706
  kIfnameWildcard,       // E0603
  kControlInString,      // E0110
  kPacketSyntax,         // E0901
  kShadowed,             // W0901
  kOverlap,              // W0902
  kNoEffect,             // W0903
  kRouterTraffic,        // W0904
  kMarkCollision,        // W0905
  kPreferenceCollision,  // W0906
  kTableCollision,       // W0907
};

enum class Severity { kError, kWarning, kNote };

struct CodeInfo {
  Code code;
  const char* id;    // "E0203"
  const char* name;  // "host-bits-set"
  const char* summary;
};
const CodeInfo& Info(Code code);
const std::vector<CodeInfo>& Catalog();

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
