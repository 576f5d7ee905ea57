// Golden plans for `pbrc diff OLD NEW`: for each tests/golden/diff/NAME.old.pbr and
// NAME.new.pbr, the plan as text (NAME.plan.txt, and with --full NAME.plan-full.txt), JSON
// (NAME.plan.json) and markdown (NAME.plan.md) must match byte for byte; and the plan between
// their artifact sets (`diff` of two `compile -o` folders, NAME.artifacts.plan.*), from the
// texts rendered in memory (tests/cli/cli_test.sh checks that folders give the same).
// PBRC_BLESS=1 rewrites them; review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../src/live/live.h"
#include "pbrc/pipeline.h"
#include "pbrc/plan.h"
#include "testing.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;

bool Bless() {
  const char* b = std::getenv("PBRC_BLESS");
  return b && *b && std::string(b) != "0";
}

ir::Program Load(const fs::path& file) {
  auto c = Compile(file.string(), DiskReader());
  EXPECT_TRUE(c->ir) << RenderText(c->diags.Sorted(), c->sm, {});
  return c->ir ? std::move(*c->ir) : ir::Program{};
}

void Expect(const fs::path& want, const std::string& got) {
  if (Bless()) {
    std::ofstream(want, std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(fs::exists(want)) << want << " is missing; run with PBRC_BLESS=1";
  EXPECT_EQ(testing::ReadFile(want), got) << want << " differs; run with PBRC_BLESS=1 and review";
}

plan::State ArtifactStateOf(const fs::path& file) {
  plan::State s;
  std::string err;
  EXPECT_TRUE(live::ArtifactState(live::RenderArtifacts(Load(file)), s, err)) << err;
  return s;
}

// As `pbrc diff OLD NEW` with two folders compiled from the pair (named like that).
plan::Plan ArtifactPlan(const fs::path& dir, const std::string& name) {
  plan::State current = ArtifactStateOf(dir / (name + ".old.pbr"));
  plan::State desired = ArtifactStateOf(dir / (name + ".new.pbr"));
  live::AlignArtifactRules(desired, current);
  plan::Plan p = plan::Diff(desired, current);
  p.current = name + ".old";
  p.desired = name + ".new";
  return p;
}

TEST(PlanGolden, DiffPairs) {
  fs::path dir = fs::path(PBRC_SOURCE_DIR) / "tests/golden/diff";
  std::vector<std::string> names;
  const std::string suffix = ".old.pbr";
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string f = e.path().filename().string();
    if (f.size() > suffix.size() && f.ends_with(suffix))
      names.push_back(f.substr(0, f.size() - suffix.size()));
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    plan::Plan p =
        plan::DiffPolicies(Load(dir / (name + ".new.pbr")), Load(dir / (name + ".old.pbr")));
    p.current = name + ".old.pbr";
    p.desired = name + ".new.pbr";
    plan::RenderOptions some{false, false}, all{false, true};
    Expect(dir / (name + ".plan.txt"), plan::RenderText(p, some));
    Expect(dir / (name + ".plan-full.txt"), plan::RenderText(p, all));
    Expect(dir / (name + ".plan.json"), plan::RenderJson(p, some));
    Expect(dir / (name + ".plan.md"), plan::RenderMarkdown(p, some));
    plan::Plan a = ArtifactPlan(dir, name);
    Expect(dir / (name + ".artifacts.plan.txt"), plan::RenderText(a, some));
    Expect(dir / (name + ".artifacts.plan-full.txt"), plan::RenderText(a, all));
    Expect(dir / (name + ".artifacts.plan.json"), plan::RenderJson(a, some));
    Expect(dir / (name + ".artifacts.plan.md"), plan::RenderMarkdown(a, some));
  }
  EXPECT_GE(names.size(), 3u);
}

}  // namespace
}  // namespace pbrc
