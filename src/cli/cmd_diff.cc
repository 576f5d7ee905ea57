// pbrc diff OLD NEW: the plan between two policies or `compile -o` folders (either side may
// be either), with no root and no kernel (code review in CI). pbrc diff POLICY [--netns NAME]: the
// plan against what the kernel holds. Exit 0 no changes, 2 changes pending, 1 errors in a policy, 3
// usage or system failure. Diagnostics and system failures go to stderr, the plan to stdout.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "../live/live.h"
#include "apply_session.h"
#include "artifact_folder.h"
#include "commands.h"
#include "common.h"
#include "pbrc/apply.h"
#include "pbrc/live.h"
#include "pbrc/plan.h"
#include "pbrc/render_escape.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

struct DiffArgs {
  std::string format;
  std::string netns;
  std::string applied;
  std::string state_dir;
  bool full = false;
};

po::options_description DiffOptions(DiffArgs& a) {
  po::options_description desc(
      "pbrc diff [--format text|json|markdown] [--full] OLD NEW\n"
      "pbrc diff [--format text|json|markdown] [--full] [--netns NAME] POLICY");
  desc.add_options()("help,h", "show this help")(
      "netns", po::value<std::string>(&a.netns),
      "read the kernel inside the named network namespace (/run/netns/NAME)")(
      "applied", po::value<std::string>(&a.applied),
      "the policy last applied: differences from it in the kernel are shown as drift")(
      "state-dir", po::value<std::string>(&a.state_dir)->default_value(apply::kDefaultStateDir),
      "without --applied, the policy last applied is the one `pbrc apply` recorded here")(
      "format", po::value<std::string>(&a.format)->default_value("text"),
      "the plan as text, json (schema pbrc-plan/1) or markdown")(
      "full", po::bool_switch(&a.full), "list every set element that changes, not the first few");
  return desc;
}

// Compiles one policy; nullopt after reporting why (rc says how it failed).
std::optional<ir::Program> Load(const std::string& file, int& rc) {
  auto c = Compile(file, DiskReader());
  Report(c->diags, c->sm, CommonOptions{});
  if (c->read_failed) {
    rc = kFailure;
  } else if (!c->ir) {
    rc = std::max<int>(rc, kInputErrors);
  } else {
    return std::move(*c->ir);
  }
  return std::nullopt;
}

// The plan against the kernel; nullopt after printing the system failure.
std::optional<plan::Plan> LivePlan(const ir::Program& p, const ir::Program* applied,
                                   const DiffArgs& a) {
  if (geteuid() != 0) {
    std::cerr << "pbrc diff: reading the kernel's nft table, rules and routes needs root\n";
    return std::nullopt;
  }
  plan::Plan plan;
  std::string err;
  if (!live::ReadLivePlan(p, applied, a.netns, plan, err)) {
    std::cerr << "pbrc diff: " << err << "\n";
    return std::nullopt;
  }
  plan.current = a.netns.empty() ? "kernel" : "kernel (netns " + a.netns + ")";
  return plan;
}

// One side of `diff OLD NEW` when either is a `compile -o` folder: the folder's set, or the
// policy's artifacts rendered in memory, read back the same way (live::ArtifactState).
std::optional<plan::State> ArtifactSide(const std::string& file, int& rc) {
  live::ArtifactTexts t;
  std::string err;
  if (std::filesystem::is_directory(file)) {
    if (!ReadArtifactFolder(file, t, err)) {
      std::cerr << "pbrc diff: " << err << "\n";
      rc = kFailure;
      return std::nullopt;
    }
  } else if (auto p = Load(file, rc)) {
    t = live::RenderArtifacts(*p);
  } else {
    return std::nullopt;
  }
  plan::State s;
  if (!live::ArtifactState(t, s, err)) {
    std::cerr << "pbrc diff: '" << EscapeName(file) << "': " << err << "\n";
    rc = kFailure;
    return std::nullopt;
  }
  return s;
}

// `diff OLD NEW` with a folder on either side; nullopt after reporting why (rc says how).
std::optional<plan::Plan> ArtifactPlan(const std::vector<std::string>& files, int& rc) {
  auto current = ArtifactSide(files[0], rc);
  auto desired = ArtifactSide(files[1], rc);
  if (!current || !desired) return std::nullopt;
  live::AlignArtifactRules(*desired, *current);
  return plan::Diff(*desired, *current);
}

// The policy `pbrc apply` last recorded for this policy's table, compiled again from its
// sources; nullopt when there is none (no drift marked), with a warning when unreadable.
std::optional<ir::Program> Recorded(const ir::Program& p, const DiffArgs& a) {
  apply::Target t{a.state_dir, p.opts.nft_table, a.netns};
  std::string err;
  auto gen = apply::CurrentGeneration(t, err);
  std::optional<ir::Program> out;
  if (gen) out = CompileSources(gen->sources, err);
  if (!err.empty())
    std::cerr << "pbrc diff: warning: no drift shown: " << EscapeMessage(err) << "\n";
  return out;
}

bool UseColour() {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

}  // namespace

void HelpDiff() {
  DiffArgs a;
  std::cout << DiffOptions(a)
            << "\nPrints what changes when the policy OLD is replaced by NEW, or when POLICY is "
               "applied to the running kernel (root): sets (elements as intervals), rules, ip "
               "rules, routes, NAT and sysctls, then 'plan: N to add, N to change, N to "
               "remove'.\nExit 0 no changes, 2 changes pending, 1 errors in a policy, 3 usage "
               "or system failure.\n";
}

int RunDiff(const std::vector<std::string>& args) {
  DiffArgs a;
  std::vector<std::string> files;
  if (auto rc = ParseOrHelp("diff", args, DiffOptions(a), files, HelpDiff)) return *rc;
  if (a.format != "text" && a.format != "json" && a.format != "markdown") {
    std::cerr << "pbrc diff: --format is text, json or markdown\n";
    return kFailure;
  }
  bool live = files.size() == 1;
  if (files.empty() || files.size() > 2 || (!live && (!a.netns.empty() || !a.applied.empty()))) {
    std::cerr << "pbrc diff: give OLD and NEW policy files, or one POLICY (with --netns, "
                 "--applied)\n";
    return kFailure;
  }
  int rc = kOk;
  plan::Plan p;
  namespace fs = std::filesystem;
  if (files.size() == 2 && (fs::is_directory(files[0]) || fs::is_directory(files[1]))) {
    auto ap = ArtifactPlan(files, rc);
    if (!ap) return rc;
    p = std::move(*ap);
    p.current = files[0];
  } else {
    std::vector<std::optional<ir::Program>> progs;
    for (const auto& f : files) progs.push_back(Load(f, rc));
    if (!a.applied.empty()) progs.push_back(Load(a.applied, rc));
    for (const auto& prog : progs)
      if (!prog) return rc;
    if (live && a.applied.empty()) progs.push_back(Recorded(*progs[0], a));
    if (files.size() == 2) {
      p = plan::DiffPolicies(*progs[1], *progs[0]);
      p.current = files[0];
    } else if (auto lp =
                   LivePlan(*progs[0], progs.size() > 1 && progs[1] ? &*progs[1] : nullptr, a)) {
      p = std::move(*lp);
    } else {
      return kFailure;
    }
  }
  p.desired = files.back();
  plan::RenderOptions ro{UseColour(), a.full};
  if (a.format == "json") {
    std::cout << plan::RenderJson(p, ro);
  } else if (a.format == "markdown") {
    std::cout << plan::RenderMarkdown(p, ro);
  } else {
    std::cout << plan::RenderText(p, ro);
  }
  return p.Empty() ? kOk : kChangesPending;
}

}  // namespace pbrc::cli
