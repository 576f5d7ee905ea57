// `pbrc fmt --write`: replaces a file's text without changing what else the file is. Mode and
// owner are kept; a symlink is followed and its target rewritten (the link stays); a file with
// several hard links, a read-only file and anything but a regular file are refused.
#pragma once

#include <string>

namespace pbrc::cli {

// Replaces the contents of `path`, read as `original`, by `text` atomically; false with `err`
// set (errno text included) when refused, failed, or the file no longer holds `original`, and
// then the file is unchanged and no temp file remains.
bool RewriteFile(const std::string& path, const std::string& original, const std::string& text,
                 std::string& err);

}  // namespace pbrc::cli
