// Escaping for rendered messages: one pass over UTF-8 characters, so cuts never split one.
#include "pbrc/render_escape.h"

#include <cstdio>

#include "pbrc/syntax.h"

namespace pbrc {
namespace {

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
    size_t len = syntax::Utf8Length(text, i);
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
