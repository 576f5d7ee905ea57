// Benchmarks of the set pipeline, each reported as a ratio against a baseline measured in
// the same run on the same data (the machine is noisy; absolute times are for reference).
//   normalize:  Normalize() of N random IPv4 prefixes   vs  std::sort of the same intervals
//   list file:  compile a policy whose set is a list file of N lines
//               vs  reading the same file line by line (getline)
//   operators:  compile examples/operators.pbr (the real carrier lists), all artifacts
//               vs  reading its list files line by line
// Usage: pbrc_bench [N] [REPEATS]   (defaults 1000000, 5; the median of the repeats is used)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "pbrc/pipeline.h"

namespace {

using Clock = std::chrono::steady_clock;

double Median(std::function<void()> fn, int repeats) {
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    auto a = Clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(Clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void Report(const char* name, double t, const char* base_name, double base) {
  printf("%-34s %9.1f ms   %-30s %9.1f ms   ratio %6.2f\n", name, t * 1e3, base_name, base * 1e3,
         t / base);
}

std::vector<pbrc::Interval> RandomPrefixes(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<pbrc::Interval> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    int len = 8 + static_cast<int>(rng() % 25);
    pbrc::Addr a{pbrc::Family::kV4, (rng() & 0xffffffffu) & ~static_cast<uint32_t>(pbrc::HostMask(
                                                                pbrc::Family::kV4, len))};
    out.push_back(pbrc::ToInterval(pbrc::Prefix{a, len}));
  }
  return out;
}

size_t ReadLines(const std::vector<std::string>& files) {
  size_t n = 0;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) n += line.size();
  }
  return n;
}

double CompileAll(const std::string& path) {
  auto c = pbrc::Compile(path, pbrc::DiskReader());
  if (!c->ir) {
    fprintf(stderr, "compile failed: %s\n", pbrc::RenderText(c->diags.Sorted(), c->sm, {}).c_str());
    exit(1);
  }
  return static_cast<double>(pbrc::Emit(*c->ir, pbrc::ArtifactKinds()).size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
  int repeats = argc > 2 ? std::stoi(argv[2]) : 5;
  printf("pbrc_bench: N=%zu, median of %d runs\n", n, repeats);

  auto prefixes = RandomPrefixes(n);
  double base = Median(
      [&] {
        auto copy = prefixes;
        std::sort(copy.begin(), copy.end(),
                  [](const auto& a, const auto& b) { return a.lo < b.lo; });
      },
      repeats);
  double t = Median([&] { auto out = pbrc::Normalize(prefixes); }, repeats);
  Report("normalize N prefixes", t, "std::sort N intervals", base);

  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("pbrc-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    std::ofstream list(dir / "list.txt");
    for (const auto& iv : prefixes) list << pbrc::FormatInterval(iv) << "\n";
    std::ofstream pol(dir / "big.pbr");
    pol << "set big = file \"list.txt\";\nlink up { device up0; gateway 192.0.2.1; }\n"
           "policy { to set big via up; }\n";
  }
  base = Median([&] { ReadLines({(dir / "list.txt").string()}); }, repeats);
  t = Median([&] { CompileAll((dir / "big.pbr").string()); }, repeats);
  Report("compile policy with N-line list", t, "getline over the list", base);
  fs::remove_all(dir);

  std::string root = PBRC_SOURCE_DIR;
  std::vector<std::string> lists;
  for (const char* f : {"chinanet", "chinanet6", "unicom", "unicom6", "cmcc", "cmcc6"}) {
    lists.push_back(root + "/examples/data/" + f + ".txt");
  }
  base = Median([&] { ReadLines(lists); }, repeats);
  t = Median([&] { CompileAll(root + "/examples/operators.pbr"); }, repeats);
  Report("compile examples/operators.pbr", t, "getline over its lists", base);
  return 0;
}
