// Which mark bits a foreign rule's `mark set` can change.
#include <gtest/gtest.h>

#include "live.h"

namespace pbrc::live {
namespace {

uint32_t Bits(const char* value, uint32_t mask) {
  return WrittenMarkBits(nlohmann::json::parse(value), mask);
}

TEST(WrittenMarkBits, ReadsTheKernelsSpelling) {
  // pbrc's own statement for mark 0x2 under mask 0xf, as the kernel lists it.
  const char* ours = R"({"|": [{"&": [{"meta": {"key": "mark"}}, 4294967282]}, 2]})";
  EXPECT_EQ(Bits(ours, 0xf), 0xfu);
  EXPECT_EQ(Bits(ours, 0xf0), 0u) << "bits outside the mask are not pbrc's";
  EXPECT_EQ(Bits(R"({"|": [{"meta": {"key": "mark"}}, 256]})", 0xf), 0u);
  EXPECT_EQ(Bits(R"({"|": [{"meta": {"key": "mark"}}, 257]})", 0xf), 1u);
  EXPECT_EQ(Bits(R"({"&": [{"ct": {"key": "mark"}}, 4294967280]})", 0xf), 0xfu);
  EXPECT_EQ(Bits(R"({"&": [{"ct": {"key": "mark"}}, 4294967295]})", 0xf), 0u);
  EXPECT_EQ(Bits("256", 0xf), 0xfu) << "a constant sets the whole mark";
  EXPECT_EQ(Bits(R"({"ct": {"key": "mark"}})", 0xf0), 0xf0u);
}

}  // namespace
}  // namespace pbrc::live
