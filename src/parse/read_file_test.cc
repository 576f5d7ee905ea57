#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pbrc/parse.h"

namespace pbrc {
namespace {

namespace fs = std::filesystem;

TEST(ReadFile, DevicesAndFifosAreRefusedWithoutBlocking) {
  std::string text, err;
  EXPECT_FALSE(DiskReader().Read("/dev/zero", text, err));
  EXPECT_EQ(err, "is a character device, not a regular file");
  EXPECT_TRUE(text.empty());
  fs::path fifo = fs::temp_directory_path() / ("pbrc-fifo-" + std::to_string(getpid()));
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(DiskReader().Read(fifo.string(), text, err));  // would block without O_NONBLOCK
  EXPECT_EQ(err, "is a FIFO, not a regular file");
  fs::remove(fifo);
  EXPECT_FALSE(DiskReader().Read("/", text, err));
  EXPECT_EQ(err, "is a directory");
}

TEST(ReadFile, LimitIsCheckedWhileReading) {
  // A pipe says nothing about its size up front: the limit must stop the read itself.
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(p[0]);
    std::string block(1 << 20, 'x');
    for (int i = 0; i < 100; ++i) {
      if (write(p[1], block.data(), block.size()) < 0) break;
    }
    _exit(0);
  }
  close(p[1]);
  std::string text, err;
  EXPECT_FALSE(ReadBounded(p[0], text, err));
  EXPECT_EQ(err, "file is larger than 64 MiB");
  close(p[0]);
  waitpid(child, nullptr, 0);
}

TEST(ReadFile, NulInNameIsRefused) {
  std::string text, err;
  EXPECT_FALSE(DiskReader().Read(std::string("/etc/hostname\0.txt", 18), text, err));
  EXPECT_EQ(err, "file name contains a NUL byte");
}

TEST(ReadFile, RegularFileIsReadWhole) {
  fs::path f = fs::temp_directory_path() / ("pbrc-read-" + std::to_string(getpid()));
  std::ofstream(f, std::ios::binary) << std::string("a\0b\n", 4);
  std::string text, err;
  EXPECT_TRUE(DiskReader().Read(f.string(), text, err)) << err;
  EXPECT_EQ(text, std::string("a\0b\n", 4));
  fs::remove(f);
}

}  // namespace
}  // namespace pbrc
