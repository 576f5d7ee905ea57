// The plan as a pull-request comment: a heading, the summary in bold, and the text plan in a
// ```diff block (GitHub colours its `+`/`-` lines). The fence is longer than any run of
// backticks in the plan, so nothing from a policy can close it.
#include <algorithm>

#include "pbrc/plan.h"

namespace pbrc::plan {
namespace {

size_t LongestBacktickRun(const std::string& s) {
  size_t best = 0, run = 0;
  for (char ch : s) {
    run = ch == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

// Inline code that cannot be broken out of: a longer backtick fence, padded with spaces.
std::string Code(const std::string& s) {
  std::string fence(LongestBacktickRun(s) + 1, '`');
  return fence + " " + Printable(s) + " " + fence;
}

// GitHub colours a diff line by its first byte: move an indented `+`/`-` to column 0 and
// keep the indentation after it.
std::string DiffColumns(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    size_t sign = line.find_first_not_of(' ');
    if (sign != 0 && sign != std::string::npos && (line[sign] == '+' || line[sign] == '-')) {
      char c = line[sign];
      line[sign] = ' ';
      line = c + line.substr(1);
    }
    out += line + "\n";
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

}  // namespace

std::string RenderMarkdown(const Plan& p, const RenderOptions& o) {
  RenderOptions plain = o;
  plain.color = false;
  std::string body = DiffColumns(RenderText(p, plain));
  std::string fence(std::max<size_t>(3, LongestBacktickRun(body) + 1), '`');
  std::string out = "### pbrc plan: " + Code(p.current) + " → " + Code(p.desired) + "\n\n";
  out += "**" + Summary(p) + "**\n\n";
  if (p.Empty()) return out;
  return out + fence + "diff\n" + body + fence + "\n";
}

}  // namespace pbrc::plan
