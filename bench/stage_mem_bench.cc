// Heap bytes per policy rule after each stage of one compile, in one process: what each stage
// keeps alive (the ASTs, the model, the IR) and the highest heap use while each artifact is
// written (sampled at every piece the emitter hands out). Live heap is malloc's own count of
// bytes in use (mallinfo2, mapped blocks included), so the figures are the data, not the
// allocator's cached pages.
// Usage: pbrc_stage_mem_bench [--keep-trees] N|POLICY
//   N: a policy of N rules as scale_bench writes them. --keep-trees parses as fmt does
//   (RuleTrees::kKeep, every rule's tree alive until sema is done) instead of as compile
//   does (kDefer): what deferring the trees saves.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "pbrc/lower.h"
#include "pbrc/pipeline.h"
#include "pbrc/sema.h"

namespace {

// Bytes in use: small chunks plus the large blocks malloc maps on their own (big vectors).
size_t Live() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

size_t rules = 1;
size_t base = 0;

void Report(const char* stage, size_t bytes) {
  printf("  %-34s %10.0f bytes/rule %9.1f MiB\n", stage,
         static_cast<double>(bytes - base) / static_cast<double>(rules),
         static_cast<double>(bytes - base) / 1048576);
}

// Counts the text and keeps the highest live heap seen while it is written, sampled once per
// MiB: mallinfo2 walks malloc's free lists, which are long after the ASTs were freed.
struct PeakSink final : pbrc::Sink {
  size_t peak = 0, bytes = 0, next = 0;
  void Write(std::string_view t) override {
    bytes += t.size();
    if (bytes < next) return;
    next = bytes + (size_t(1) << 20);
    peak = std::max(peak, Live());
  }
};

// N rules of the shape bench/scale_bench.cc uses: a source host, tcp or udp, a port.
std::string WritePolicy(size_t n) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("pbrc-stage-mem-" + std::to_string(getpid()) + ".pbr"))
                         .string();
  std::ofstream out(path);
  out << "options { mark mask 0xff; }\nlink up { device up0; gateway 192.0.2.1; }\n"
      << "link alt { device up1; gateway 192.0.2.5; }\npolicy {\n";
  for (size_t i = 0; i < n; ++i) {
    uint32_t a = 0x0a000000u + static_cast<uint32_t>(i);
    out << "  from " << (a >> 24) << "." << ((a >> 16) & 255) << "." << ((a >> 8) & 255) << "."
        << (a & 255) << " proto " << (i % 2 ? "udp" : "tcp") << " dport " << 1 + i % 60000
        << " via " << (i % 3 ? "up" : "alt") << ";\n";
  }
  out << "}\n";
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pbrc;
  bool keep = argc == 3 && std::string(argv[1]) == "--keep-trees";
  if (argc != 2 && !keep) {
    fprintf(stderr, "usage: pbrc_stage_mem_bench [--keep-trees] N|POLICY\n");
    return 2;
  }
  std::string arg = argv[argc - 1];
  bool generated = !arg.empty() && arg.find_first_not_of("0123456789") == std::string::npos;
  std::string policy = generated ? WritePolicy(std::stoul(arg)) : arg;
  base = Live();
  SourceManager sm;
  Diagnostics diags;
  ParsedPolicy prog =
      LoadPolicy(policy, sm, diags, DiskReader(), keep ? RuleTrees::kKeep : RuleTrees::kDefer);
  size_t parsed = Live();
  auto model = Analyze(prog, sm, diags, DiskReader());
  if (!model) {
    fprintf(stderr, "the policy has errors\n");
    return 1;
  }
  rules = std::max<size_t>(model->rules.size(), 1);
  size_t analyzed = Live();
  prog = ParsedPolicy{};
  ir::Program p = ir::Lower(*model, sm, std::filesystem::path(policy).filename().string());
  size_t lowered = Live();  // model and IR, as during lowering
  model.reset();
  if (!ir::Allocate(p, diags)) return 1;
  size_t ir_only = Live();
  printf("pbrc_stage_mem_bench: %zu rules, live heap after each stage (rule trees %s)\n", rules,
         keep ? "kept" : "deferred");
  Report(keep ? "parse (source, ASTs)" : "parse (source, ASTs, rule ranges)", parsed);
  Report("sema (source, ASTs, model)", analyzed);
  Report("lower (source, model, IR)", lowered);
  Report("allocate (source, IR)", ir_only);
  for (const auto& a : Emit(p, ArtifactKinds())) {
    PeakSink s;
    a.write(s);
    Report(("emit " + a.suffix + " (peak)").c_str(), std::max(s.peak, ir_only));
  }
  if (generated) std::filesystem::remove(policy);
  return 0;
}
