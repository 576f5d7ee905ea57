// State shared by the scanner and the parser of one buffer. Grammar actions stay short and
// call into this; it turns lexical problems into diagnostics and never stops the scan.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pbrc/ast.h"
#include "pbrc/diagnostics.h"
#include "pbrc/parse.h"
#include "pbrc/source.h"

namespace pbrc {

[[noreturn]] void ScannerFatal(const char* msg);

struct ParseContext {
  ParseContext(Diagnostics& d, uint32_t file_id) : diags(d) {
    file.file_id = file_id;
    loc.begin.file = loc.end.file = file_id;
  }

  Diagnostics& diags;
  ast::File file;
  RuleTrees rule_trees = RuleTrees::kKeep;
  bool one_rule_pending = false;      // ParseDeferredRule: the next token is ONE_RULE
  std::optional<ast::Rule> one_rule;  // ... and the rule it parsed
  Range loc;                          // range of the current token
  std::string last_text;              // text of the current token, for syntax errors
  Range comment_loc;                  // start of an open block comment
  std::string comment_text;

  // A parsed policy rule: its tree into the block, or only its range (RuleTrees::kDefer).
  void AddRule(ast::PolicyBlock& block, ast::Rule&& rule);
  void Step(const char* text, size_t len);
  void AddComment(const char* text, size_t len);
  void StartBlockComment(const char* text, size_t len);
  void ContinueBlockComment(const char* text, size_t len);
  void EndBlockComment();
  void UnterminatedBlockComment();
  ast::Number MakeNumber(const char* text, size_t len, int base);
  ast::Number BadNumber(const char* text, size_t len);
  std::string Ident(const char* text, size_t len);
  std::string String(const char* text, size_t len, bool terminated);
  void ControlBytes(std::string_view raw);
  void InvalidBytes(const char* text, size_t len);
  // A UTF-8 byte order mark: ignored at the start of the buffer, invalid anywhere else.
  void ByteOrderMark(const char* text, size_t len);
  // `unexpected` and `expected` are bison's token names; an empty list means too many.
  void SyntaxError(const Range& where, const std::string& unexpected,
                   const std::vector<std::string>& expected);
};

// True when `s` is valid UTF-8.
bool ValidUtf8(std::string_view s);

}  // namespace pbrc
