// Renderers for `pbrc lint` beyond the shared text and JSON ones: SARIF 2.1.0 (what GitHub
// code scanning uploads) and GitHub Actions workflow commands.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pbrc/diagnostics.h"

namespace pbrc::cli {

// SARIF results of one policy's diagnostics (appended to `results`).
void AppendSarifResults(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                        nlohmann::ordered_json& results);
// The whole SARIF log around `results`: one run, the tool with every catalog code as a rule.
nlohmann::ordered_json SarifLog(nlohmann::ordered_json results);
// `::warning file=F,line=L,col=C,endLine=..,endColumn=..,title=CODE name::message` lines.
std::string RenderGithub(const std::vector<Diagnostic>& diags, const SourceManager& sm);

}  // namespace pbrc::cli
