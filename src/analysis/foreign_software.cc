// W0905-W0907: what other routing software on the same router uses by default. Two tools
// writing the same mark bits, or putting ip rules into the same preference band, or routes
// into the same table, silently break each other. Each value is taken from the project's
// own source; docs/lint.md cites the file for every one.
#include <string>

#include "lint_checks.h"
#include "pbrc/text.h"

namespace pbrc::analysis {
namespace {

struct Band {
  uint32_t lo, hi;
};

struct Software {
  const char* name;
  uint32_t mark_mask;   // bits it writes (0: none)
  uint32_t mark_value;  // an exact mark it sets on its own packets (0: none)
  std::vector<Band> prefs;
  std::vector<Band> tables;
};

const std::vector<Software>& Known() {
  static const std::vector<Software> kKnown = {
      // mmx_mask default 0x3F00; rules at id+1000, id+2000, id+3000 and tables 1..60 for
      // the 60 interfaces six mask bits allow.
      {"mwan3", 0x3f00, 0, {{1001, 1060}, {2001, 2060}, {3001, 3060}}, {{1, 60}}},
      // fw_mask 00ff0000, uplink_ip_rules_priority 30000 counting down per interface.
      {"OpenWrt pbr", 0x00ff0000, 0, {{29745, 30000}}, {}},
      // --iptables-masquerade-bit 14 and kubelet's --iptables-drop-bit 15.
      {"kube-proxy", 0xc000, 0, {}, {}},
      // Felix IptablesMarkMask default 0xffff0000.
      {"Calico", 0xffff0000, 0, {}, {}},
      // MagicMarkHostMask 0x0F00 (and kube-proxy's bits); rules 1-112; tables 200-202.
      {"Cilium", 0x0f00, 0, {{1, 112}}, {{200, 202}}},
      // fwmark and table 51820 (the first free table from 51820); rules without pref.
      {"wg-quick", 0, 51820, {}, {{51820, 51820}}},
      // bits 16-23 (0xff0000); table 52; rules 5210-5270.
      {"Tailscale", 0xff0000, 0, {{5210, 5270}}, {{52, 52}}},
  };
  return kKnown;
}

Diagnostic& Warn(Diagnostics& diags, Code code, const std::optional<Range>& r, std::string msg) {
  return r ? diags.Warning(code, *r, std::move(msg)) : diags.WarningNoRange(code, std::move(msg));
}

void Marks(const ir::Program& p, Diagnostics& diags) {
  std::vector<std::string> notes;
  for (const auto& s : Known()) {
    if (s.mark_mask & p.opts.mark_mask) {
      notes.push_back(std::string(s.name) + " writes bits " + Hex(s.mark_mask) +
                      " (shared: " + Hex(s.mark_mask & p.opts.mark_mask) + ")");
    }
    for (const auto& t : p.targets) {
      if (s.mark_value && t.mark && (s.mark_value & p.opts.mark_mask) == t.mark) {
        notes.push_back(std::string(s.name) + " marks its own packets " + Hex(s.mark_value) +
                        ", which pbrc's fwmark rule for '" + t.name + "' routes");
      }
    }
  }
  if (notes.empty()) return;
  auto& d = Warn(diags, Code::kMarkCollision, p.opts.mask_range,
                 "mark mask " + Hex(p.opts.mark_mask) + " shares bits with other routing software");
  d.notes = notes;
  d.help = "if that software runs here, pick bits nobody else uses, e.g. 'mark mask 0xf;'";
}

bool Overlap(Band a, Band b) { return a.lo <= b.hi && b.lo <= a.hi; }

void Preferences(const ir::Program& p, Diagnostics& diags) {
  std::vector<std::string> notes;
  Band own{p.opts.pref_lo, p.opts.pref_hi};
  for (const auto& s : Known()) {
    for (const auto& b : s.prefs) {
      if (Overlap(own, b)) {
        notes.push_back(std::string(s.name) + " puts ip rules at " + std::to_string(b.lo) + "-" +
                        std::to_string(b.hi));
      }
    }
  }
  if (notes.empty()) return;
  auto& d = Warn(diags, Code::kPreferenceCollision, p.opts.pref_range,
                 "preference band " + std::to_string(own.lo) + "-" + std::to_string(own.hi) +
                     " overlaps other routing software's ip rules");
  d.notes = notes;
  d.help = "if that software runs here, move the band, e.g. 'preference 10000-10099;'";
}

void Tables(const ir::Program& p, Diagnostics& diags) {
  for (const auto& t : p.targets) {
    if (t.kind == ir::TargetKind::kMain) continue;
    std::vector<std::string> notes;
    for (const auto& s : Known()) {
      for (const auto& b : s.tables) {
        if (t.table >= b.lo && t.table <= b.hi) {
          notes.push_back(std::string(s.name) +
                          (b.hi > b.lo
                               ? " uses tables " + std::to_string(b.lo) + "-" + std::to_string(b.hi)
                               : " uses table " + std::to_string(b.lo)));
        }
      }
    }
    if (notes.empty()) continue;
    std::optional<Range> r;
    if (t.kind == ir::TargetKind::kLink) r = t.range;
    auto& d = Warn(diags, Code::kTableCollision, r,
                   "table " + std::to_string(t.table) + " of '" + t.name +
                       "' is one other routing software uses");
    d.notes = notes;
    d.help =
        "if that software runs here, give '" + t.name + "' another table (or move 'table ids')";
  }
}

}  // namespace

void CheckForeignSoftware(const ir::Program& p, Diagnostics& diags) {
  Marks(p, diags);
  Preferences(p, diags);
  Tables(p, diags);
}

}  // namespace pbrc::analysis
