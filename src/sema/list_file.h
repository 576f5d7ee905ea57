// Reads a list file: one address, prefix or range a line; '#' starts a comment.
#pragma once

#include <optional>
#include <string>

#include "pbrc/diagnostics.h"
#include "pbrc/model.h"
#include "pbrc/parse.h"

namespace pbrc::sema {

// Loads the buffer as file `file_id` of `sm` and returns its addresses (normalized),
// or nullopt after reporting errors.
std::optional<model::AddrValue> ParseListFile(uint32_t file_id, const SourceManager& sm,
                                              Diagnostics& diags);

}  // namespace pbrc::sema
