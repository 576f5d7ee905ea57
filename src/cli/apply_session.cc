// The shared part of apply, rollback, confirm and recover (apply_session.h).
#include "apply_session.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>

#include "../live/live.h"
#include "common.h"
#include "pbrc/pipeline.h"
#include "pbrc/render_escape.h"

namespace pbrc::cli {

apply::Say Sayer(bool quiet) {
  // Progress lines only on a terminal, overwritten by the next line: a million-element set
  // takes seconds per step, and a log should not fill with them.
  bool tty = !quiet && isatty(STDERR_FILENO);
  // PBRC_TIMING: every message, progress included, on stderr with the seconds since start, so
  // the phases of an apply can be measured (bench/apply_bench.sh, docs/testing.md).
  static const auto start = std::chrono::steady_clock::now();
  bool timing = getenv("PBRC_TIMING") != nullptr;
  return [quiet, tty, timing](const std::string& msg) {
    if (timing) {
      std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
      fprintf(stderr, "pbrc timing: %.3f s %s\n", t.count(), EscapeMessage(msg).c_str());
    }
    if (msg.starts_with("progress: ")) {
      if (tty) std::cerr << "\r\033[K" << EscapeMessage(msg.substr(10)) << "..." << std::flush;
      return;
    }
    if (tty) std::cerr << "\r\033[K" << std::flush;
    if (msg.starts_with("warning: "))
      std::cerr << "pbrc: " << EscapeMessage(msg) << "\n";
    else if (!quiet)
      std::cout << EscapeMessage(msg) << std::endl;
  };
}

bool RecoverTarget(const char* cmd, const apply::Target& t, const apply::Say& say) {
  std::string err;
  bool recovered = false;
  if (!apply::Recover(t, say, recovered, err)) {
    std::cerr << "pbrc " << cmd << ": " << EscapeMessage(err) << "\n";
    return false;
  }
  auto c = apply::ReadPendingConfirm(t);
  if (c && c->deadline <= int64_t(time(nullptr)) && !apply::RollbackTrial(t, c->token, say, err)) {
    std::cerr << "pbrc " << cmd << ": " << EscapeMessage(err) << "\n";
    return false;
  }
  return true;
}

bool OpenSession(const char* cmd, const apply::Target& t, const apply::Say& say, Session& s) {
  std::string err;
  s.target = t;
  umask(077);  // the state folder holds snapshots of the routing state: root's eyes only
  if (!t.netns.empty() && !live::EnterNetns(t.netns, err)) {
    std::cerr << "pbrc " << cmd << ": " << EscapeMessage(err) << "\n";
    return false;
  }
  auto wait = [&] { say("waiting for another pbrc holding '" + t.state_dir + "'"); };
  s.lock = apply::Lock::Take(t.state_dir, wait, err);
  if (!s.lock) {
    std::cerr << "pbrc " << cmd << ": " << EscapeMessage(err) << "\n";
    return false;
  }
  return RecoverTarget(cmd, t, say);
}

std::optional<ir::Program> CompileRecorded(const std::string& file, apply::Sources& sources,
                                           int& rc) {
  apply::RecordingReader reader(DiskReader(), sources);
  sources.root = file;
  auto c = Compile(file, reader);
  Report(c->diags, c->sm, CommonOptions{});
  if (c->read_failed) {
    rc = kFailure;
  } else if (!c->ir) {
    rc = kInputErrors;
  } else {
    return std::move(*c->ir);
  }
  return std::nullopt;
}

std::optional<ir::Program> CompileSources(const apply::Sources& sources, std::string& err) {
  apply::SourcesReader reader(sources);
  auto c = Compile(sources.root, reader);
  if (c->ir) return std::move(*c->ir);
  err = "the applied policy '" + sources.root + "' no longer compiles with this pbrc";
  return std::nullopt;
}

bool PrintPlan(const char* cmd, const ir::Program& p, const std::string& desired, bool quiet,
               plan::Plan& out, std::optional<live::TableListing>& listed,
               const plan::State* known_nft, const std::string* known_text,
               std::optional<apply::NftStateRecord>* record, plan::State* sets) {
  plan::State state;
  std::string err;
  if (known_nft)
    listed.reset();
  else
    listed.emplace();
  std::string text;
  bool ok = live::DesiredState(p, state, err, &text, known_nft, known_text);
  if (ok && (record || sets)) {
    // What the kernel's table is after this policy's apply, for the next apply's plan: every
    // object but the ip side (as ProveTable's compiled fallback has them).
    // Copies share the sets' intervals; the record is encoded by the thread that writes it.
    if (record) record->emplace().listing_text = text;
    for (const auto& o : state.objects) {
      if (record && o.kind != plan::Kind::kIpRule && o.kind != plan::Kind::kRoute &&
          o.kind != plan::Kind::kSysctl)
        (*record)->state.objects.push_back(o);
      if (sets && o.kind == plan::Kind::kSet) sets->objects.push_back(o);
    }
  }
  if (!ok || !live::PlanAgainstKernel(p, std::move(state), nullptr, out, err,
                                      listed ? &*listed : nullptr, known_nft)) {
    std::cerr << "pbrc " << cmd << ": " << EscapeMessage(err) << "\n";
    return false;
  }
  out.desired = desired;
  out.current = "kernel";
  if (!quiet) std::cout << plan::RenderText(out, plan::RenderOptions{}) << std::flush;
  return true;
}

std::string NewToken() {
  std::random_device rd;
  char buf[17];
  snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

bool SpawnWatchdog(const apply::Target& t, const apply::PendingConfirm& c, std::string& err) {
  std::string log = t.Dir() + "/watchdog.log";
  std::vector<std::string> args = {
      "pbrc",    "__watchdog", "--state-dir", t.state_dir,
      "--token", c.token,      "--deadline",  std::to_string(c.deadline),
      t.table};
  if (!t.netns.empty()) args.insert(args.end(), {"--netns", t.netns});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    err = std::string("fork: ") + strerror(errno);
    return false;
  }
  if (pid == 0) {
    // Its own session, and a grandchild: no terminal hangup or process-group kill of the
    // apply reaches it, and init reaps it.
    setsid();
    if (fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    dup2(null, STDIN_FILENO);
    dup2(out >= 0 ? out : null, STDOUT_FILENO);
    dup2(out >= 0 ? out : null, STDERR_FILENO);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return true;
}

std::vector<std::string> TablesOf(const std::string& state_dir, const std::string& only) {
  if (!only.empty()) return {only};
  std::vector<std::string> out;
  if (DIR* d = opendir(state_dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != ".." && e->d_type == DT_DIR) out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pbrc::cli
