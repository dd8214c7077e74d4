#include "cli/cli.h"

int main(int argc, char** argv) { return yard::RunCli(argc, argv); }
