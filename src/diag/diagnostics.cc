// The diagnostics collector: dedupes the same code at the same place, caps errors, and
// sorts by position for a deterministic order.
#include "pbrc/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace pbrc {

Diagnostic& Diagnostics::Add(Diagnostic d) {
  if (d.severity == Severity::kError) {
    if (errors_ >= kMaxErrors) {
      if (!truncated_) {
        truncated_ = true;
        Diagnostic stop;
        stop.code = Code::kTooManyErrors;
        stop.message = "too many errors; stopped after " + std::to_string(kMaxErrors);
        stop.has_range = false;
        list_.push_back(std::move(stop));
      }
      sink_ = std::move(d);
      return sink_;
    }
  }
  if (d.has_range &&
      !seen_.emplace(d.code, d.primary.begin.file, d.primary.begin.offset, d.primary.end.offset)
           .second) {
    sink_ = std::move(d);
    return sink_;
  }
  if (d.severity == Severity::kError) ++errors_;
  list_.push_back(std::move(d));
  return list_.back();
}

Diagnostic& Diagnostics::Error(Code code, Range range, std::string message) {
  Diagnostic d;
  d.code = code;
  d.primary = range;
  d.message = std::move(message);
  return Add(std::move(d));
}

Diagnostic& Diagnostics::Warning(Code code, Range range, std::string message) {
  Diagnostic d;
  d.code = code;
  d.severity = Severity::kWarning;
  d.primary = range;
  d.message = std::move(message);
  return Add(std::move(d));
}

Diagnostic& Diagnostics::WarningNoRange(Code code, std::string message) {
  Diagnostic d;
  d.code = code;
  d.severity = Severity::kWarning;
  d.has_range = false;
  d.message = std::move(message);
  return Add(std::move(d));
}

Diagnostic& Diagnostics::ErrorNoRange(Code code, std::string message) {
  Diagnostic d;
  d.code = code;
  d.has_range = false;
  d.message = std::move(message);
  return Add(std::move(d));
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> out = list_;
  auto key = [](const Diagnostic& d) {
    // Range-less diagnostics (too many errors) go last.
    return std::make_tuple(!d.has_range, d.primary.begin.file, d.primary.begin.offset,
                           static_cast<int>(d.code));
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  return out;
}

}  // namespace pbrc
