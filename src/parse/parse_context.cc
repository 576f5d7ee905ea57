// Scanner and parser callbacks: token positions, comments kept for fmt, numbers checked for
// 64-bit overflow, strings unescaped and checked for UTF-8, bad bytes reported in runs, and
// syntax errors rendered with quoted tokens.
#include "parse_context.h"

#include <cstdio>
#include <new>
#include <stdexcept>

#include "pbrc/syntax.h"

namespace pbrc {

void ScannerFatal(const char* msg) {
  // Flex's only fatal errors are failed allocations: report them as running out of memory.
  if (std::string_view(msg).find("memory") != std::string_view::npos) throw std::bad_alloc();
  throw std::runtime_error(std::string("scanner: ") + msg);
}

// Strict (no surrogates, no overlong forms): what the JSON artifact's readers accept.
bool ValidUtf8(std::string_view s) { return syntax::ValidUtf8(s); }

void ParseContext::AddRule(ast::PolicyBlock& block, ast::Rule&& rule) {
  if (rule_trees == RuleTrees::kDefer) {
    block.deferred.push_back(rule.range);
  } else {
    block.rules.push_back(std::move(rule));
  }
}

void ParseContext::Step(const char* text, size_t len) {
  loc.begin = loc.end;
  Advance(loc.end, std::string_view(text, len));
  last_text.assign(text, std::min<size_t>(len, 40));
}

void ParseContext::AddComment(const char* text, size_t len) {
  std::string_view t(text, len);
  // Trailing blanks and carriage returns mean nothing; dropping them all keeps fmt idempotent.
  while (!t.empty() && (t.back() == '\r' || t.back() == ' ' || t.back() == '\t'))
    t.remove_suffix(1);
  if (!ValidUtf8(t)) {
    diags.Error(Code::kInvalidCharacter, loc, "invalid UTF-8 in comment");
  }
  file.comments.push_back(ast::Comment{std::string(t), loc});
}

void ParseContext::StartBlockComment(const char* text, size_t len) {
  comment_loc = loc;
  comment_text.assign(text, len);
}

void ParseContext::ContinueBlockComment(const char* text, size_t len) {
  comment_text.append(text, len);
  comment_loc.end = loc.end;
}

void ParseContext::EndBlockComment() {
  if (!ValidUtf8(comment_text)) {
    diags.Error(Code::kInvalidCharacter, comment_loc, "invalid UTF-8 in comment");
  }
  file.comments.push_back(ast::Comment{std::move(comment_text), comment_loc});
  comment_text.clear();
}

void ParseContext::UnterminatedBlockComment() {
  Range start = comment_loc;
  start.end = start.begin;
  start.end.col += 2;
  start.end.offset += 2;
  diags.Error(Code::kUnterminatedComment, start, "unterminated comment").help =
      "close it with '*/'";
  comment_text.clear();
}

ast::Number ParseContext::MakeNumber(const char* text, size_t len, int base) {
  ast::Number n;
  n.text.assign(text, len);
  n.range = loc;
  std::string_view digits(text, len);
  if (base == 16) digits.remove_prefix(2);
  unsigned __int128 v = 0;
  for (char c : digits) {
    int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = v * base + d;
    if (v > UINT64_MAX) {
      diags.Error(Code::kNumberTooLarge, loc, "number '" + n.text.substr(0, 40) + "' is too large");
      n.valid = false;
      return n;
    }
  }
  n.value = static_cast<uint64_t>(v);
  return n;
}

ast::Number ParseContext::BadNumber(const char* text, size_t len) {
  ast::Number n;
  n.text.assign(text, len);
  n.range = loc;
  n.valid = false;
  diags.Error(Code::kInvalidNumber, loc,
              "invalid number or address '" + n.text.substr(0, 40) + "'");
  return n;
}

std::string ParseContext::Ident(const char* text, size_t len) { return std::string(text, len); }

std::string ParseContext::String(const char* text, size_t len, bool terminated) {
  std::string_view raw(text, len);
  raw.remove_prefix(1);
  if (terminated) raw.remove_suffix(1);
  if (!terminated) {
    Range r = loc;
    diags.Error(Code::kUnterminatedString, r, "unterminated string").help =
        "close the string with '\"' on the same line";
  }
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
    out.push_back(raw[i]);
  }
  if (!ValidUtf8(out)) diags.Error(Code::kInvalidCharacter, loc, "invalid UTF-8 in string");
  ControlBytes(raw);
  return out;
}

void ParseContext::ByteOrderMark(const char* text, size_t len) {
  if (loc.begin.offset != 0) {
    InvalidBytes(text, len);
    return;
  }
  // Editors draw the mark as nothing, so columns on line 1 are counted after it.
  loc.end.col = 1;
}

// Strings become names and paths that end up in artifacts run as root; a NUL or an escape
// byte there has no use and would be cut, hidden or rejected later. Points at the first one.
void ParseContext::ControlBytes(std::string_view raw) {
  for (size_t i = 0; i < raw.size(); ++i) {
    auto c = static_cast<unsigned char>(raw[i]);
    if (c >= 0x20 && c != 0x7f) continue;
    Range r = loc;
    r.begin.col += static_cast<uint32_t>(i + 1);
    r.begin.offset += static_cast<uint32_t>(i + 1);
    r.end = r.begin;
    r.end.col += 1;
    r.end.offset += 1;
    char buf[8];
    snprintf(buf, sizeof buf, "0x%02x", c);
    diags.Error(Code::kControlInString, r, std::string("control byte ") + buf + " in a string")
        .help = "names and paths cannot hold control bytes; remove it";
    return;
  }
}

void ParseContext::InvalidBytes(const char* text, size_t len) {
  auto c = static_cast<unsigned char>(text[0]);
  std::string what;
  if (len == 1 && c >= 0x21 && c < 0x7f) {
    what = std::string("unexpected character '") + static_cast<char>(c) + "'";
  } else if (c >= 0x80 && ValidUtf8(std::string_view(text, len))) {
    what = "non-ASCII text outside a string or comment";
  } else {
    char buf[8];
    snprintf(buf, sizeof buf, "0x%02x", c);
    what = len == 1 ? std::string("invalid byte ") + buf
                    : std::to_string(len) + " invalid bytes starting with " + buf;
  }
  diags.Error(Code::kInvalidCharacter, loc, what);
}

namespace {

// Token names that are words for a kind of token, not the token's own text.
bool IsCategory(const std::string& name) {
  return name == "identifier" || name == "string" || name == "number" || name == "IP address" ||
         name == "end of file";
}

std::string Describe(const std::string& name) { return IsCategory(name) ? name : "'" + name + "'"; }

}  // namespace

void ParseContext::SyntaxError(const Range& where, const std::string& unexpected,
                               const std::vector<std::string>& expected) {
  if (unexpected == "memory exhausted") {
    diags.Error(Code::kSyntax, where, "input nested too deeply");
    return;
  }
  std::string msg = unexpected.empty() ? "syntax error" : "unexpected " + Describe(unexpected);
  if (unexpected == "identifier" || unexpected == "number" || unexpected == "IP address") {
    msg += " '" + last_text + "'";
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    msg += (i == 0 ? ", expecting " : " or ") + Describe(expected[i]);
  }
  diags.Error(Code::kSyntax, where, msg);
}

}  // namespace pbrc
