#include "cli/common.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>


namespace pbrc::cli {

void Report(const Diagnostics& diags, const SourceManager& sm, const CommonOptions& opts,
            bool json_to_stderr) {
  auto list = diags.Sorted();
  if (opts.format == DiagFormat::kJson) {
    (json_to_stderr ? std::cerr : std::cout) << RenderJson(list, sm);
    return;
  }
  if (list.empty()) return;
  RenderOptions ro;
  const char* no_color = std::getenv("NO_COLOR");
  ro.color = isatty(STDERR_FILENO) && !(no_color && *no_color);
  std::cerr << RenderText(list, sm, ro);
}

bool ParseFormat(const std::string& s, CommonOptions& opts) {
  if (s == "text") {
    opts.format = DiagFormat::kText;
  } else if (s == "json") {
    opts.format = DiagFormat::kJson;
  } else {
    return false;
  }
  return true;
}

}  // namespace pbrc::cli
