// Runs the reentrant scanner and the parser over one in-memory buffer (NUL bytes included),
// or over the text of one deferred rule.
#include <stdexcept>

// Order matters: the scanner header needs ParseContext and the parser's types.
// clang-format off
#include "parse_context.h"
#include "parser.hh"
#include "lexer.hh"
// clang-format on

namespace pbrc {
namespace {

// Scans `text` with `ctx` (whose position says where `text` starts) and parses it.
void Run(ParseContext& ctx, std::string_view text) {
  yyscan_t scanner = nullptr;
  if (pbrclex_init_extra(&ctx, &scanner) != 0) throw std::runtime_error("scanner init failed");
  YY_BUFFER_STATE buf = pbrc_scan_bytes(text.data(), static_cast<int>(text.size()), scanner);
  grammar::Parser parser(scanner, ctx);
  try {
    parser.parse();
  } catch (...) {
    pbrc_delete_buffer(buf, scanner);
    pbrclex_destroy(scanner);
    throw;
  }
  pbrc_delete_buffer(buf, scanner);
  pbrclex_destroy(scanner);
}

}  // namespace

ast::File ParseBuffer(const SourceManager& sm, Diagnostics& diags, uint32_t file_id,
                      RuleTrees rules) {
  ParseContext ctx(diags, file_id);
  ctx.rule_trees = rules;
  Run(ctx, sm.Get(file_id).text);
  return std::move(ctx.file);
}

ast::Rule ParseDeferredRule(const SourceManager& sm, const Range& where) {
  Diagnostics scanned_before;  // the first parse reported these already
  ParseContext ctx(scanned_before, where.begin.file);
  ctx.loc.begin = ctx.loc.end = where.begin;
  ctx.one_rule_pending = true;
  const std::string& text = sm.Get(where.begin.file).text;
  if (where.end.offset < where.begin.offset || where.end.offset > text.size())
    throw std::logic_error("deferred rule outside its buffer");
  Run(ctx,
      std::string_view(text).substr(where.begin.offset, where.end.offset - where.begin.offset));
  if (!ctx.one_rule) throw std::logic_error("a deferred rule no longer parses");
  return std::move(*ctx.one_rule);
}

}  // namespace pbrc
