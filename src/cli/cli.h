#pragma once

namespace yard {
// Parses the command line and runs the command; returns the exit code.
int RunCli(int argc, char** argv);
}  // namespace yard
