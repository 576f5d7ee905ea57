// What a message may put on a terminal or into JSON: names from a policy are hostile (a 10 MB
// identifier, terminal escapes in a string), so every renderer passes text through here.
#pragma once

#include <string>
#include <string_view>

namespace pbrc {

// Longest quoted name echoed in a message, in bytes; longer ones end in "…".
constexpr size_t kMaxEchoedName = 64;
// Longest message, note or help line, in bytes (a backstop for unquoted names).
constexpr size_t kMaxMessage = 1024;

// `text` with control bytes (C0, DEL, C1) and invalid UTF-8 shown as `\xNN`, every '...'-quoted
// part cut to kMaxEchoedName bytes and the whole to kMaxMessage bytes (never inside a character).
std::string EscapeMessage(std::string_view text);

// A file name for a message: control bytes and invalid UTF-8 as `\xNN`, not shortened.
std::string EscapeName(std::string_view name);

}  // namespace pbrc
