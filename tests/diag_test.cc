// Diagnostic tests: tests/diag/NAME.pbr must produce exactly tests/diag/NAME.stderr (text,
// no colour, file names as given relative to tests/diag). Every catalog code has a case and
// an entry in docs/diagnostics.md. PBRC_BLESS=1 rewrites the .stderr files. Cases named
// W09* also run `pbrc lint`'s analysis (W0908's with a work limit of 200 steps); a NAME.packet
// beside NAME.pbr is parsed as the packet of `pbrc explain` (E09*).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pbrc/analysis.h"
#include "pbrc/pipeline.h"
#include "testing.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;

// Runs with the working directory in tests/diag, so names print as "NAME.pbr".
class DiagDir {
 public:
  DiagDir() : old_(fs::current_path()) {
    fs::current_path(fs::path(PBRC_SOURCE_DIR) / "tests/diag");
  }
  ~DiagDir() { fs::current_path(old_); }

 private:
  fs::path old_;
};

std::vector<std::string> Cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(PBRC_SOURCE_DIR) / "tests/diag")) {
    if (e.path().extension() == ".pbr") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Diag, ExpectedStderr) {
  DiagDir cd;
  const char* bless = std::getenv("PBRC_BLESS");
  std::set<std::string> codes_seen;
  for (const auto& name : Cases()) {
    SCOPED_TRACE(name);
    auto c = Compile(name, DiskReader());
    // W0908's case lowers the work limit so that a small policy reaches it.
    size_t max_work = name.rfind("W0908", 0) == 0 ? 200 : analysis::kLintMaxWork;
    if (name.rfind("W09", 0) == 0 && c->ir) analysis::Lint(*c->ir, c->sm, c->diags, max_work);
    fs::path packet = fs::path(name).replace_extension(".packet");
    if (fs::exists(packet)) {
      std::string text = ReadFile(packet);
      if (!text.empty() && text.back() == '\n') text.pop_back();
      analysis::ParsePacket(text, "<packet 1>", c->sm, c->diags);
    }
    EXPECT_TRUE(c->diags.HasErrors() || !c->diags.Sorted().empty()) << name << " reports nothing";
    std::string got = RenderText(c->diags.Sorted(), c->sm, RenderOptions{});
    for (const auto& d : c->diags.Sorted()) {
      codes_seen.insert(Info(d.code).id);
      // The id's letter promises the severity (E error, W warning); reporting says the same.
      EXPECT_EQ(d.severity, DefaultSeverity(d.code)) << Info(d.code).id;
    }
    fs::path want = fs::path(name).replace_extension(".stderr");
    if (bless && *bless && std::string(bless) != "0") {
      std::ofstream(want, std::ios::binary) << got;
      continue;
    }
    EXPECT_EQ(ReadFile(want), got);
  }
  for (const auto& info : Catalog()) {
    EXPECT_TRUE(codes_seen.count(info.id))
        << info.id << " (" << info.name << ") has no case in tests/diag";
  }
}

TEST(Diag, EveryCodeIsDocumented) {
  std::string doc = ReadFile(fs::path(PBRC_SOURCE_DIR) / "docs/diagnostics.md");
  for (const auto& info : Catalog()) {
    EXPECT_NE(doc.find(std::string("## ") + info.id + " " + info.name), std::string::npos)
        << info.id << " is missing from docs/diagnostics.md";
  }
}

}  // namespace
}  // namespace pbrc
