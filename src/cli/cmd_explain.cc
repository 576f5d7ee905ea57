// pbrc explain POLICY PACKET...: the path of each packet through the compiled policy (rule,
// mark, ip rule, table, route, device), from the analysis model; with --live (root) also
// what the kernel answers, and every disagreement.
// Exit 0 explained (and the kernel agrees), 1 errors in the policy or a packet, 2 the kernel
// disagrees, 3 usage or system failure.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "../live/live.h"
#include "commands.h"
#include "common.h"
#include "pbrc/analysis.h"
#include "pbrc/render_escape.h"

namespace po = boost::program_options;

namespace pbrc::cli {
namespace {

struct ExplainArgs {
  std::string format;
  std::string netns;
  bool live = false;
};

po::options_description ExplainOptions(ExplainArgs& a) {
  po::options_description desc(
      "pbrc explain [--format text|json] [--live [--netns NAME]] "
      "POLICY PACKET...");
  desc.add_options()("help,h", "show this help")(
      "format", po::value<std::string>(&a.format)->default_value("text"), "text or json")(
      "live", po::bool_switch(&a.live),
      "also ask the kernel (root): its main table, ip route get with the mark, the loaded "
      "ruleset")("netns", po::value<std::string>(&a.netns),
                 "with --live: the network namespace to ask (/run/netns/NAME)");
  return desc;
}

// Packets as sources named "<packet N>", so a bad one is a diagnostic with its column.
std::optional<std::vector<analysis::Packet>> ParsePackets(const std::vector<std::string>& texts,
                                                          Compilation& c) {
  std::vector<analysis::Packet> out;
  Diagnostics diags;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto pkt =
        analysis::ParsePacket(texts[i], "<packet " + std::to_string(i + 1) + ">", c.sm, diags);
    if (pkt) out.push_back(*pkt);
  }
  if (!diags.HasErrors()) return out;
  Report(diags, c.sm, CommonOptions{});
  return std::nullopt;
}

// The kernel's answer beside the model's; the disagreements as sentences.
std::vector<std::string> Compare(const analysis::Verdict& v, const live::KernelRoute& k) {
  std::vector<std::string> out;
  if (!k.found) {
    if (v.route)
      out.push_back("the kernel finds no route (" + k.error +
                    "); the model: " + analysis::RouteText(*v.route));
    return out;
  }
  if (!v.route) {
    out.push_back("the kernel routes it (dev " + k.dev + "); the model finds no route");
    return out;
  }
  std::string via = v.route->via ? FormatAddr(*v.route->via) : "";
  std::string table = v.table == ir::kMainTable ? "main" : std::to_string(v.table);
  if (k.dev != v.route->device)
    out.push_back("device: kernel " + k.dev + ", model " + v.route->device);
  if (k.gateway != via) out.push_back("gateway: kernel '" + k.gateway + "', model '" + via + "'");
  if (k.table != table) out.push_back("table: kernel " + k.table + ", model " + table);
  return out;
}

// The loaded ruleset, rules and routes against the policy: the plan `diff` would print.
std::optional<std::string> LoadedDiffers(const ir::Program& p, const std::string& netns) {
  plan::Plan plan;
  std::string err;
  if (!live::ReadLivePlan(p, nullptr, netns, plan, err)) return "cannot read the kernel: " + err;
  if (plan.Empty()) return std::nullopt;
  return "the kernel does not hold this policy: " + std::to_string(plan.changes.size()) +
         " differences (see 'pbrc diff POLICY" + (netns.empty() ? "" : " --netns " + netns) + "')";
}

int ExplainAll(const Compilation& c, const std::vector<analysis::Packet>& packets,
               const std::vector<analysis::Route>& main, bool live, const std::string& netns,
               bool json) {
  const ir::Program& p = *c.ir;
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  size_t disagree = 0;
  for (size_t i = 0; i < packets.size(); ++i) {
    analysis::Verdict v = analysis::Evaluate(p, packets[i], main);
    std::vector<std::string> diffs;
    live::KernelRoute k;
    if (live) {
      std::string err;
      if (!live::KernelRouteGet(netns, packets[i], v.mark, k, err)) {
        std::cerr << "pbrc explain: " << EscapeMessage(err) << "\n";
        return kFailure;
      }
      diffs = Compare(v, k);
    }
    disagree += diffs.size();
    if (json) {
      auto j = analysis::ExplainJson(p, c.sm, packets[i], v);
      if (live) {
        j["kernel"] =
            k.found
                ? nlohmann::ordered_json{{"dev", k.dev}, {"gateway", k.gateway}, {"table", k.table}}
                : nlohmann::ordered_json{{"error", EscapeMessage(k.error)}};
        j["disagreements"] = diffs;
      }
      all.push_back(std::move(j));
      continue;
    }
    if (i) std::cout << "\n";
    std::cout << analysis::ExplainText(p, c.sm, packets[i], v, live);
    if (live) {
      std::cout << "kernel:  "
                << EscapeMessage(k.found ? "dev " + k.dev +
                                               (k.gateway.empty() ? "" : " via " + k.gateway) +
                                               " table " + k.table
                                         : "no route: " + k.error)
                << "\n";
      for (const auto& d : diffs) std::cout << "DISAGREE " << EscapeMessage(d) << "\n";
    }
  }
  std::optional<std::string> loaded;
  if (live && (loaded = LoadedDiffers(p, netns))) ++disagree;
  if (json) {
    nlohmann::ordered_json out = {{"schema", "pbrc-explain/1"}, {"packets", all}};
    if (live) out["ruleset"] = loaded ? nlohmann::ordered_json(*loaded) : nullptr;
    std::cout << out.dump(2) << "\n";
  } else if (loaded) {
    std::cout << "\nDISAGREE " << EscapeMessage(*loaded) << "\n";
  }
  return disagree ? kChangesPending : kOk;
}

}  // namespace

void HelpExplain() {
  ExplainArgs a;
  std::cout << ExplainOptions(a)
            << "\nPACKET: 'from ADDR to ADDR [proto P] [sport N] [dport N] (iif DEV | "
               "from-router [oif DEV]) [state new|established|invalid|untracked]'.\nPrints "
               "the classification rule (file:line and its source line), the mark, the ip "
               "rule, table, route and device. Without --live the main table is taken as "
               "empty.\nExit 0 explained, 1 errors in the policy or a packet, 2 the kernel "
               "disagrees (--live), 3 usage or system failure.\n";
}

int RunExplain(const std::vector<std::string>& args) {
  ExplainArgs a;
  std::vector<std::string> pos;
  switch (ParseArgs("explain", args, ExplainOptions(a), pos)) {
    case Args::kError:
      return kFailure;
    case Args::kHelp:
      HelpExplain();
      return kOk;
    case Args::kOk:
      break;
  }
  std::string usage;
  if (pos.size() < 2) usage = "give a POLICY and at least one PACKET";
  if (a.format != "text" && a.format != "json") usage = "--format is text or json";
  if (!a.netns.empty() && !a.live) usage = "--netns needs --live";
  if (!usage.empty()) {
    std::cerr << "pbrc explain: " << usage << "\n";
    return kFailure;
  }
  auto c = Compile(pos[0], DiskReader());
  Report(c->diags, c->sm, CommonOptions{});
  if (c->read_failed) return kFailure;
  if (!c->ir) return kInputErrors;
  auto packets = ParsePackets({pos.begin() + 1, pos.end()}, *c);
  if (!packets) return kInputErrors;
  if (a.live && geteuid() != 0) {
    std::cerr << "pbrc explain: --live reads the kernel's routes and ruleset and needs root\n";
    return kFailure;
  }
  std::vector<analysis::Route> main;
  std::string err;
  if (a.live && !live::KernelMainRoutes(a.netns, main, err)) {
    std::cerr << "pbrc explain: " << EscapeMessage(err) << "\n";
    return kFailure;
  }
  return ExplainAll(*c, *packets, main, a.live, a.netns, a.format == "json");
}

}  // namespace pbrc::cli
