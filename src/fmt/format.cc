// The formatter walks the tree in source order and interleaves comments: comments before an
// item go on their own lines above it, a comment on the item's last line stays at its end,
// and at most one blank line between items is kept.
#include "pbrc/fmt.h"
#include "print_syntax.h"

namespace pbrc {
namespace {

class Printer {
 public:
  Printer(const ast::File& file, const SourceFile& src) : file_(file), src_(src) {}

  std::string Run() {
    for (const auto& st : file_.statements) Statement(st);
    Flush(static_cast<uint32_t>(src_.text.size()) + 1);
    return out_;
  }

 private:
  // Emits comments that begin before `offset`, each on its own line.
  void Flush(uint32_t offset) {
    while (next_ < file_.comments.size() && file_.comments[next_].range.begin.offset < offset) {
      const auto& c = file_.comments[next_++];
      Gap(c.range.begin.offset);
      out_ += Indent() + c.text + "\n";
      last_end_ = c.range.end.offset;
    }
  }

  // A blank line when the source had one between the last thing printed and `offset`.
  void Gap(uint32_t offset) {
    if (out_.empty() || at_block_start_) {
      at_block_start_ = false;
      return;
    }
    int newlines = 0;
    for (uint32_t i = last_end_; i < offset && i < src_.text.size(); ++i) {
      if (src_.text[i] == '\n') ++newlines;
    }
    if (newlines >= 2) out_ += "\n";
  }

  std::string Indent() const { return std::string(2 * depth_, ' '); }

  void Begin(const Range& r) {
    Flush(r.begin.offset);
    Gap(r.begin.offset);
    out_ += Indent();
  }

  // Ends the item's line, keeping a same-line comment after it; comments inside the item
  // move below it.
  void End(const Range& r) {
    std::vector<const ast::Comment*> inner;
    while (next_ < file_.comments.size() &&
           file_.comments[next_].range.begin.offset < r.end.offset) {
      inner.push_back(&file_.comments[next_++]);
    }
    last_end_ = r.end.offset;
    if (next_ < file_.comments.size()) {
      const auto& c = file_.comments[next_];
      if (c.range.begin.line == r.end.line && c.range.begin.file == r.end.file &&
          c.text.find('\n') == std::string::npos) {
        out_ += "  " + c.text;
        last_end_ = c.range.end.offset;
        ++next_;
      }
    }
    out_ += "\n";
    for (const auto* c : inner) out_ += Indent() + c->text + "\n";
  }

  void Line(const Range& r, const std::string& text) {
    Begin(r);
    out_ += text;
    End(r);
  }

  void OpenBlock(const Range& r, const std::string& head) {
    Begin(r);
    out_ += head + " {\n";
    last_end_ = r.begin.offset;
    at_block_start_ = true;
    ++depth_;
  }

  void CloseBlock(const Range& r, const std::string& tail) {
    Flush(r.end.offset - 1);
    --depth_;
    at_block_start_ = false;
    out_ += Indent() + "}" + tail;
    Range end = r;
    end.begin = end.end;
    End(end);
  }

  bool HasComments(const Range& r) const {
    return next_ < file_.comments.size() && file_.comments[next_].range.begin.offset < r.end.offset;
  }

  void SetDef(const ast::SetDef& s) {
    Flush(s.range.begin.offset);
    std::string head = "set " + fmt::NameText(s.name) + " = ";
    std::string one = head + fmt::BodyInline(s.body);
    for (const auto& ex : s.excepts) one += " except " + fmt::BodyInline(ex);
    one += ";";
    bool multi = false;
    std::vector<const ast::SetBody*> bodies{&s.body};
    for (const auto& ex : s.excepts) bodies.push_back(&ex);
    for (const auto* b : bodies) multi = multi || (b->braced && HasComments(b->range));
    if (!multi && one.size() + Indent().size() <= kFmtWidth) return Line(s.range, one);
    Begin(s.range);
    out_ += head;
    for (size_t i = 0; i < bodies.size(); ++i) {
      if (i) out_ += " except ";
      Body(*bodies[i]);
    }
    out_ += ";";
    End(s.range);
  }

  // A braced body, one element a line.
  void Body(const ast::SetBody& b) {
    if (!b.braced) {
      out_ += fmt::BodyInline(b);
      return;
    }
    out_ += "{\n";
    last_end_ = b.range.begin.offset;
    at_block_start_ = true;
    ++depth_;
    for (const auto& e : b.elements) {
      Range r = ast::RangeOf(e);
      Begin(r);
      out_ += fmt::ElementText(e) + ",";
      End(r);
    }
    Flush(b.range.end.offset - 1);
    --depth_;
    at_block_start_ = false;
    out_ += Indent() + "}";
  }

  void Statement(const ast::Statement& st) {
    if (auto* imp = std::get_if<ast::Import>(&st)) {
      Line(imp->range, "import " + fmt::QuotedPolicyString(imp->path.text) + ";");
    } else if (auto* o = std::get_if<ast::OptionsBlock>(&st)) {
      OpenBlock(o->range, "options");
      for (const auto& opt : o->options) Line(opt.range, fmt::OptionText(opt));
      CloseBlock(o->range, "");
    } else if (auto* s = std::get_if<ast::SetDef>(&st)) {
      SetDef(*s);
    } else if (auto* p = std::get_if<ast::PortsDef>(&st)) {
      Line(p->range,
           "ports " + fmt::NameText(p->name) + " = " + fmt::PortItemsText(p->items) + ";");
    } else if (auto* l = std::get_if<ast::LinkDef>(&st)) {
      OpenBlock(l->range, "link " + fmt::NameText(l->name));
      for (const auto& prop : l->props) Line(prop.range, fmt::LinkPropText(prop));
      CloseBlock(l->range, "");
    } else if (auto* pol = std::get_if<ast::PolicyBlock>(&st)) {
      OpenBlock(pol->range, "policy");
      for (const auto& r : pol->rules) Line(r.range, fmt::RuleText(r));
      CloseBlock(pol->range, "");
    }
  }

  const ast::File& file_;
  const SourceFile& src_;
  std::string out_;
  size_t next_ = 0;
  uint32_t last_end_ = 0;
  int depth_ = 0;
  bool at_block_start_ = false;
};

}  // namespace

std::string Format(const ast::File& file, const SourceFile& src) {
  return Printer(file, src).Run();
}

}  // namespace pbrc
