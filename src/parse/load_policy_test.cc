#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testing.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;
using testing::CompileText;

// A chain root -> m1 -> ... -> mN in memory; mN defines set `s` that the root uses.
testing::Result Chain(int imports) {
  MemoryReader fs;
  for (int i = 1; i <= imports; ++i) {
    std::string next =
        i < imports ? "import \"m" + std::to_string(i + 1) + ".pbr\";\n" : "set s = { 1.2.3.4 };\n";
    fs.Add("m" + std::to_string(i) + ".pbr", next);
  }
  return CompileText("import \"m1.pbr\";\npolicy { to set s via main; }\n", fs);
}

TEST(Imports, ChainOf64IsAllowed) {
  auto r = Chain(64);
  EXPECT_FALSE(r.c->diags.HasErrors()) << r.diags;
}

TEST(Imports, ChainOf65IsTooDeep) {
  auto r = Chain(65);
  EXPECT_NE(r.diags.find("m64.pbr:1:1: error[E0107]: imports nested more than 64 deep"),
            std::string::npos)
      << r.diags;
}

// The same file through a relative path, an absolute path and a symlinked folder is one file.
TEST(Imports, SameFileByAnySpellingIsLoadedOnce) {
  fs::path dir = fs::temp_directory_path() / ("pbrc-imports-" + std::to_string(getpid()));
  fs::create_directories(dir / "lib");
  std::ofstream(dir / "lib" / "s.pbr") << "set s = { 1.2.3.4 };\n";
  fs::create_directory_symlink(dir / "lib", dir / "alias");
  std::ofstream(dir / "root.pbr")
      << "import \"lib/s.pbr\";\nimport \"" << (dir / "lib/s.pbr").string()
      << "\";\nimport \"alias/s.pbr\";\nimport \"./lib/../lib/s.pbr\";\n"
         "policy { to set s via main; }\n";
  auto c = Compile((dir / "root.pbr").string(), DiskReader());
  std::string diags = RenderText(c->diags.Sorted(), c->sm, RenderOptions{});
  EXPECT_FALSE(c->diags.HasErrors()) << diags;
  // Compile releases the ASTs once sema succeeded; count the loaded files on the parser.
  SourceManager sm;
  Diagnostics d;
  EXPECT_EQ(LoadPolicy((dir / "root.pbr").string(), sm, d, DiskReader()).files.size(), 2u);
  fs::remove_all(dir);
}

// Control: two different files that define the same name still collide.
TEST(Imports, DifferentFilesStillCollide) {
  MemoryReader fs;
  fs.Add("a.pbr", "set s = { 1.2.3.4 };\n");
  fs.Add("b.pbr", "set s = { 1.2.3.5 };\n");
  auto r = CompileText("import \"a.pbr\";\nimport \"b.pbr\";\npolicy { to set s via main; }\n", fs);
  EXPECT_NE(r.diags.find("error[E0102]"), std::string::npos) << r.diags;
}

TEST(ByteOrderMark, AcceptedAtTheStartOnly) {
  auto r = CompileText("\xEF\xBB\xBFset s = { 1.2.3.4 };\npolicy { to set s via main; }\n");
  EXPECT_FALSE(r.c->diags.HasErrors()) << r.diags;
  // Columns on line 1 are counted after the mark, as editors show them.
  auto bad = CompileText("\xEF\xBB\xBFset s = { 1.2.3.4/8 };\n");
  EXPECT_NE(bad.diags.find("t.pbr:1:11: error[E0203]"), std::string::npos) << bad.diags;
  auto mid = CompileText("set s = { 1.2.3.4 };\xEF\xBB\xBF\n");
  EXPECT_NE(mid.diags.find("t.pbr:1:21: error[E0002]"), std::string::npos) << mid.diags;
}

TEST(ByteOrderMark, AcceptedInListFiles) {
  MemoryReader fs;
  fs.Add("l.txt",
         "\xEF\xBB\xBF"
         "1.0.1.0/24\n1.0.2.1/24\n");
  auto r = CompileText("set s = file \"l.txt\";\npolicy { to set s via main; }\n", fs);
  EXPECT_NE(r.diags.find("l.txt:2:1: error[E0203]"), std::string::npos) << r.diags;
  EXPECT_EQ(r.diags.find("l.txt:1:"), std::string::npos) << r.diags;
}

}  // namespace
}  // namespace pbrc
