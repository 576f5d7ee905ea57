// The checks of sema, one file each; each reports diagnostics and returns checked values.
#pragma once

#include <optional>
#include <vector>

#include "pbrc/model.h"
#include "set_eval.h"
#include "symbols.h"

namespace pbrc::sema {

// Options blocks: every option at most once, values in range.
model::Options CheckOptions(const Symbols& syms, Diagnostics& diags);

// Interface names as the kernel accepts them (IFNAMSIZ, no '/', ':' or whitespace).
bool CheckIfname(const ast::Name& name, Diagnostics& diags);

// Links: one device, at most one gateway per family, marks and tables valid and unique.
std::vector<model::Link> CheckLinks(const Symbols& syms, const model::Options& opts,
                                    Diagnostics& diags);

// A link's routes: one per destination, none beside the link's default route (E0706).
// `gw_range[0]`/`[1]` are where the IPv4/IPv6 gateway was given.
void CheckRoutes(const model::Link& link, const std::optional<Range> gw_range[2],
                 Diagnostics& diags);

// Policy rules, in first-match order. May append bare-device links to `links`. Deferred
// rules (RuleTrees::kDefer) are parsed from `sm` one at a time, each dropped once checked.
std::vector<model::Rule> CheckRules(const Symbols& syms, const SourceManager& sm,
                                    SetEvaluator& sets, std::vector<model::Link>& links,
                                    Diagnostics& diags);

// W0801 for each rule that can match a family its link has no route for.
void WarnNoRoute(const std::vector<model::Link>& links, const std::vector<model::Rule>& rules,
                 Diagnostics& diags);

// A number as a value in [lo, hi]; reports E0302 with `what` otherwise.
std::optional<uint64_t> CheckNumber(const ast::Number& n, uint64_t lo, uint64_t hi,
                                    const std::string& what, Diagnostics& diags);

// A routing table id, for links (`table N;`) and rules (`via table N`) alike: E0501 for the
// kernel's reserved ids (0, 253-255), E0503 above 4294967295. nullopt after a diagnostic.
std::optional<uint32_t> CheckTableId(const ast::Number& n, Diagnostics& diags);

}  // namespace pbrc::sema
