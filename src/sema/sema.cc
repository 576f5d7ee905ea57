// Semantic analysis, in order: collect names, check options, check links, check rules
// (evaluating the sets they use), evaluate every set no rule used, then warn about what is
// unused, cannot route, or pins its own inbound connections.
#include "pbrc/sema.h"

#include "checks.h"
#include "set_eval.h"
#include "symbols.h"

namespace pbrc {
namespace {

void WarnUnused(const ParsedPolicy& prog, const sema::Symbols& syms,
                const std::set<std::string>& used_sets, const std::vector<model::Link>& links,
                const std::vector<model::Rule>& rules, Diagnostics& diags) {
  if (prog.files.empty()) return;
  uint32_t root = prog.files[prog.root].file_id;
  for (const auto& [name, def] : syms.sets) {
    if (def->name.range.begin.file == root && !used_sets.count(name)) {
      diags.Warning(Code::kUnusedName, def->name.range, "set '" + name + "' is never used");
    }
  }
  std::vector<bool> used(links.size());
  for (const auto& r : rules) {
    if (r.target.kind == model::TargetKind::kLink) used[r.target.link] = true;
  }
  for (size_t i = 0; i < syms.links.size() && i < links.size(); ++i) {
    // A link with an address or an oif/bound use still routes its own traffic.
    if (!used[i] && links[i].addrs.empty() && syms.links[i]->name.range.begin.file == root) {
      diags.Warning(Code::kUnusedName, links[i].range,
                    "link '" + links[i].name + "' has no address and no rule uses it");
    }
  }
}

// `iif eth1 ... via proxy;` where link proxy's device is eth1: hosts behind eth1 open
// connections, yet the link's inbound pin gives every new connection arriving on eth1 that
// no `iif eth1` rule matches to the link, and rules without `iif` never see them.
void WarnIifPinned(const std::vector<model::Link>& links, const std::vector<model::Rule>& rules,
                   Diagnostics& diags) {
  for (const auto& r : rules) {
    const model::IifCond* iif = model::Find<model::IifCond>(r);
    if (!iif || r.target.kind != model::TargetKind::kLink) continue;
    const model::Link& l = links[r.target.link];
    if (!l.pin_inbound || l.device != iif->device) continue;
    Diagnostic& d = diags.Warning(
        Code::kIifPinned, r.range,
        "every new connection arriving on '" + l.device + "' is pinned to link '" + l.name + "'");
    d.secondary.push_back(Label{l.range, "'" + l.device + "' is the device of this link"});
    d.notes.push_back(
        "connections arriving on a link's device keep that link unless a rule "
        "naming the device with 'iif' matches them first; rules without 'iif' "
        "never see them");
    d.help = "add 'inbound off;' to link '" + l.name + "' if '" + l.device + "' is not an uplink";
  }
}

}  // namespace

std::optional<model::Model> Analyze(const ParsedPolicy& prog, SourceManager& sm, Diagnostics& diags,
                                    FileReader& reader) {
  sema::Symbols syms = sema::CollectSymbols(prog, diags);
  model::Model m;
  m.opts = sema::CheckOptions(syms, diags);
  m.links = sema::CheckLinks(syms, m.opts, diags);
  sema::SetEvaluator sets(syms, sm, diags, reader);
  m.rules = sema::CheckRules(syms, sm, sets, m.links, diags);
  std::set<std::string> used = sets.Used();
  // Definitions nothing uses are still checked.
  for (const auto& [name, def] : syms.sets) {
    if (!used.count(name)) sets.Named(name, def->name.range);
  }
  if (!diags.HasErrors()) WarnUnused(prog, syms, used, m.links, m.rules, diags);
  sema::WarnNoRoute(m.links, m.rules, diags);
  WarnIifPinned(m.links, m.rules, diags);
  if (diags.HasErrors()) return std::nullopt;
  std::set<std::string> names;
  for (const auto& r : m.rules) {
    for (const model::AddrCond* c :
         {static_cast<const model::AddrCond*>(model::Find<model::FromCond>(r)),
          static_cast<const model::AddrCond*>(model::Find<model::ToCond>(r))}) {
      if (c && !c->set.empty()) names.insert(c->set);
    }
  }
  for (const auto& n : names) {
    m.sets.push_back(model::NamedSet{n, *sets.Named(n, Range{}), syms.sets.at(n)->name.range});
  }
  return m;
}

}  // namespace pbrc
