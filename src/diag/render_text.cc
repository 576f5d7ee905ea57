// Renders diagnostics for people:
//   policy.pbr:12:9: error[E0203]: host bits set in prefix '10.0.0.1/8'
//      |
//   12 |   from 10.0.0.1/8 via wan1;
//      |        ^^^^^^^^^^
//      = help: use '10.0.0.0/8'
#include <algorithm>
#include <sstream>

#include "pbrc/diagnostics.h"
#include "pbrc/render_escape.h"

namespace pbrc {
namespace {

struct Style {
  bool on;
  std::string bold() const { return on ? "\033[1m" : ""; }
  std::string red() const { return on ? "\033[1;31m" : ""; }
  std::string yellow() const { return on ? "\033[1;33m" : ""; }
  std::string blue() const { return on ? "\033[1;34m" : ""; }
  std::string reset() const { return on ? "\033[0m" : ""; }
};

const char* SeverityWord(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

// Printable copy of a source line: tabs and control bytes (C1 controls too, which are two
// bytes in UTF-8) become one space a byte so that carets stay aligned with byte columns.
std::string Printable(std::string_view line) {
  std::string out(line.substr(0, std::min<size_t>(line.size(), 400)));
  for (size_t i = 0; i < out.size(); ++i) {
    auto u = static_cast<unsigned char>(out[i]);
    if (u == 0xc2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) < 0xa0 &&
        static_cast<unsigned char>(out[i + 1]) >= 0x80) {
      out[i] = out[i + 1] = ' ';
    } else if (u < 0x20 || u == 0x7f) {
      out[i] = ' ';
    }
  }
  return out;
}

void Snippet(std::ostringstream& os, const SourceManager& sm, const Range& r, char mark,
             const std::string& label, const Style& st, size_t gutter) {
  std::string_view line = sm.Line(r.begin.file, r.begin.line);
  std::string num = std::to_string(r.begin.line);
  std::string pad(gutter, ' ');
  os << st.blue() << std::string(gutter - num.size(), ' ') << num << " | " << st.reset()
     << Printable(line) << "\n";
  size_t start = r.begin.col - 1;
  size_t end =
      (r.end.line == r.begin.line && r.end.col > r.begin.col) ? r.end.col - 1 : line.size();
  if (end <= start) end = start + 1;
  start = std::min<size_t>(start, 400);
  end = std::min<size_t>(std::max(end, start + 1), 401);
  os << st.blue() << pad << " | " << st.reset() << std::string(start, ' ')
     << (mark == '^' ? st.red() : st.blue()) << std::string(end - start, mark);
  if (!label.empty()) os << " " << EscapeMessage(label);
  os << st.reset() << "\n";
}

}  // namespace

std::string RenderText(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                       const RenderOptions& opts) {
  Style st{opts.color};
  std::ostringstream os;
  for (const auto& d : diags) {
    const CodeInfo& info = Info(d.code);
    size_t gutter = 1;
    if (d.has_range) {
      const SourceFile& f = sm.Get(d.primary.begin.file);
      os << st.bold() << EscapeName(f.name) << ":" << d.primary.begin.line << ":"
         << d.primary.begin.col << ": " << st.reset();
      gutter = std::to_string(d.primary.begin.line).size();
      for (const auto& l : d.secondary) {
        gutter = std::max(gutter, std::to_string(l.range.begin.line).size());
      }
    }
    os << (d.severity == Severity::kError ? st.red() : st.yellow()) << SeverityWord(d.severity)
       << "[" << info.id << "]" << st.reset() << st.bold() << ": " << EscapeMessage(d.message)
       << st.reset() << "\n";
    if (d.has_range) {
      Snippet(os, sm, d.primary, '^', "", st, gutter);
      for (const auto& l : d.secondary) {
        if (l.range.begin.file != d.primary.begin.file) {
          const SourceFile& f = sm.Get(l.range.begin.file);
          os << std::string(gutter, ' ') << st.blue() << "--> " << st.reset() << EscapeName(f.name)
             << ":" << l.range.begin.line << ":" << l.range.begin.col << "\n";
        }
        Snippet(os, sm, l.range, '-', l.text, st, gutter);
      }
    }
    std::string indent = d.has_range ? std::string(gutter, ' ') + " " : "  ";
    for (const auto& n : d.notes) os << indent << "= note: " << EscapeMessage(n) << "\n";
    if (d.help) os << indent << "= help: " << EscapeMessage(*d.help) << "\n";
  }
  return os.str();
}

}  // namespace pbrc
