// Checks a link's routes against each other and against its default routes. Every route of a
// link lands in the link's table as `route replace`, so two routes to one destination would
// leave only the last one: a second next hop for a prefix, or a default route beside the
// gateway (or beside the `default dev DEVICE` of a link without gateway), is an error rather
// than a silent choice. Two links cannot share a table (E0502), so conflicts stay in one link.
#include "checks.h"
#include "pbrc/text.h"

namespace pbrc::sema {
namespace {

std::string NextHop(const model::Route& r) {
  return r.via ? "via " + FormatAddr(*r.via) : std::string("without next hop");
}

// The route that already holds the default of `r`'s family, if any: the gateway's range, or
// the link's name when the link has no gateway at all.
std::optional<Label> DefaultHolder(const model::Link& link, const model::Route& r,
                                   const std::optional<Range> gw_range[2]) {
  if (r.dst.len != 0) return std::nullopt;
  int f = r.dst.addr.family == Family::kV4 ? 0 : 1;
  const auto& gw = f == 0 ? link.gw4 : link.gw6;
  if (gw) return Label{*gw_range[f], "the gateway is the default route via " + FormatAddr(*gw)};
  if (!link.gw4 && !link.gw6) {
    return Label{link.range, "a link without gateway has 'default dev " + link.device + "'"};
  }
  return std::nullopt;
}

}  // namespace

void CheckRoutes(const model::Link& link, const std::optional<Range> gw_range[2],
                 Diagnostics& diags) {
  for (size_t i = 0; i < link.routes.size(); ++i) {
    const model::Route& r = link.routes[i];
    std::string dst = FormatPrefix(r.dst);
    if (auto holder = DefaultHolder(link, r, gw_range)) {
      auto& d = diags.Error(
          Code::kRouteConflict, r.range,
          "route " + dst + " conflicts with the default route of link '" + link.name + "'");
      d.secondary.push_back(*holder);
      d.help = link.gw4 || link.gw6 ? "remove the route, or change the link's 'gateway'"
                                    : "remove the route, or give the link 'gateway ADDR;'";
      continue;
    }
    for (size_t j = 0; j < i; ++j) {
      const model::Route& first = link.routes[j];
      if (first.dst != r.dst) continue;
      if (first.via == r.via) {
        diags
            .Error(Code::kDuplicate, r.range,
                   "route " + dst + " given twice in link '" + link.name + "'")
            .secondary.push_back({first.range, "first given here"});
      } else {
        auto& d = diags.Error(Code::kRouteConflict, r.range,
                              "route " + dst + " " + NextHop(r) + " conflicts with route " + dst +
                                  " " + NextHop(first) + " in link '" + link.name + "'");
        d.secondary.push_back({first.range, "first route to " + dst});
        d.help = "a table holds one route per destination; keep one of them";
      }
      break;
    }
  }
}

}  // namespace pbrc::sema
