// Matching two states by identity: one ordered merge over (kind, key). Set elements are
// compared as normalized intervals, so a set listed split or joined is not a change.
#include <algorithm>
#include <tuple>

#include "pbrc/plan.h"

namespace pbrc::plan {
namespace {

// The digit run starting at i, without leading zeros.
std::string_view DigitRun(const std::string& s, size_t& i) {
  size_t start = i;
  while (i < s.size() && isdigit(static_cast<unsigned char>(s[i]))) ++i;
  size_t nz = start;
  while (nz + 1 < i && s[nz] == '0') ++nz;
  return std::string_view(s).substr(nz, i - nz);
}

bool ObjectLess(const Object& a, const Object& b) {
  if (a.kind != b.kind) return a.kind < b.kind;
  if (a.key != b.key) return NaturalLess(a.key, b.key);
  return std::tie(a.attrs, a.origin) < std::tie(b.attrs, b.origin);
}

int Compare(const Object& a, const Object& b) {
  if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.key == b.key) return 0;
  return NaturalLess(a.key, b.key) ? -1 : 1;
}

Change Added(const Object& o) {
  return {Op::kAdd, o.kind, o.key, "", o.attrs, o.origin, o.elements, {}};
}

Change Removed(const Object& o) {
  return {Op::kRemove, o.kind, o.key, o.attrs, "", o.origin, {}, o.elements};
}

}  // namespace

bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = isdigit(static_cast<unsigned char>(a[i]));
    bool db = isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      std::string_view x = DigitRun(a, i), y = DigitRun(b, j);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i, ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // equal in natural order ("01" vs "1"): any strict order will do
}

void SortState(State& s) {
  std::sort(s.objects.begin(), s.objects.end(), ObjectLess);
  for (size_t i = 1, run = 1; i < s.objects.size(); ++i) {
    const Object& prev = s.objects[i - 1];
    bool same = prev.kind == s.objects[i].kind && prev.key == s.objects[i].key;
    run = same ? run + 1 : 1;
    if (same) s.objects[i].key += " #" + std::to_string(run);
  }
}

size_t Plan::Count(Op op) const {
  return std::count_if(changes.begin(), changes.end(),
                       [op](const Change& c) { return c.op == op; });
}

Plan Diff(const State& desired, const State& current) {
  Plan plan;
  const auto& d = desired.objects;
  const auto& c = current.objects;
  size_t i = 0, j = 0;
  while (i < d.size() || j < c.size()) {
    int cmp = i == d.size() ? 1 : j == c.size() ? -1 : Compare(d[i], c[j]);
    if (cmp < 0) {
      plan.changes.push_back(Added(d[i++]));
    } else if (cmp > 0) {
      plan.changes.push_back(Removed(c[j++]));
    } else {
      const Object& want = d[i++];
      const Object& have = c[j++];
      Change ch{Op::kChange, want.kind, want.key, have.attrs, want.attrs, want.origin, {}, {}};
      if (!want.elements.SameStorage(have.elements)) {
        ch.added = IntervalList(Subtract(want.elements.vec(), have.elements.vec()));
        ch.removed = IntervalList(Subtract(have.elements.vec(), want.elements.vec()));
      }
      if (want.attrs != have.attrs || !ch.added.empty() || !ch.removed.empty())
        plan.changes.push_back(std::move(ch));
    }
  }
  return plan;
}

std::string Summary(const Plan& p) {
  return "plan: " + std::to_string(p.Count(Op::kAdd)) + " to add, " +
         std::to_string(p.Count(Op::kChange)) + " to change, " +
         std::to_string(p.Count(Op::kRemove)) + " to remove";
}

const char* KindName(Kind k) {
  static const char* kNames[] = {"table", "set", "chain",  "rule", "ip-rule",
                                 "route", "nat", "sysctl", "map"};
  return kNames[static_cast<int>(k)];
}

const char* GroupTitle(Kind k) {
  static const char* kTitles[] = {"table",  "sets", "chains",  "rules", "ip rules",
                                  "routes", "nat",  "sysctls", "maps"};
  return kTitles[static_cast<int>(k)];
}

const char* OpName(Op op) {
  static const char* kNames[] = {"add", "change", "remove"};
  return kNames[static_cast<int>(op)];
}

std::string Printable(const std::string& s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : s) {
    if (ch < 0x20 || ch == 0x7f) {
      out += "\\x";
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    } else {
      out.push_back(static_cast<char>(ch));
    }
  }
  return out;
}

}  // namespace pbrc::plan
