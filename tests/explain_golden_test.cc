// Golden output of `pbrc explain`: for each tests/golden/explain/NAME.pbr, every line of
// NAME.packets is explained; NAME.explain.txt (text, packets separated by a blank line) and
// NAME.explain.json must match byte for byte. PBRC_BLESS=1 rewrites them; review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pbrc/analysis.h"
#include "pbrc/pipeline.h"
#include "testing.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;

void Expect(const fs::path& want, const std::string& got) {
  const char* b = std::getenv("PBRC_BLESS");
  if (b && *b && std::string(b) != "0") {
    std::ofstream(want, std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(fs::exists(want)) << want << " is missing; run with PBRC_BLESS=1";
  EXPECT_EQ(testing::ReadFile(want), got) << want << " differs; run with PBRC_BLESS=1 and review";
}

// Runs with the working directory in the golden folder, so file names print as "NAME.pbr".
TEST(ExplainGolden, Packets) {
  fs::path dir = fs::path(PBRC_SOURCE_DIR) / "tests/golden/explain";
  fs::path old = fs::current_path();
  fs::current_path(dir);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".pbr") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  ASSERT_FALSE(names.empty());
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    auto c = Compile(name + ".pbr", DiskReader());
    ASSERT_TRUE(c->ir) << RenderText(c->diags.Sorted(), c->sm, {});
    std::istringstream lines(testing::ReadFile(name + ".packets"));
    std::string line, text;
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (size_t n = 1; std::getline(lines, line); ++n) {
      if (line.empty() || line[0] == '#') continue;
      Diagnostics diags;
      auto pkt = analysis::ParsePacket(line, "<packet " + std::to_string(n) + ">", c->sm, diags);
      ASSERT_TRUE(pkt) << RenderText(diags.Sorted(), c->sm, {});
      auto v = analysis::Evaluate(*c->ir, *pkt);
      text += (text.empty() ? "" : "\n") + analysis::ExplainText(*c->ir, c->sm, *pkt, v, false);
      all.push_back(analysis::ExplainJson(*c->ir, c->sm, *pkt, v));
    }
    Expect(name + ".explain.txt", text);
    Expect(name + ".explain.json", all.dump(2) + "\n");
  }
  fs::current_path(old);
}

}  // namespace
}  // namespace pbrc
