// Checks links: exactly one valid device (not shared with another link), at most one
// gateway per family, table ids that are not the kernel's and not reused, marks that are
// non-zero, inside the mask and not reused, routes whose next hop matches their family and
// that do not conflict (check_routes.cc), and `nat snat` only with an address to translate to.
#include <map>

#include "addr_check.h"
#include "checks.h"
#include "pbrc/syntax.h"
#include "pbrc/text.h"

namespace pbrc::sema {

bool CheckIfname(const ast::Name& name, Diagnostics& diags) {
  const std::string& n = name.text;
  if (n.size() > 15) {
    diags
        .Error(Code::kIfnameTooLong, name.range,
               "interface name '" + n.substr(0, 40) + "' is " + std::to_string(n.size()) +
                   " bytes long")
        .help = "Linux interface names have at most 15 bytes";
    return false;
  }
  if (syntax::IfnameWildcard(n)) {
    // nft would match every device with that prefix, ip rule and routes one literal name.
    diags.Error(Code::kIfnameWildcard, name.range, "interface name '" + n + "' is a wildcard")
        .help = "ip rule and routes cannot match a device pattern; write one rule per device";
    return false;
  }
  if (auto why = syntax::IfnameProblem(n)) {
    diags.Error(Code::kIfnameInvalid, name.range, "invalid interface name '" + n + "'").help = *why;
    return false;
  }
  return true;
}

namespace {

class LinkChecker {
 public:
  LinkChecker(const model::Options& opts, Diagnostics& diags) : opts_(opts), diags_(diags) {}

  model::Link Check(const ast::LinkDef& def) {
    model::Link link;
    link.name = def.name.text;
    link.range = def.name.range;
    std::map<ast::LinkPropKind, const ast::LinkProp*> seen;
    const ast::LinkProp* gw[2] = {nullptr, nullptr};
    for (const auto& p : def.props) {
      bool repeatable = p.kind == ast::LinkPropKind::kRoute ||
                        p.kind == ast::LinkPropKind::kAddress ||
                        p.kind == ast::LinkPropKind::kGateway;
      auto [it, fresh] = seen.emplace(p.kind, &p);
      if (!fresh && !repeatable) {
        diags_.Error(Code::kDuplicate, p.range, "property given twice in link '" + link.name + "'")
            .secondary.push_back({it->second->range, "first given here"});
        continue;
      }
      Prop(p, link, gw);
    }
    if (!seen.count(ast::LinkPropKind::kDevice)) {
      diags_.Error(Code::kLinkIncomplete, def.name.range, "link '" + link.name + "' has no device")
          .help = "add 'device NAME;' to the link";
    }
    std::optional<Range> gw_range[2];
    for (int f = 0; f < 2; ++f) {
      if (gw[f]) gw_range[f] = gw[f]->range;
    }
    CheckRoutes(link, gw_range, diags_);
    if (link.nat == ast::NatKind::kSnat && link.addrs.empty()) {
      diags_
          .Error(Code::kNatNeedsAddress, seen[ast::LinkPropKind::kNat]->range,
                 "'nat snat' needs the link's own address")
          .help = "add 'address ADDR;' to the link, or use 'nat masquerade;'";
    }
    return link;
  }

 private:
  void Prop(const ast::LinkProp& p, model::Link& link, const ast::LinkProp* gw[2]) {
    switch (p.kind) {
      case ast::LinkPropKind::kDevice:
        if (CheckIfname(*p.device, diags_)) Device(*p.device, link);
        break;
      case ast::LinkPropKind::kGateway:
        if (auto a = CheckAddr(p.addrs[0], diags_)) {
          int f = a->family == Family::kV4 ? 0 : 1;
          if (gw[f]) {
            diags_
                .Error(Code::kLinkIncomplete, p.range,
                       std::string("second ") + FamilyName(a->family) + " gateway for link '" +
                           link.name + "'")
                .secondary.push_back({gw[f]->range, "first gateway"});
          } else {
            gw[f] = &p;
            (f == 0 ? link.gw4 : link.gw6) = *a;
          }
        }
        break;
      case ast::LinkPropKind::kAddress:
        for (const auto& t : p.addrs) {
          if (auto a = CheckAddr(t, diags_)) link.addrs.push_back(*a);
        }
        break;
      case ast::LinkPropKind::kTable:
        Table(*p.number, link);
        break;
      case ast::LinkPropKind::kMark:
        Mark(*p.number, link);
        break;
      case ast::LinkPropKind::kRoute:
        Route(p, link);
        break;
      case ast::LinkPropKind::kNat:
        link.nat = p.nat;
        break;
      case ast::LinkPropKind::kRpFilter:
        link.rp = p.rp;
        break;
      case ast::LinkPropKind::kInbound:
        link.pin_inbound = p.flag;
        break;
    }
  }

  void Device(const ast::Name& dev, model::Link& link) {
    auto [it, fresh] = devices_.emplace(dev.text, dev.range);
    if (!fresh) {
      diags_.Error(Code::kDuplicate, dev.range, "device '" + dev.text + "' belongs to two links")
          .secondary.push_back({it->second, "first used here"});
    }
    link.device = dev.text;
  }

  void Table(const ast::Number& n, model::Link& link) {
    if (!n.valid) return;
    if (!CheckTableId(n, diags_)) return;
    auto [it, fresh] = tables_.emplace(n.value, n.range);
    if (!fresh) {
      diags_.Error(Code::kTableReused, n.range, "table " + n.text + " is used by two links")
          .secondary.push_back({it->second, "first used here"});
      return;
    }
    link.table = static_cast<uint32_t>(n.value);
  }

  void Mark(const ast::Number& n, model::Link& link) {
    if (!n.valid) return;
    if (n.value == 0) {
      diags_.Error(Code::kMarkZero, n.range, "mark 0 means 'unmarked'").help =
          "leave the mark out to have one allocated";
      return;
    }
    if (n.value > 0xffffffffULL || (n.value & ~static_cast<uint64_t>(opts_.mark_mask))) {
      diags_
          .Error(Code::kMarkOutsideMask, n.range,
                 "mark " + n.text + " has bits outside the mark mask " + Hex(opts_.mark_mask))
          .help = "use a value whose bits are all inside the mask";
      return;
    }
    auto [it, fresh] = marks_.emplace(n.value, n.range);
    if (!fresh) {
      diags_.Error(Code::kMarkReused, n.range, "mark " + n.text + " is used by two links")
          .secondary.push_back({it->second, "first used here"});
      return;
    }
    link.mark = static_cast<uint32_t>(n.value);
  }

  void Route(const ast::LinkProp& p, model::Link& link) {
    auto dst = CheckPrefix(*p.route, diags_);
    std::optional<Addr> via;
    if (p.via) via = CheckAddr(*p.via, diags_);
    if (!dst || (p.via && !via)) return;
    if (via && via->family != dst->addr.family) {
      diags_.Error(Code::kFamilyMix, p.via->range,
                   std::string(FamilyName(via->family)) + " next hop for an " +
                       FamilyName(dst->addr.family) + " route");
      return;
    }
    link.routes.push_back(model::Route{*dst, via, p.range});
  }

  const model::Options& opts_;
  Diagnostics& diags_;
  std::map<std::string, Range> devices_;
  std::map<uint64_t, Range> tables_;
  std::map<uint64_t, Range> marks_;
};

}  // namespace

std::vector<model::Link> CheckLinks(const Symbols& syms, const model::Options& opts,
                                    Diagnostics& diags) {
  LinkChecker checker(opts, diags);
  std::vector<model::Link> out;
  for (const auto* def : syms.links) out.push_back(checker.Check(*def));
  return out;
}

}  // namespace pbrc::sema
