/*
 * cmd_check.c — `rlsc check`: compiles the files for their diagnostics
 * and writes nothing else.
 */
#include "cli.h"

static int run_check(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    Ir *ir;
    if (rc == RLSC_OK)
        rc = cli_compile(&cli, &ir);
    return cli_end(&cli, rc);
}

const Command cmd_check = {
    "check",
    "  check   [--catalog FILE | --db CONNINFO] FILE.rls...   diagnostics only\n",
    "usage: rlsc check [--catalog FILE | --db CONNINFO] FILE.rls...\n"
    "Parses and checks the files; prints diagnostics only.\n",
    OPT_FILES | OPT_CATALOG | OPT_DB,
    run_check,
};
