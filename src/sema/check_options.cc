// Checks options: each at most once (across all blocks and files), numbers in range, bands
// ordered, a non-zero mark mask, a table-id range clear of the reserved ids 253-255.
#include <map>

#include "checks.h"
#include "pbrc/syntax.h"

namespace pbrc::sema {

std::optional<uint64_t> CheckNumber(const ast::Number& n, uint64_t lo, uint64_t hi,
                                    const std::string& what, Diagnostics& diags) {
  if (!n.valid) return std::nullopt;
  if (n.value < lo || n.value > hi) {
    diags.Error(Code::kOutOfRange, n.range, what + " " + n.text + " is out of range").help =
        "use a value from " + std::to_string(lo) + " to " + std::to_string(hi);
    return std::nullopt;
  }
  return n.value;
}

namespace {

// Reads a `lo-hi` pair into `lo`/`hi` when both are valid and ordered.
bool Band(const ast::Option& o, uint64_t min, uint64_t max, const char* what, Diagnostics& diags,
          uint32_t& lo, uint32_t& hi) {
  auto a = CheckNumber(o.numbers[0], min, max, what, diags);
  auto b = CheckNumber(o.numbers[1], min, max, what, diags);
  if (!a || !b) return false;
  if (*a > *b) {
    diags.Error(Code::kBadOption, o.range, std::string(what) + " range starts above its end");
    return false;
  }
  lo = static_cast<uint32_t>(*a);
  hi = static_cast<uint32_t>(*b);
  return true;
}

void Apply(const ast::Option& o, model::Options& out, Diagnostics& diags) {
  switch (o.kind) {
    case ast::OptionKind::kNftTable: {
      const std::string& n = o.name->text;
      if (auto why = syntax::NftTableNameProblem(n)) {
        diags
            .Error(Code::kBadOption, o.name->range,
                   "invalid nft table name '" + n.substr(0, 64) + "'")
            .help = *why;
      } else {
        out.nft_table = n;
      }
      break;
    }
    case ast::OptionKind::kMarkMask:
      if (auto v = CheckNumber(o.numbers[0], 0, 0xffffffff, "mark mask", diags)) {
        if (*v == 0) {
          diags.Error(Code::kInvalidMask, o.numbers[0].range, "mark mask is zero").help =
              "give the bits pbrc may use, e.g. 'mark mask 0xf;'";
        } else {
          out.mark_mask = static_cast<uint32_t>(*v);
          out.mask_range = o.range;
        }
      }
      break;
    case ast::OptionKind::kPreference:
      if (Band(o, 1, 32765, "preference", diags, out.pref_lo, out.pref_hi))
        out.pref_range = o.range;
      break;
    case ast::OptionKind::kTableIds: {
      uint32_t lo = 0, hi = 0;
      if (Band(o, 1, 0xffffffff, "table id", diags, lo, hi)) {
        if (lo <= 255 && hi >= 253) {
          diags
              .Error(Code::kTableReserved, o.range,
                     "table id range includes the reserved ids 253-255")
              .help = "pick a range above 255, e.g. 'table ids 1000-1999;'";
        } else {
          out.table_lo = lo;
          out.table_hi = hi;
          out.table_ids_range = o.range;
        }
      }
      break;
    }
    case ast::OptionKind::kProtocol:
      if (auto v = CheckNumber(o.numbers[0], 5, 254, "protocol", diags)) {
        out.protocol = static_cast<uint32_t>(*v);
      }
      break;
    case ast::OptionKind::kCounters:
      out.counters = o.flag;
      break;
    case ast::OptionKind::kComments:
      out.comments = o.flag;
      break;
    case ast::OptionKind::kClassify:
      if (o.name->text == "maps" || o.name->text == "linear") {
        out.classify = o.name->text == "maps" ? ClassifyForm::kMaps : ClassifyForm::kLinear;
      } else {
        diags
            .Error(Code::kClassifyForm, o.name->range,
                   "unknown classify form '" + o.name->text + "'")
            .help = "write 'classify maps;' or 'classify linear;'";
      }
      break;
  }
}

}  // namespace

model::Options CheckOptions(const Symbols& syms, Diagnostics& diags) {
  model::Options out;
  std::map<ast::OptionKind, const ast::Option*> seen;
  for (const auto* block : syms.options) {
    for (const auto& o : block->options) {
      auto [it, fresh] = seen.emplace(o.kind, &o);
      if (!fresh) {
        diags.Error(Code::kDuplicate, o.range, "option given twice")
            .secondary.push_back({it->second->range, "first given here"});
        continue;
      }
      Apply(o, out, diags);
    }
  }
  return out;
}

}  // namespace pbrc::sema
