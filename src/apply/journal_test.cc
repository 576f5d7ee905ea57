// The records of the state folder: sources survive any bytes, a damaged record is refused
// (never half-read), and a compile replayed from recorded sources gives the same program.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "internal.h"
#include "pbrc/emit.h"
#include "pbrc/pipeline.h"

namespace pbrc::apply {
namespace {

TEST(Sources, RoundTripKeepsEveryByte) {
  Sources s{"/etc/pbrc/main.pbr", {}};
  s.files["/etc/pbrc/main.pbr"] = "import \"lists.pbr\";\n";
  s.files["/etc/pbrc/list.txt"] = std::string("10.0.0.0/8\n\xff\x00\n12\n", 18);
  s.files["/etc/pbrc/odd\nname"] = "";
  Sources back;
  std::string err;
  ASSERT_TRUE(DecodeSources(EncodeSources(s), back, err)) << err;
  EXPECT_EQ(back.root, s.root);
  EXPECT_EQ(back.files, s.files);
}

TEST(Sources, DamagedRecordsAreRefused) {
  Sources s{"a.pbr", {{"a.pbr", "policy { via main; }\n"}}};
  std::string good = EncodeSources(s), err;
  for (size_t cut = 0; cut < good.size(); ++cut) {
    Sources back;
    EXPECT_FALSE(DecodeSources(good.substr(0, cut), back, err)) << "cut at " << cut;
  }
  Sources back;
  EXPECT_FALSE(DecodeSources("pbrc-sources/1\n5\nx.pbr", back, err));  // root not among files
  EXPECT_FALSE(DecodeSources("pbrc-sources/9\n", back, err));
  EXPECT_FALSE(DecodeSources("pbrc-sources/1\n99999999999999\n", back, err));
}

TEST(Sources, ReplayedCompileGivesTheSameArtifacts) {
  MemoryReader disk;
  disk.Add("p.pbr",
           "import \"l.pbr\";\nlink wan1 { device eth1; gateway 10.0.0.1; }\n"
           "policy { from set office via wan1; }\n");
  disk.Add("l.pbr", "set office = { 10.1.0.0/16 };\n");
  Sources recorded;
  RecordingReader rec(disk, recorded);
  recorded.root = "p.pbr";
  auto first = Compile("p.pbr", rec);
  ASSERT_TRUE(first->ir);
  EXPECT_EQ(recorded.files.size(), 2u);
  SourcesReader replay(recorded);
  auto again = Compile(recorded.root, replay);
  ASSERT_TRUE(again->ir);
  EXPECT_EQ(emit::NftText(*first->ir), emit::NftText(*again->ir));
  EXPECT_EQ(emit::IpBatch(*first->ir, Family::kV4), emit::IpBatch(*again->ir, Family::kV4));
}

TEST(Sources, GenerationReadsItsSourcesOnlyWhenAsked) {
  char tmpl[] = "/tmp/pbrc-journal-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  Target t{tmpl, "pbrc", ""};
  Generation g;
  g.name = "gen-000001";
  g.protocol = 250;
  Sources s{"a.pbr", {{"a.pbr", "policy { via main; }\n"}, {"l.txt", "10.0.0.0/8\n"}}};
  std::string err, dir = t.Dir() + "/" + g.name;
  std::deque<std::string> heads;
  ASSERT_TRUE(WriteGeneration(t, g, err)) << err;
  ASSERT_TRUE(WriteAtomic(dir, "sources", EncodeSourcesPieces(s, heads), err)) << err;
  Generation lazy, eager;
  ASSERT_TRUE(ReadGeneration(t, g.name, lazy, err, false)) << err;
  EXPECT_FALSE(lazy.sources_loaded);
  EXPECT_TRUE(lazy.sources.files.empty());
  ASSERT_TRUE(LoadSources(t, lazy, err)) << err;
  ASSERT_TRUE(ReadGeneration(t, g.name, eager, err)) << err;
  EXPECT_EQ(lazy.sources.files, s.files);
  EXPECT_EQ(eager.sources.files, s.files);
  EXPECT_EQ(eager.sources.root, "a.pbr");
  EXPECT_TRUE(SourcesIntact(t, g.name, err)) << err;
  EXPECT_EQ(SameSources(t, g.name, s, err), std::optional<bool>(true)) << err;
  Sources other = s;
  other.files["l.txt"] = "10.0.0.0/9\n";
  EXPECT_EQ(SameSources(t, g.name, other, err), std::optional<bool>(false));
  other = s;
  other.files["m.txt"] = "";
  EXPECT_EQ(SameSources(t, g.name, other, err), std::optional<bool>(false));
  other = s;
  other.files.erase("l.txt");
  EXPECT_EQ(SameSources(t, g.name, other, err), std::optional<bool>(false));
  // Damaged or missing sources: the generation without them still reads (rollback and a
  // try's rollback need only its meta and snapshot), loading or checking them fails.
  for (bool missing : {false, true}) {
    if (missing)
      ASSERT_EQ(unlink((dir + "/sources").c_str()), 0);
    else
      ASSERT_TRUE(WriteAtomic(dir, "sources", std::string("pbrc-sources/1\n5\na.p"), err));
    Generation damaged = eager;  // a reused Generation forgets what it held
    ASSERT_TRUE(ReadGeneration(t, g.name, damaged, err, false)) << err;
    EXPECT_FALSE(damaged.sources_loaded);
    EXPECT_TRUE(damaged.sources.files.empty());
    EXPECT_FALSE(LoadSources(t, damaged, err));
    EXPECT_NE(err.find(missing ? "cannot read" : "is corrupt"), std::string::npos) << err;
    EXPECT_FALSE(SourcesIntact(t, g.name, err));
    EXPECT_EQ(SameSources(t, g.name, s, err), std::nullopt);
    EXPECT_FALSE(ReadGeneration(t, g.name, damaged, err));
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace pbrc::apply
