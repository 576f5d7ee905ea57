// One function per subcommand; each parses its own arguments.
#pragma once

#include <string>
#include <vector>

namespace pbrc::cli {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
  void (*help)();
};

int RunCheck(const std::vector<std::string>& args);
void HelpCheck();
int RunFmt(const std::vector<std::string>& args);
void HelpFmt();
int RunCompile(const std::vector<std::string>& args);
void HelpCompile();
int RunDiff(const std::vector<std::string>& args);
void HelpDiff();
int RunApply(const std::vector<std::string>& args);
void HelpApply();
int RunRollback(const std::vector<std::string>& args);
void HelpRollback();
int RunConfirm(const std::vector<std::string>& args);
void HelpConfirm();
int RunRecover(const std::vector<std::string>& args);
void HelpRecover();
// Hidden: the detached process of a try (apply --confirm).
int RunWatchdog(const std::vector<std::string>& args);
int RunLint(const std::vector<std::string>& args);
void HelpLint();
int RunExplain(const std::vector<std::string>& args);
void HelpExplain();

const std::vector<Command>& Commands();

}  // namespace pbrc::cli
