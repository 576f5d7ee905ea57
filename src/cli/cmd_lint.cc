// pbrc lint POLICY...: check, then the analysis findings (shadowed rules, overlaps, rules
// without effect, the router's own traffic, values other software uses; with --live the
// running system's collisions), as text, JSON, SARIF or GitHub workflow commands.
// Exit 0 no errors (warnings allowed), 1 errors in a policy or a denied finding, 3 usage or
// system failure.
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <set>

#include "../live/live.h"
#include "commands.h"
#include "common.h"
#include "lint_formats.h"
#include "pbrc/analysis.h"
#include "pbrc/render_escape.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

struct LintArgs {
  std::string format;
  std::vector<std::string> deny, allow;
  std::string netns;
  bool live = false;
};

po::options_description LintOptions(LintArgs& a) {
  po::options_description desc(
      "pbrc lint [--format text|json|sarif|github] [--deny warnings|CODE]... [--allow CODE]... "
      "[--live [--netns NAME]] POLICY...");
  desc.add_options()("help,h", "show this help")(
      "format", po::value<std::string>(&a.format)->default_value("text"),
      "text (stderr), json, sarif (2.1.0) or github (workflow commands), on stdout")(
      "deny", po::value<std::vector<std::string>>(&a.deny),
      "'warnings' or a code (W0901): report it as an error, exit 1")(
      "allow", po::value<std::vector<std::string>>(&a.allow), "a code: do not report it")(
      "live", po::bool_switch(&a.live),
      "also check the running system (root): other nft tables writing pbrc's mark bits, "
      "foreign ip rules in pbrc's band, foreign routes in pbrc's tables")(
      "netns", po::value<std::string>(&a.netns), "with --live: the network namespace");
  return desc;
}

bool KnownCode(const std::string& id) {
  const auto& c = Catalog();
  return std::any_of(c.begin(), c.end(), [&](const CodeInfo& i) { return id == i.id; });
}

// The running system's collisions: nft rules of other tables writing pbrc's mark bits
// (W0905), foreign ip rules in pbrc's band (W0906), foreign routes in pbrc's tables (W0907).
bool LiveFindings(const ir::Program& p, const std::string& netns, Diagnostics& diags) {
  std::string err;
  if (!netns.empty() && !live::EnterNetns(netns, err)) {
    std::cerr << "pbrc lint: " << EscapeMessage(err) << "\n";
    return false;
  }
  live::Ownership own{p.opts.protocol, p.opts.pref_lo, p.opts.pref_hi, {}};
  for (const auto& t : p.targets) {
    if (t.kind != ir::TargetKind::kMain) own.tables.push_back(t.table);
  }
  std::vector<std::string> marks, rules, routes;
  plan::State ignored;
  if (!live::WarnMarkWriters(p.opts.nft_table, p.opts.mark_mask, marks, err) ||
      !live::ReadIpRules(own, ignored, rules, err) ||
      !live::ReadRoutes(own, ignored, routes, err)) {
    std::cerr << "pbrc lint: " << EscapeMessage(err) << "\n";
    return false;
  }
  for (const auto& w : marks) diags.WarningNoRange(Code::kMarkCollision, "running system: " + w);
  for (const auto& w : rules) {
    diags.WarningNoRange(Code::kPreferenceCollision, "running system: " + w);
  }
  for (const auto& w : routes) diags.WarningNoRange(Code::kTableCollision, "running system: " + w);
  return true;
}

// Applies --allow and --deny: allowed codes are dropped, denied ones become errors.
std::vector<Diagnostic> Filter(std::vector<Diagnostic> list, const LintArgs& a, bool& denied) {
  std::set<std::string> allow(a.allow.begin(), a.allow.end());
  std::set<std::string> deny(a.deny.begin(), a.deny.end());
  std::vector<Diagnostic> out;
  for (auto& d : list) {
    std::string id = Info(d.code).id;
    if (allow.count(id) && d.severity != Severity::kError) continue;
    if (d.severity == Severity::kWarning && (deny.count("warnings") || deny.count(id))) {
      d.severity = Severity::kError;
    }
    denied |= d.severity == Severity::kError;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

void HelpLint() {
  LintArgs a;
  std::cout << LintOptions(a)
            << "\nChecks each policy like 'pbrc check', then reports what the analysis model "
               "finds (W0901-W0907, see docs/lint.md). A rule's line may silence one code "
               "with a comment: '# pbrc: allow W0902'.\nExit 0 no errors (warnings do not "
               "count unless denied), 1 errors or denied findings, 3 usage or system "
               "failure.\n";
}

int RunLint(const std::vector<std::string>& args) {
  LintArgs a;
  std::vector<std::string> files;
  switch (ParseArgs("lint", args, LintOptions(a), files)) {
    case Args::kError:
      return kFailure;
    case Args::kHelp:
      HelpLint();
      return kOk;
    case Args::kOk:
      break;
  }
  std::string usage;
  if (files.empty()) usage = "no input files";
  const std::set<std::string> formats = {"text", "json", "sarif", "github"};
  if (!formats.count(a.format)) usage = "--format is text, json, sarif or github";
  for (const auto& c : a.deny) {
    if (c != "warnings" && !KnownCode(c)) usage = "--deny takes 'warnings' or a code";
  }
  for (const auto& c : a.allow) {
    if (!KnownCode(c)) usage = "--allow takes a code, e.g. W0902";
  }
  if (!a.netns.empty() && !a.live) usage = "--netns needs --live";
  if (a.live && files.size() != 1) usage = "--live checks one policy";
  if (!usage.empty()) {
    std::cerr << "pbrc lint: " << EscapeMessage(usage) << "\n";
    return kFailure;
  }
  if (a.live && geteuid() != 0) {
    std::cerr << "pbrc lint: --live reads the kernel's ruleset, rules and routes and needs root\n";
    return kFailure;
  }
  int rc = kOk;
  nlohmann::ordered_json json = nlohmann::ordered_json::array(), sarif = json;
  StdinReader reader;
  for (const auto& f : files) {
    auto c = Compile(f == "-" ? kStdinName : f, reader);
    if (c->ir) analysis::Lint(*c->ir, c->sm, c->diags);
    if (c->ir && a.live && !LiveFindings(*c->ir, a.netns, c->diags)) return kFailure;
    bool denied = false;
    auto list = Filter(c->diags.Sorted(), a, denied);
    if (c->read_failed) rc = kFailure;
    if (denied && rc == kOk) rc = kInputErrors;
    if (a.format == "text") {
      if (!list.empty()) std::cerr << RenderText(list, c->sm, RenderOptions{});
    } else if (a.format == "json") {
      for (auto& d : nlohmann::ordered_json::parse(RenderJson(list, c->sm))) json.push_back(d);
    } else if (a.format == "sarif") {
      AppendSarifResults(list, c->sm, sarif);
    } else {
      std::cout << RenderGithub(list, c->sm);
    }
  }
  if (a.format == "json") std::cout << json.dump(2) << "\n";
  if (a.format == "sarif") std::cout << SarifLog(std::move(sarif)).dump(2) << "\n";
  return rc;
}

}  // namespace pbrc::cli
