#include "cli/commands.h"
namespace pbrc::cli {
int RunCompile(const std::vector<std::string>&) { return 3; }
void HelpCompile() {}
}
