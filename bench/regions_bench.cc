// Region counts of `classify maps;` (pbrc/regions.h) for the shipped examples, and the
// compile time of the region compiler against lowering for generated policies of K rules
// (a ratio measured in the same run: the machine is noisy).
// Usage: pbrc_regions_bench [EXAMPLES_DIR]   (default: the source tree's examples/)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pbrc/pipeline.h"
#include "pbrc/regions.h"

namespace {

using Clock = std::chrono::steady_clock;

void PrintPlan(const std::string& name, const pbrc::ir::Program& p) {
  for (const auto& plan : pbrc::ir::PlanClassify(p)) {
    size_t maps = 0, mapped_rules = 0, linear = 0;
    for (const auto& s : plan.segments) {
      maps += s.maps.size();
      (s.mapped ? mapped_rules : linear) += s.last - s.first;
    }
    printf("%-22s %-7s rules %5zu  mapped %5zu  linear %4zu  maps %3zu  regions %6zu\n",
           name.c_str(), plan.direction == pbrc::ir::Direction::kForward ? "forward" : "reply",
           p.rules.size(), mapped_rules, linear, maps, plan.regions);
  }
}

std::unique_ptr<pbrc::Compilation> CompileMaps(const std::string& path, pbrc::FileReader& r) {
  auto c = pbrc::Compile(path, r);
  if (c->ir) c->ir->opts.classify = pbrc::ClassifyForm::kMaps;
  return c;
}

// K rules steering overlapping customer prefixes and services: /24s inside /16s, ports.
std::string Generated(int k) {
  std::string s =
      "options { classify maps; preference 1000-30000; }\nlink a { device a0; gateway 192.0.2.1; "
      "}\n"
      "link b { device b0; gateway 198.51.100.1; }\npolicy {\n";
  for (int i = 0; i < k; ++i) {
    int x = i / 200, y = i % 200;
    if (i % 3 == 0) {
      s += "  from 10." + std::to_string(x) + "." + std::to_string(y) + ".0/24 proto tcp dport " +
           std::to_string(1000 + i % 50) + " via a;\n";
    } else {
      s += "  from 10." + std::to_string(x) + ".0.0/16 to 172.16." + std::to_string(y) +
           ".0/24 via " + (i % 2 ? "a" : "b") + ";\n";
    }
  }
  return s + "}\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : std::string(PBRC_SOURCE_DIR) + "/examples";
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".pbr") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto c = CompileMaps(f, pbrc::DiskReader());
    if (!c->ir) {
      printf("%s: does not compile\n", f.c_str());
      return 1;
    }
    PrintPlan(std::filesystem::path(f).filename().string(), *c->ir);
  }
  printf("\n%-8s %9s %12s %12s %8s\n", "K", "regions", "compile ms", "plan ms", "ratio");
  for (int k : {1, 10, 100, 1000, 4000}) {
    pbrc::MemoryReader reader;
    reader.Add("gen.pbr", Generated(k));
    auto a = Clock::now();
    auto c = pbrc::Compile("gen.pbr", reader);
    auto b = Clock::now();
    if (!c->ir) return 1;
    auto plans = pbrc::ir::PlanClassify(*c->ir);
    auto e = Clock::now();
    double comp = std::chrono::duration<double>(b - a).count() * 1e3;
    double plan = std::chrono::duration<double>(e - b).count() * 1e3;
    printf("%-8d %9zu %12.1f %12.1f %8.2f\n", k, plans[0].regions + plans[1].regions, comp, plan,
           plan / comp);
  }
  return 0;
}
