// The records of the state folder: sources survive any bytes, a damaged record is refused
// (never half-read), and a compile replayed from recorded sources gives the same program.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pbrc::apply
