// The catalog: the rows of include/pbrc/diagnostic_codes.def as a table indexed by `Code`.
// The static_asserts make a malformed, duplicate or out-of-order row a build error.
#include <array>
#include <string_view>

#include "pbrc/diagnostics.h"

namespace pbrc {
namespace {

constexpr std::array kCatalog = {
#define PBRC_DIAG(enumerator, id, name, summary) CodeInfo{Code::enumerator, id, name, summary},
#include "pbrc/diagnostic_codes.def"
#undef PBRC_DIAG
};

// "E0203": a severity letter and four digits.
constexpr bool WellFormed(std::string_view id) {
  if (id.size() != 5 || (id[0] != 'E' && id[0] != 'W')) return false;
  for (char c : id.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

constexpr bool AllWellFormed() {
  for (const CodeInfo& c : kCatalog) {
    if (!WellFormed(c.id) || std::string_view(c.name).empty()) return false;
  }
  return true;
}

// The enum is generated from the same rows, so row i is Code(i); this guards the table's
// construction should the two ever be written separately again.
constexpr bool IndexedByCode() {
  for (size_t i = 0; i < kCatalog.size(); ++i) {
    if (static_cast<size_t>(kCatalog[i].code) != i) return false;
  }
  return true;
}

// A series is the id's first three characters ("E01" names, "W08" warnings). Rows are in
// append order, so within a series each new id must be above the ones before it.
constexpr bool UniqueAndRisingPerSeries() {
  for (size_t i = 0; i < kCatalog.size(); ++i) {
    std::string_view a = kCatalog[i].id;
    for (size_t j = i + 1; j < kCatalog.size(); ++j) {
      std::string_view b = kCatalog[j].id;
      if (a.substr(1) == b.substr(1)) return false;  // a number names one code, whatever its letter
      if (std::string_view(kCatalog[i].name) == kCatalog[j].name) return false;
      if (a.substr(0, 3) == b.substr(0, 3) && !(a < b)) return false;
    }
  }
  return true;
}

static_assert(AllWellFormed(), "diagnostic_codes.def: an id is not a letter E/W and 4 digits");
static_assert(IndexedByCode(), "diagnostic_codes.def: the catalog is out of step with Code");
static_assert(UniqueAndRisingPerSeries(),
              "diagnostic_codes.def: an id or name is used twice, or an id is not above the "
              "earlier ids of its series");

}  // namespace

std::span<const CodeInfo> Catalog() { return kCatalog; }

const CodeInfo& Info(Code code) { return kCatalog[static_cast<size_t>(code)]; }

Severity DefaultSeverity(Code code) {
  return Info(code).id[0] == 'W' ? Severity::kWarning : Severity::kError;
}

}  // namespace pbrc
