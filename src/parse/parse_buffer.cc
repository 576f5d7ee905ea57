// Runs the reentrant scanner and the parser over one in-memory buffer (NUL bytes included).
#include <stdexcept>

// Order matters: the scanner header needs ParseContext and the parser's types.
// clang-format off
#include "parse_context.h"
#include "parser.hh"
#include "lexer.hh"
// clang-format on

namespace pbrc {

ast::File ParseBuffer(const SourceManager& sm, Diagnostics& diags, uint32_t file_id) {
  ParseContext ctx(diags, file_id);
  const std::string& text = sm.Get(file_id).text;
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
  return std::move(ctx.file);
}

}  // namespace pbrc
