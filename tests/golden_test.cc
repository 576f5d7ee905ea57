// Golden files for every stage's output. For each policy NAME.pbr in tests/golden/ (and each
// example, with its goldens in tests/golden/examples/) the artifacts NAME.nft, NAME.nft.json,
// NAME.ip, NAME.ip6, NAME.sysctl.conf and NAME.ir must match byte for byte.
// PBRC_BLESS=1 rewrites them; review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pbrc/pipeline.h"
#include "testing.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;

bool Bless() {
  const char* b = std::getenv("PBRC_BLESS");
  return b && *b && std::string(b) != "0";
}

void CheckDir(const fs::path& policies, const fs::path& expected, int& count) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(policies)) {
    if (e.path().extension() == ".pbr") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    auto c = Compile(f.string(), DiskReader());
    ASSERT_TRUE(c->ir) << RenderText(c->diags.Sorted(), c->sm, {});
    for (const auto& art : Emit(*c->ir, ArtifactKinds())) {
      std::string text = art.Text();
      fs::path want = expected / (f.stem().string() + "." + art.suffix);
      if (Bless()) {
        fs::create_directories(expected);
        std::ofstream(want, std::ios::binary) << text;
        continue;
      }
      ASSERT_TRUE(fs::exists(want)) << want << " is missing; run with PBRC_BLESS=1";
      EXPECT_EQ(ReadFile(want), text) << want << " differs; run with PBRC_BLESS=1 and review";
    }
    ++count;
  }
}

TEST(Golden, FeaturePolicies) {
  int n = 0;
  fs::path dir = fs::path(PBRC_SOURCE_DIR) / "tests/golden";
  CheckDir(dir, dir, n);
  EXPECT_GE(n, 4);
}

TEST(Golden, Examples) {
  int n = 0;
  CheckDir(fs::path(PBRC_SOURCE_DIR) / "examples",
           fs::path(PBRC_SOURCE_DIR) / "tests/golden/examples", n);
  EXPECT_GE(n, 4);
}

}  // namespace
}  // namespace pbrc
