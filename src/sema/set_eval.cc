// Set evaluation: memoized per name, cycles and chains deeper than kMaxDepth reported,
// each list file read once, `except` applied after the union (all excepts in one sweep),
// empty results reported.
#include "set_eval.h"

#include <algorithm>
#include <filesystem>

#include "addr_check.h"
#include "list_file.h"
#include "pbrc/text.h"

namespace pbrc::sema {

const model::AddrValue* SetEvaluator::Named(const std::string& name, Range use) {
  if (chain_.empty()) {
    roots_.insert(name);
  } else {
    deps_[chain_.back()].insert(name);
  }
  auto def = syms_.sets.find(name);
  if (def == syms_.sets.end()) {
    auto& d = diags_.Error(Code::kUnknownName, use, "unknown set '" + Shorten(name) + "'");
    std::string near = ClosestName(name, syms_.SetNames());
    if (!near.empty()) d.help = "did you mean '" + near + "'?";
    return nullptr;
  }
  if (auto it = named_.find(name); it != named_.end()) return it->second ? &*it->second : nullptr;
  if (!chain_.Enter(name, use, diags_)) return nullptr;
  auto value = Eval(def->second->body, def->second->excepts);
  chain_.Leave();
  if (value && value->v4.empty() && value->v6.empty()) {
    diags_.Error(Code::kEmptySet, def->second->name.range, "set '" + name + "' is empty");
    value.reset();
  }
  auto& slot = named_[name];
  slot = std::move(value);
  return slot ? &*slot : nullptr;
}

std::set<std::string> SetEvaluator::Used() const {
  std::set<std::string> used;
  std::vector<std::string> work(roots_.begin(), roots_.end());
  while (!work.empty()) {
    std::string n = work.back();
    work.pop_back();
    if (!used.insert(n).second) continue;
    if (auto it = deps_.find(n); it != deps_.end())
      work.insert(work.end(), it->second.begin(), it->second.end());
  }
  return used;
}

std::optional<model::AddrValue> SetEvaluator::Eval(const ast::SetBody& body,
                                                   const std::vector<ast::SetBody>& excepts) {
  auto value = Body(body);
  bool ok = value.has_value();
  std::vector<model::AddrValue> minus;
  for (const auto& ex : excepts) {
    auto m = Body(ex);  // every except is evaluated, to report all its errors
    if (!m) ok = false;
    if (ok) minus.push_back(std::move(*m));
  }
  if (!ok) return std::nullopt;
  if (minus.empty()) return value;
  // One sweep for all excepts: (A - B) - C == A - (B u C).
  std::vector<const std::vector<Interval>*> m4, m6;
  for (const auto& m : minus) {
    m4.push_back(&m.v4.vec());
    m6.push_back(&m.v6.vec());
  }
  return model::AddrValue{IntervalList(SubtractAll(value->v4.vec(), m4)),
                          IntervalList(SubtractAll(value->v6.vec(), m6))};
}

std::optional<model::AddrValue> SetEvaluator::Body(const ast::SetBody& body) {
  if (body.braced && body.elements.empty()) {
    diags_.Error(Code::kEmptySet, body.range, "empty set");
    return std::nullopt;
  }
  // A set or list file alone is already normalized: share it rather than copy it.
  if (body.elements.size() == 1 && (std::holds_alternative<ast::SetRef>(body.elements[0]) ||
                                    std::holds_alternative<ast::FileRef>(body.elements[0]))) {
    const model::AddrValue* v = Ref(body.elements[0]);
    if (!v) return std::nullopt;
    return *v;
  }
  Parts out;
  bool ok = true;
  for (const auto& e : body.elements) ok = Element(e, out) && ok;
  if (!ok) return std::nullopt;
  return model::AddrValue{IntervalList(Normalize(std::move(out.v4))),
                          IntervalList(Normalize(std::move(out.v6)))};
}

const model::AddrValue* SetEvaluator::Ref(const ast::Element& e) {
  if (auto* s = std::get_if<ast::SetRef>(&e)) return Named(s->name.text, s->name.range);
  return ListFile(std::get<ast::FileRef>(e));
}

bool SetEvaluator::Element(const ast::Element& e, Parts& out) {
  if (auto* p = std::get_if<ast::PrefixElem>(&e)) {
    auto pre = CheckPrefix(*p, diags_);
    if (!pre) return false;
    Interval iv = ToInterval(*pre);
    (iv.family == Family::kV4 ? out.v4 : out.v6).push_back(iv);
    return true;
  }
  if (auto* r = std::get_if<ast::RangeElem>(&e)) {
    auto iv = CheckRange(*r, diags_);
    if (!iv) return false;
    (iv->family == Family::kV4 ? out.v4 : out.v6).push_back(*iv);
    return true;
  }
  const model::AddrValue* v = Ref(e);
  if (!v) return false;
  out.v4.insert(out.v4.end(), v->v4.begin(), v->v4.end());
  out.v6.insert(out.v6.end(), v->v6.begin(), v->v6.end());
  return true;
}

const model::AddrValue* SetEvaluator::ListFile(const ast::FileRef& ref) {
  namespace fs = std::filesystem;
  const SourceFile& from = sm_.Get(ref.range.begin.file);
  fs::path p(ref.path.text);
  std::string key = p.is_absolute()
                        ? p.lexically_normal().string()
                        : (fs::path(from.path).parent_path() / p).lexically_normal().string();
  if (auto it = files_.find(key); it != files_.end()) return it->second ? &*it->second : nullptr;
  auto& slot = files_[key];
  std::string text, err;
  if (from.path.rfind("<std>", 0) == 0 || !reader_.Read(key, text, err)) {
    if (err.empty()) err = "stdlib modules cannot read files";
    diags_.Error(Code::kListFileError, ref.path.range,
                 "cannot read list file '" + ref.path.text + "': " + err);
    return nullptr;
  }
  std::string name = (fs::path(from.name).parent_path() / p).lexically_normal().string();
  uint32_t id = sm_.Add(name, key, std::move(text));
  auto value = ParseListFile(id, sm_, diags_);
  if (value && value->v4.empty() && value->v6.empty()) {
    diags_.Error(Code::kEmptySet, ref.path.range,
                 "list file '" + ref.path.text + "' has no entries");
    value.reset();
  }
  slot = std::move(value);
  return slot ? &*slot : nullptr;
}

}  // namespace pbrc::sema
