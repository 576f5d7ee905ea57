// Both sides of `pbrc diff POLICY`: the desired state (the policy's nft table as the kernel
// lists it after loading it in a private namespace; its sets, ip rules, routes and sysctls
// from the IR) and the current one (read from the kernel, inside --netns when given).
// Sets are loaded privately with one placeholder element each: their elements are compared as
// intervals, which need no canonical listing, and loading 100k elements twice would cost
// more than the whole live listing.
#include <algorithm>

#include "../plan/ir_access.h"
#include "live.h"
#include "pbrc/emit.h"

namespace pbrc::live {
namespace {

Ownership OwnershipOf(const ir::Program& p) {
  Ownership own{p.opts.protocol, p.opts.pref_lo, p.opts.pref_hi, {}};
  for (const auto& t : p.targets)
    if (t.table && t.table != ir::kMainTable) own.tables.push_back(t.table);
  for (const auto& r : p.routes) own.tables.push_back(r.table);
  std::sort(own.tables.begin(), own.tables.end());
  own.tables.erase(std::unique(own.tables.begin(), own.tables.end()), own.tables.end());
  return own;
}

// Objects of the desired side taken from the IR; the rest come from the canonical listing.
bool FromIr(plan::Kind k) {
  return k == plan::Kind::kSet || k == plan::Kind::kIpRule || k == plan::Kind::kRoute ||
         k == plan::Kind::kSysctl;
}

}  // namespace

bool DesiredState(const ir::Program& p, plan::State& desired, std::string& err,
                  std::string* listing_text, const plan::State* reuse,
                  const std::string* reuse_text) {
  ir::Program small = p;
  // Sets are compared from the IR, so their listing needs one placeholder element each (the
  // same text whatever the elements, which a recorded listing is reused for). The maps of
  // `classify maps;` hold copies of the sets' intervals and are compared as listed: they
  // come from the plan of the policy with its sets whole (a plan of the trimmed sets would
  // map rules whose sets are too big for a map), so no set is loaded whole here.
  for (auto& s : small.sets) plan::PlaceholderElements(s);
  std::string canonical, text = p.opts.classify == ClassifyForm::kMaps
                                    ? emit::NftText(small, ir::PlanClassify(p))
                                    : emit::NftText(small);
  plan::State listed;
  if (reuse && reuse_text && *reuse_text == text) {
    for (const auto& o : reuse->objects)
      if (!FromIr(o.kind)) desired.objects.push_back(o);
  } else {
    if (!CanonicalNftListing(text, p.opts.nft_table, canonical, err)) return false;
    if (!NftObjects(canonical, listed, err)) return false;
    for (auto& o : listed.objects)
      if (!FromIr(o.kind)) desired.objects.push_back(std::move(o));
  }
  if (listing_text) *listing_text = std::move(text);
  for (auto& o : plan::FromProgram(p).objects)
    if (FromIr(o.kind)) desired.objects.push_back(std::move(o));
  return true;
}

bool ReadLivePlan(const ir::Program& p, const ir::Program* applied, const std::string& netns,
                  plan::Plan& out, std::string& err) {
  plan::State desired, was;
  if (!DesiredState(p, desired, err)) return false;
  if (applied && !DesiredState(*applied, was, err)) return false;
  if (!netns.empty() && !EnterNetns(netns, err)) return false;
  return PlanAgainstKernel(p, std::move(desired), applied ? &was : nullptr, out, err);
}

bool PlanAgainstKernel(const ir::Program& p, plan::State desired, const plan::State* was,
                       plan::Plan& out, std::string& err, TableListing* listed,
                       const plan::State* known_nft) {
  plan::State current;
  std::vector<std::string>& warnings = out.warnings;
  if (known_nft) {
    for (const auto& o : known_nft->objects)
      if (plan::IsNftKind(o.kind)) current.objects.push_back(o);  // maps too
  } else {
    TableListing table;
    if (!ListNftTable(p.opts.nft_table, table.json, table.exists, err)) return false;
    if (table.exists && !NftObjects(table.json, current, err)) return false;
    if (listed) *listed = std::move(table);
  }
  if (!WarnMarkWriters(p.opts.nft_table, p.opts.mark_mask, warnings, err)) return false;
  Ownership own = OwnershipOf(p);
  if (!ReadIpRules(own, current, warnings, err) || !ReadRoutes(own, current, warnings, err))
    return false;
  std::vector<std::string> keys;
  for (const auto& s : p.sysctls) keys.push_back(s.key);
  if (!ReadSysctls(keys, current, err)) return false;
  plan::State positional;  // drift needs the kernel's order; only `diff` asks for it
  if (was) positional = current;
  AlignRules(desired, current);
  plan::SortState(desired);
  plan::SortState(current);
  out.changes = plan::Diff(desired, current).changes;
  if (was) MarkDrift(out, *was, std::move(positional));
  return true;
}

}  // namespace pbrc::live
