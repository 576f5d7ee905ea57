// model -> IR: the one place that reads both, so ir.h stays free of the model.
#pragma once

#include <string>

#include "pbrc/ir.h"
#include "pbrc/model.h"
#include "pbrc/source.h"

namespace pbrc::ir {

// model -> IR, before allocation.
Program Lower(const model::Model& m, const SourceManager& sm, const std::string& policy_name);

}  // namespace pbrc::ir
