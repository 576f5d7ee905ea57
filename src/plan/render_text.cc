// The plan for people: grouped by kind, `+` add, `-` remove, `~` change, set elements as
// counts plus the first few, and the summary line last. Colour only when asked (the CLI asks
// on a terminal without NO_COLOR). Every byte from a policy is shown through Printable().
#include <algorithm>
#include <sstream>

#include "pbrc/plan.h"

namespace pbrc::plan {
namespace {

const char* kGreen = "\033[32m";
const char* kRed = "\033[31m";
const char* kYellow = "\033[33m";
const char* kReset = "\033[0m";

struct Painter {
  bool color;
  std::string operator()(const char* code, const std::string& text) const {
    return color ? code + text + kReset : text;
  }
};

const char* Sign(Op op) { return op == Op::kAdd ? "+" : op == Op::kRemove ? "-" : "~"; }
const char* Paint(Op op) { return op == Op::kAdd ? kGreen : op == Op::kRemove ? kRed : kYellow; }

std::string Elements(size_t n) { return std::to_string(n) + (n == 1 ? " element" : " elements"); }

std::string Counts(const Change& c) {
  if (c.op == Op::kAdd) return Elements(c.added.size());
  if (c.op == Op::kRemove) return Elements(c.removed.size());
  return std::to_string(c.added.size()) + " added, " + std::to_string(c.removed.size()) +
         " removed";
}

void Elements(std::ostream& os, const std::vector<Interval>& els, bool add, const RenderOptions& o,
              const Painter& paint) {
  size_t shown = o.full ? els.size() : std::min(els.size(), kFirstElements);
  for (size_t i = 0; i < shown; ++i)
    os << "      " << paint(add ? kGreen : kRed, (add ? "+ " : "- ") + FormatInterval(els[i]))
       << "\n";
  if (shown < els.size())
    os << "      ... " << els.size() - shown << " more " << (add ? "to add" : "to remove")
       << " (--full shows all)\n";
}

// A map as its key line when that changes, then the elements only one side has, like a set's.
void MapElements(std::ostream& os, const Change& c, const RenderOptions& o, const Painter& paint) {
  std::string_view was = SplitMap(c.before).header, want = SplitMap(c.after).header;
  if (c.op != Op::kAdd && was != want)
    os << "      " << paint(kRed, "- " + Printable(std::string(was))) << "\n";
  if (c.op != Op::kRemove && was != want)
    os << "      " << paint(kGreen, "+ " + Printable(std::string(want))) << "\n";
  std::vector<std::string_view> added, removed;
  MapElementDiff(c, added, removed);
  for (auto [lines, add] : {std::pair{&added, true}, std::pair{&removed, false}}) {
    size_t shown = o.full ? lines->size() : std::min(lines->size(), kFirstElements);
    for (size_t i = 0; i < shown; ++i)
      os << "      "
         << paint(add ? kGreen : kRed, (add ? "+ " : "- ") + Printable(MapElementText((*lines)[i])))
         << "\n";
    if (shown < lines->size())
      os << "      ... " << lines->size() - shown << " more " << (add ? "to add" : "to remove")
         << " (--full shows all)\n";
  }
}

std::string MapCounts(const Change& c) {
  std::vector<std::string_view> added, removed;
  MapElementDiff(c, added, removed);
  if (c.op == Op::kAdd) return Elements(added.size());
  if (c.op == Op::kRemove) return Elements(removed.size());
  return std::to_string(added.size()) + " added, " + std::to_string(removed.size()) + " removed";
}

void One(std::ostream& os, const Change& c, const RenderOptions& o, const Painter& paint) {
  // Keys that name their kind already ("rule 3 ip classify") are not prefixed twice.
  std::string kind = std::string(KindName(c.kind)) + " ";
  std::string head =
      std::string(Sign(c.op)) + " " + (c.key.starts_with(kind) ? "" : kind) + Printable(c.key);
  if (c.kind == Kind::kSet) head += ": " + Counts(c);
  if (c.kind == Kind::kMap) head += ": " + MapCounts(c);
  if (c.drift) head += " (drift)";
  os << "  " << paint(Paint(c.op), head);
  if (!c.origin.empty()) os << "  (" << Printable(c.origin) << ")";
  os << "\n";
  if (c.kind == Kind::kSet) {
    Elements(os, c.added.vec(), true, o, paint);
    Elements(os, c.removed.vec(), false, o, paint);
    return;
  }
  if (c.kind == Kind::kMap) return MapElements(os, c, o, paint);
  if (c.op != Op::kAdd && !c.before.empty())
    os << "      " << paint(kRed, "- " + Printable(c.before)) << "\n";
  if (c.op != Op::kRemove && !c.after.empty())
    os << "      " << paint(kGreen, "+ " + Printable(c.after)) << "\n";
}

}  // namespace

std::string RenderText(const Plan& p, const RenderOptions& o) {
  std::ostringstream os;
  Painter paint{o.color};
  os << "--- " << Printable(p.current) << "\n+++ " << Printable(p.desired) << "\n";
  bool first = true;
  for (size_t i = 0; i < p.changes.size(); ++i) {
    const Change& c = p.changes[i];
    if (first || p.changes[i - 1].kind != c.kind) os << "\n" << GroupTitle(c.kind) << ":\n";
    first = false;
    One(os, c, o, paint);
  }
  if (p.Empty()) os << "\nno changes\n";
  size_t drift =
      std::count_if(p.changes.begin(), p.changes.end(), [](const Change& c) { return c.drift; });
  if (drift) os << "\ndrift: " << drift << " of these undo changes made by hand\n";
  if (!p.warnings.empty()) os << "\nwarnings (pbrc leaves these alone):\n";
  for (const auto& w : p.warnings) os << "  ! " << Printable(w) << "\n";
  os << "\n" << Summary(p) << "\n";
  return os.str();
}

}  // namespace pbrc::plan
