// Renders diagnostics for machines (`--format json`): one JSON array, stable keys.
#include <nlohmann/json.hpp>

#include "pbrc/diagnostics.h"
#include "pbrc/render_escape.h"

namespace pbrc {
namespace {

nlohmann::ordered_json RangeJson(const Range& r, const SourceManager& sm) {
  nlohmann::ordered_json j;
  j["file"] = sm.Get(r.begin.file).name;
  j["line"] = r.begin.line;
  j["column"] = r.begin.col;
  j["end_line"] = r.end.line;
  j["end_column"] = r.end.col;
  return j;
}

}  // namespace

std::string RenderJson(const std::vector<Diagnostic>& diags, const SourceManager& sm) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& d : diags) {
    nlohmann::ordered_json j;
    j["code"] = Info(d.code).id;
    j["name"] = Info(d.code).name;
    j["severity"] = d.severity == Severity::kError     ? "error"
                    : d.severity == Severity::kWarning ? "warning"
                                                       : "note";
    j["message"] = EscapeMessage(d.message);
    if (d.has_range) j["range"] = RangeJson(d.primary, sm);
    auto sec = nlohmann::ordered_json::array();
    for (const auto& l : d.secondary) {
      auto s = RangeJson(l.range, sm);
      s["label"] = EscapeMessage(l.text);
      sec.push_back(s);
    }
    j["secondary"] = sec;
    auto notes = nlohmann::ordered_json::array();
    for (const auto& n : d.notes) notes.push_back(EscapeMessage(n));
    j["notes"] = notes;
    if (d.help) j["help"] = EscapeMessage(*d.help);
    arr.push_back(j);
  }
  // Messages are valid UTF-8 after EscapeMessage; file names may not be: replace, never throw.
  return arr.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace pbrc
