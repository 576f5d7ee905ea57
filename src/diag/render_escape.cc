// Escaping for rendered messages: one pass over UTF-8 characters, so cuts never split one.
#include "pbrc/render_escape.h"

#include <cstdio>

namespace pbrc {
namespace {

// Length of the valid UTF-8 character at s[i], or 0 when the byte there does not start one.
size_t CharLen(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80                 ? 1
               : c >= 0xc2 && c <= 0xdf ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  // Overlong 3- and 4-byte forms, surrogates and code points past U+10FFFF.
  auto c1 = static_cast<unsigned char>(s[i + 1 < s.size() ? i + 1 : i]);
  if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
      (c == 0xf4 && c1 >= 0x90))
    return 0;
  return len;
}

// True for characters a terminal may act on: C0 controls, DEL and C1 controls (U+0080-U+009F).
bool IsControl(std::string_view ch) {
  auto c = static_cast<unsigned char>(ch[0]);
  if (ch.size() == 1) return c < 0x20 || c == 0x7f;
  return ch.size() == 2 && c == 0xc2 && static_cast<unsigned char>(ch[1]) < 0xa0;
}

void AppendHex(std::string& out, std::string_view bytes) {
  for (char b : bytes) {
    char buf[8];
    snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(b));
    out += buf;
  }
}

std::string Escape(std::string_view text, bool cap) {
  std::string out;
  bool quoted = false;
  size_t in_quote = 0;  // bytes of the current quoted part kept so far
  bool cut = false;     // skipping the rest of a long quoted part
  for (size_t i = 0; i < text.size();) {
    size_t len = CharLen(text, i);
    std::string_view ch = text.substr(i, len ? len : 1);
    i += ch.size();
    if (cap && ch == "'") {
      quoted = !quoted;
      in_quote = 0;
      cut = false;
    } else if (cap && quoted) {
      if (cut) continue;
      if (in_quote + ch.size() > kMaxEchoedName) {
        out += "…";
        cut = true;
        continue;
      }
      in_quote += ch.size();
    }
    if (cap && out.size() + ch.size() > kMaxMessage) {
      out += "…";
      break;
    }
    if (len == 0 || IsControl(ch)) {
      AppendHex(out, ch);
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::string EscapeMessage(std::string_view text) { return Escape(text, true); }

std::string EscapeName(std::string_view name) { return Escape(name, false); }

}  // namespace pbrc
