// The plan for tools: schema "pbrc-plan/1" (docs/pbrc.1.md). Fields are only ever added
// within a schema version; a renamed or removed field means "pbrc-plan/2".
#include <nlohmann/json.hpp>

#include "pbrc/plan.h"

namespace pbrc::plan {
namespace {

using json = nlohmann::ordered_json;

json Null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json ElementList(const std::vector<Interval>& els, const RenderOptions& o) {
  json out = json::array();
  size_t shown = o.full ? els.size() : std::min(els.size(), kFirstElements);
  for (size_t i = 0; i < shown; ++i) out.push_back(FormatInterval(els[i]));
  return out;
}

json One(const Change& c, const RenderOptions& o) {
  json j;
  j["op"] = OpName(c.op);
  j["kind"] = KindName(c.kind);
  j["id"] = c.key;
  j["origin"] = Null(c.origin);
  j["drift"] = c.drift;
  if (c.kind == Kind::kSet) {
    j["elements"] = {{"added", c.added.size()},
                     {"removed", c.removed.size()},
                     {"added_elements", ElementList(c.added.vec(), o)},
                     {"removed_elements", ElementList(c.removed.vec(), o)},
                     {"complete", o.full || (c.added.size() <= kFirstElements &&
                                             c.removed.size() <= kFirstElements)}};
  } else {
    j["before"] = c.op == Op::kAdd ? json(nullptr) : json(c.before);
    j["after"] = c.op == Op::kRemove ? json(nullptr) : json(c.after);
  }
  return j;
}

}  // namespace

std::string RenderJson(const Plan& p, const RenderOptions& o) {
  json out;
  out["schema"] = "pbrc-plan/1";
  out["current"] = p.current;
  out["desired"] = p.desired;
  out["summary"] = {{"add", p.Count(Op::kAdd)},
                    {"change", p.Count(Op::kChange)},
                    {"remove", p.Count(Op::kRemove)}};
  json changes = json::array();
  for (const auto& c : p.changes) changes.push_back(One(c, o));
  out["changes"] = std::move(changes);
  out["warnings"] = p.warnings;
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace pbrc::plan
