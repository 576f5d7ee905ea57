// Semantic analysis: resolves names, checks every value and evaluates sets.
#pragma once

#include <optional>

#include "pbrc/diagnostics.h"
#include "pbrc/model.h"
#include "pbrc/parse.h"

namespace pbrc {

// Returns the checked model, or nullopt when any error was reported.
std::optional<model::Model> Analyze(const ParsedPolicy& prog, SourceManager& sm, Diagnostics& diags,
                                    FileReader& reader);

}  // namespace pbrc
