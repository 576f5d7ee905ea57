// Files written beside their target and renamed over it. The file has no name while it is
// written (O_TMPFILE), so a crash or SIGKILL leaves nothing behind; it gets an exclusive temp
// name (never following a planted symlink) only for the moment between link and rename.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

namespace pbrc::cli {

// "ACTION 'PATH': errno text", the form of every system-failure message.
std::string SysError(const std::string& action, const std::string& path, int err);

class TempFile {
 public:
  // A new file in folder `dirfd` that will replace `target` (a name in that folder).
  // `tag` marks its temp name: ".TARGET.pbrc-TAG-XXXXXX". nullptr and `err` set on failure.
  static std::unique_ptr<TempFile> Create(int dirfd, const std::string& dir,
                                          const std::string& target, const std::string& tag,
                                          mode_t mode, std::string& err);
  ~TempFile();  // a temp name that was not renamed over the target is removed
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  // Writes all of `data` and flushes it to the disk (fsync).
  bool Write(std::string_view data, std::string& err) { return Append(data, err) && Sync(err); }
  // Writes all of `data` after what was written before.
  bool Append(std::string_view data, std::string& err);
  // Flushes what was written to the disk (fsync).
  bool Sync(std::string& err);
  // Gives the file its exclusive temp name (a no-op when it already has one).
  bool Link(std::string& err);
  // Renames the temp name over the target.
  bool Publish(std::string& err);

 private:
  TempFile(int dirfd, std::string dir, std::string target, std::string tag)
      : dirfd_(dirfd), dir_(std::move(dir)), target_(std::move(target)), tag_(std::move(tag)) {}
  bool CreateNamed(mode_t mode, std::string& err);
  std::string NewTempName() const;

  int dirfd_;
  std::string dir_;  // for messages
  std::string target_;
  std::string tag_;
  int fd_ = -1;
  std::string temp_name_;  // empty while the file has no name
  bool published_ = false;
};

// Blocks the signals that end a process by default (INT, TERM, HUP, QUIT, PIPE) while alive,
// so a temp name never outlives an interrupted rename; pending signals arrive afterwards.
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_;
};

// fsync of a folder, so renames and unlinks in it are on the disk.
bool SyncDir(int dirfd, const std::string& dir, std::string& err);

}  // namespace pbrc::cli
