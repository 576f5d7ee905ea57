// Safe in-place rewrite for `fmt --write` (see fmt_write.h). The new text goes into an unnamed
// file beside the target (O_TMPFILE) that takes the target's owner and mode, is synced, and is
// then renamed over it. INT, TERM, HUP and QUIT are held back meanwhile, so an interrupted run
// leaves either the old or the new file and no temp file; SIGKILL cannot be held back, but
// the file has a name only between two system calls (link, rename).
#include "fmt_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "pbrc/parse.h"
#include "pbrc/render_escape.h"
#include "temp_file.h"

namespace pbrc::cli {
namespace {

// Why `path` (whose target is described by `st`) must not be replaced by a rename; empty when
// it may.
std::string Refusal(const std::string& path, const std::string& target, const struct stat& st) {
  std::string q = "'" + EscapeName(path) + "'";
  if (!S_ISREG(st.st_mode)) return q + " is not a regular file";
  if (st.st_nlink > 1) {
    return q + " has " + std::to_string(st.st_nlink) +
           " hard links and replacing it would split them; not rewritten (print it with "
           "'pbrc fmt' and copy the text instead)";
  }
  if ((st.st_mode & 0222) == 0) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return q + " is read-only (mode " + mode + "); not rewritten";
  }
  if (faccessat(AT_FDCWD, target.c_str(), W_OK, AT_EACCESS) != 0) {
    return SysError("cannot write", EscapeName(path), errno);
  }
  return "";
}

// Writes `text` to a new file in `dirfd` with the owner and mode of `st` and renames it over
// `name`.
bool ReplaceIn(int dirfd, const std::string& dir, const std::string& name, const struct stat& st,
               const std::string& original, const std::string& text, std::string& err) {
  // Constructed before the temp file so that it is destroyed (and pending signals arrive)
  // only after the temp file's destructor removed a name that was not renamed.
  SignalBlock block;
  std::string shown = EscapeName(dir + "/" + name);
  auto tmp = TempFile::Create(dirfd, EscapeName(dir), name, "fmt", 0600, err);
  if (!tmp) return false;
  // Owner first: chown clears set-id bits, which fchmod then restores.
  if (fchown(tmp->fd(), st.st_uid, st.st_gid) != 0) {
    err = SysError("cannot keep the owner of", shown, errno);
    return false;
  }
  if (fchmod(tmp->fd(), st.st_mode & 07777) != 0) {
    err = SysError("cannot keep the mode of", shown, errno);
    return false;
  }
  if (!tmp->Write(text, err)) return false;
  // An editor may have saved the file since it was read: never replace that by old text.
  std::string now, read_err;
  if (!DiskReader().Read(dir + "/" + name, now, read_err) || now != original) {
    err = "'" + shown + "' changed while it was formatted; not rewritten";
    return false;
  }
  return tmp->Link(err) && tmp->Publish(err) && SyncDir(dirfd, EscapeName(dir), err);
}

}  // namespace

bool RewriteFile(const std::string& path, const std::string& original, const std::string& text,
                 std::string& err) {
  char* real = realpath(path.c_str(), nullptr);
  if (!real) {
    err = SysError("cannot resolve", EscapeName(path), errno);
    return false;
  }
  std::string target = real;
  free(real);
  struct stat st;
  if (stat(target.c_str(), &st) != 0) {
    err = SysError("cannot stat", EscapeName(path), errno);
    return false;
  }
  err = Refusal(path, target, st);
  if (!err.empty()) return false;
  std::filesystem::path t(target);
  std::string dir = t.parent_path().string();
  int dirfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) {
    err = SysError("cannot open folder", EscapeName(dir), errno);
    return false;
  }
  bool ok = ReplaceIn(dirfd, dir, t.filename().string(), st, original, text, err);
  close(dirfd);
  return ok;
}

}  // namespace pbrc::cli
