#include "lint_formats.h"

#include "pbrc/render_escape.h"

namespace pbrc::cli {
namespace {

using J = nlohmann::ordered_json;

const char* Level(Severity s) {
  return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "note";
}

J Location(const Range& r, const SourceManager& sm) {
  return J{{"physicalLocation",
            {{"artifactLocation", {{"uri", EscapeMessage(sm.Get(r.begin.file).name)}}},
             {"region",
              {{"startLine", r.begin.line},
               {"startColumn", r.begin.col},
               {"endLine", r.end.line},
               {"endColumn", std::max(r.end.col, r.begin.col + 1)}}}}}};
}

// The message with its notes and help as one text (SARIF and GitHub show one message);
// each part escaped on its own, so the newlines between them stay newlines.
std::string FullMessage(const Diagnostic& d) {
  std::string m = EscapeMessage(d.message);
  for (const auto& n : d.notes) m += "\nnote: " + EscapeMessage(n);
  if (d.help) m += "\nhelp: " + EscapeMessage(*d.help);
  return m;
}

// Workflow command escaping: the data part escapes %, CR, LF; properties also ':' and ','.
std::string GhEscape(const std::string& s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ':')
      out += "%3A";
    else if (property && c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

}  // namespace

void AppendSarifResults(const std::vector<Diagnostic>& diags, const SourceManager& sm, J& results) {
  for (const auto& d : diags) {
    J r = {{"ruleId", Info(d.code).id},
           {"level", Level(d.severity)},
           {"message", {{"text", FullMessage(d)}}}};
    if (d.has_range) r["locations"] = J::array({Location(d.primary, sm)});
    if (!d.secondary.empty()) {
      J rel = J::array();
      for (size_t i = 0; i < d.secondary.size(); ++i) {
        J loc = Location(d.secondary[i].range, sm);
        loc["id"] = i + 1;
        loc["message"] = {{"text", EscapeMessage(d.secondary[i].text)}};
        rel.push_back(loc);
      }
      r["relatedLocations"] = rel;
    }
    results.push_back(std::move(r));
  }
}

J SarifLog(J results) {
  J rules = J::array();
  for (const auto& info : Catalog()) {
    rules.push_back(
        {{"id", info.id}, {"name", info.name}, {"shortDescription", {{"text", info.summary}}}});
  }
  return J{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
           {"version", "2.1.0"},
           {"runs", J::array({{{"tool", {{"driver", {{"name", "pbrc"}, {"rules", rules}}}}},
                               {"results", std::move(results)}}})}};
}

std::string RenderGithub(const std::vector<Diagnostic>& diags, const SourceManager& sm) {
  std::string out;
  for (const auto& d : diags) {
    std::string props;
    if (d.has_range) {
      const Range& r = d.primary;
      props = "file=" + GhEscape(EscapeMessage(sm.Get(r.begin.file).name), true) +
              ",line=" + std::to_string(r.begin.line) + ",col=" + std::to_string(r.begin.col) +
              ",endLine=" + std::to_string(r.end.line) + ",endColumn=" + std::to_string(r.end.col) +
              ",";
    }
    props += "title=" + GhEscape(std::string(Info(d.code).id) + " " + Info(d.code).name, true);
    const char* level = d.severity == Severity::kNote ? "notice" : Level(d.severity);
    out += std::string("::") + level + " " + props + "::" + GhEscape(FullMessage(d), false) + "\n";
  }
  return out;
}

}  // namespace pbrc::cli
