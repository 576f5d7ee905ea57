// The cost of `pbrc lint` (issue 11): a policy of R rules over S sets of P random IPv4
// prefixes each, linted with the analysis model; the figure is the lint time, reported as a
// ratio against building every rule's space once (the O(rules x boundaries) floor that any
// exact analysis pays), and against the budget of one second for R = 1,000,
// P = 10,000. Rules are `from set sK [proto tcp dport D] via wanW;` with K, D and W
// spread, the shape of a carrier-split policy.
// Usage: pbrc_lint_bench [RULES] [PREFIXES] [SETS]   (defaults 1000 10000 10); exit 1 when
// the lint takes more than one second.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "../src/analysis/rule_space.h"
#include "pbrc/analysis.h"
#include "pbrc/pipeline.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::string WritePolicy(const fs::path& dir, int rules, int prefixes, int sets) {
  std::mt19937_64 rng(11);
  std::string text = "options { mark mask 0xff; }\n";
  for (int s = 0; s < sets; ++s) {
    std::ofstream list(dir / ("s" + std::to_string(s) + ".txt"));
    for (int i = 0; i < prefixes; ++i) {
      int len = 16 + static_cast<int>(rng() % 9);
      uint32_t a = static_cast<uint32_t>(rng()) & ~((1u << (32 - len)) - 1);
      list << (a >> 24) << "." << ((a >> 16) & 255) << "." << ((a >> 8) & 255) << "." << (a & 255)
           << "/" << len << "\n";
    }
    text += "set s" + std::to_string(s) + " = { file \"s" + std::to_string(s) + ".txt\" };\n";
  }
  for (int w = 1; w <= 4; ++w) {
    text += "link wan" + std::to_string(w) + " { device eth" + std::to_string(w) +
            "; gateway 10.0." + std::to_string(w) + ".1; }\n";
  }
  text += "policy {\n";
  for (int r = 0; r < rules; ++r) {
    text += "  from set s" + std::to_string(r % sets);
    if (r % 3) text += " proto tcp dport " + std::to_string(1000 + r);
    text += " to 0.0.0.0/0 via wan" + std::to_string(1 + r % 4) + ";\n";
  }
  text += "}\n";
  fs::path file = dir / "bench.pbr";
  std::ofstream(file) << text;
  return file.string();
}

}  // namespace

int main(int argc, char** argv) {
  int rules = argc > 1 ? std::atoi(argv[1]) : 1000;
  int prefixes = argc > 2 ? std::atoi(argv[2]) : 10000;
  int sets = argc > 3 ? std::atoi(argv[3]) : 10;
  fs::path dir = fs::temp_directory_path() / ("pbrc-lint-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto c = pbrc::Compile(WritePolicy(dir, rules, prefixes, sets), pbrc::DiskReader());
  fs::remove_all(dir);
  if (!c->ir) {
    fprintf(stderr, "%s", pbrc::RenderText(c->diags.Sorted(), c->sm, {}).c_str());
    return 3;
  }
  const auto& p = *c->ir;
  auto a = Clock::now();
  pbrc::analysis::Devices devs(p);
  size_t spans = 0;
  for (const auto& r : p.rules) {
    if (auto s = pbrc::analysis::SpaceOf(p, r, pbrc::Family::kV4, devs)) spans += (*s)[0].size();
  }
  double base = std::chrono::duration<double>(Clock::now() - a).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double rss_before = ru.ru_maxrss / 1024.0;
  a = Clock::now();
  // CPU time too: on the shared machine the wall clock counts other people's work.
  std::clock_t cpu0 = std::clock();
  pbrc::Diagnostics diags;
  pbrc::analysis::Lint(p, c->sm, diags);
  double lint = std::chrono::duration<double>(Clock::now() - a).count();
  double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
  printf("lint: %d rules over %d sets of %d prefixes (%zu source intervals in all)\n", rules, sets,
         prefixes, spans);
  printf("  spaces built once %9.1f ms\n  lint              %9.1f ms   ratio %.1f   findings %zu\n",
         base * 1e3, lint * 1e3, lint / base, diags.Sorted().size());
  printf("  lint CPU time     %9.1f ms\n", cpu * 1e3);
  getrusage(RUSAGE_SELF, &ru);
  printf("  peak RSS %.0f MiB before lint (compile, spaces), %.0f MiB after\n", rss_before,
         ru.ru_maxrss / 1024.0);
  printf("  budget 1000 ms: %s\n", lint <= 1.0 ? "met" : "NOT met");
  return lint <= 1.0 ? 0 : 1;
}
