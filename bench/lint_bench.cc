// The cost of `pbrc lint` (issue 11): a policy of R rules over S sets of P random IPv4
// prefixes each, linted with the analysis model in this process (the lint alone) and by the
// `pbrc` binary beside this one (the whole command a user runs: read, compile, lint,
// output). Both are reported in wall and CPU time, as ratios against building every rule's
// space once (the O(rules x boundaries) floor that any exact analysis pays), and against the
// issue's budget of one second for R = 1,000, P = 10,000. Rules are
// `from set sK [proto tcp dport D] via wanW;` with K, D and W spread, the shape of a
// carrier-split policy.
// Usage: pbrc_lint_bench [RULES] [PREFIXES] [SETS]   (defaults 1000 10000 10); PBRC=path
// picks another binary. Exit 1 when the command fails, or at the size (or smaller)
// when its CPU time exceeds one second (CPU, not wall: on a shared machine the wall clock
// counts other people's work). Larger sizes only report, to show the growth.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

double Seconds(const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; }

double CpuOf(int who) {
  rusage ru{};
  getrusage(who, &ru);
  return Seconds(ru.ru_utime) + Seconds(ru.ru_stime);
}

struct Run {
  double wall = 0, cpu = 0;
  int status = -1;
};

// `pbrc lint POLICY` as a user runs it, its findings (stderr) thrown away.
Run LintCommand(const std::string& pbrc, const std::string& policy) {
  Run r;
  double cpu0 = CpuOf(RUSAGE_CHILDREN);
  auto a = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stderr)) _exit(3);
    execl(pbrc.c_str(), pbrc.c_str(), "lint", policy.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) waitpid(pid, &r.status, 0);
  r.wall = std::chrono::duration<double>(Clock::now() - a).count();
  r.cpu = CpuOf(RUSAGE_CHILDREN) - cpu0;
  return r;
}

std::string PbrcBinary() {
  if (const char* env = std::getenv("PBRC")) return env;
  return (fs::read_symlink("/proc/self/exe").parent_path() / "pbrc").string();
}

}  // namespace

int main(int argc, char** argv) {
  int rules = argc > 1 ? std::atoi(argv[1]) : 1000;
  int prefixes = argc > 2 ? std::atoi(argv[2]) : 10000;
  int sets = argc > 3 ? std::atoi(argv[3]) : 10;
  fs::path dir = fs::temp_directory_path() / ("pbrc-lint-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string policy = WritePolicy(dir, rules, prefixes, sets);
  auto a = Clock::now();
  double cpu0 = CpuOf(RUSAGE_SELF);
  auto c = pbrc::Compile(policy, pbrc::DiskReader());
  double compile = std::chrono::duration<double>(Clock::now() - a).count();
  double compile_cpu = CpuOf(RUSAGE_SELF) - cpu0;
  if (!c->ir) {
    fprintf(stderr, "%s", pbrc::RenderText(c->diags.Sorted(), c->sm, {}).c_str());
    fs::remove_all(dir);
    return 3;
  }
  const auto& p = *c->ir;
  a = Clock::now();
  cpu0 = CpuOf(RUSAGE_SELF);
  pbrc::analysis::Devices devs(p);
  size_t spans = 0;
  for (const auto& r : p.rules) {
    if (auto s = pbrc::analysis::SpaceOf(p, r, pbrc::Family::kV4, devs)) spans += (*s)[0].size();
  }
  double base = std::chrono::duration<double>(Clock::now() - a).count();
  double base_cpu = CpuOf(RUSAGE_SELF) - cpu0;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double rss_before = ru.ru_maxrss / 1024.0;
  a = Clock::now();
  cpu0 = CpuOf(RUSAGE_SELF);
  pbrc::Diagnostics diags;
  pbrc::analysis::Lint(p, c->sm, diags);
  double lint = std::chrono::duration<double>(Clock::now() - a).count();
  double cpu = CpuOf(RUSAGE_SELF) - cpu0;
  getrusage(RUSAGE_SELF, &ru);
  double rss_after = ru.ru_maxrss / 1024.0;
  Run cmd = LintCommand(PbrcBinary(), policy);
  fs::remove_all(dir);
  printf("lint: %d rules over %d sets of %d prefixes (%zu source intervals in all)\n", rules, sets,
         prefixes, spans);
  printf("                           wall        CPU   ratio (wall, CPU) to the floor\n");
  printf("  spaces built once %9.1f ms %7.1f ms   (the floor)\n", base * 1e3, base_cpu * 1e3);
  printf("  compile           %9.1f ms %7.1f ms\n", compile * 1e3, compile_cpu * 1e3);
  printf("  lint alone        %9.1f ms %7.1f ms   %.2f %.2f   findings %zu\n", lint * 1e3,
         cpu * 1e3, lint / base, cpu / base_cpu, diags.Sorted().size());
  bool ran = WIFEXITED(cmd.status) && WEXITSTATUS(cmd.status) == 0;
  printf("  pbrc lint command %9.1f ms %7.1f ms   %.2f %.2f   %s\n", cmd.wall * 1e3, cmd.cpu * 1e3,
         cmd.wall / base, cmd.cpu / base_cpu, ran ? "exit 0" : "FAILED (exit not 0)");
  printf("  peak RSS %.0f MiB before lint (compile, spaces), %.0f MiB after\n", rss_before,
         rss_after);
  bool met = cmd.cpu <= 1.0;
  printf("  budget 1000 ms CPU for the command: %s (wall %s)\n", met ? "met" : "NOT met",
         cmd.wall <= 1.0 ? "met too" : "not met: see the load average");
  bool budgeted = rules <= 1000 && prefixes <= 10000;
  return ran && (met || !budgeted) ? 0 : 1;
}
